namespace OrderCore.Api.Features.Pricing;

/// <summary>A price together with the list it belongs to: what the resolver chooses among.</summary>
public sealed record PriceCandidate(Price Price, PriceList List);

/// <summary>The winning price, why it won, and how many candidates applied at all.</summary>
public sealed record ResolvedPrice(PriceCandidate Winner, string Reason, int Applicable)
{
    public decimal UnitAmount => Winner.Price.UnitAmount;
}

/// <summary>
/// Decides the unit price of a SKU for (currency, customer, quantity, instant). Pure logic, and the only
/// place the rule lives; order creation, order preview and <c>GET /v1/prices/resolve</c> all call it.
/// <list type="number">
/// <item>A price applies when the price and its list are both active, both are in the requested
/// currency, the instant lies in both validity windows (<c>valid_from</c> inclusive, <c>valid_to</c>
/// exclusive, a missing bound is open), its tier is reached (<c>min_quantity</c> &lt;= quantity), and its
/// list is general (no <c>customer_id</c>) or belongs to the requested customer.</item>
/// <item>Among the prices that apply, the first difference decides: a customer-specific list beats a
/// general one; then the higher list <c>priority</c>; then the higher <c>min_quantity</c> (the best tier
/// reached); then the newest price (the greater id: ids are time-ordered). The amount never decides.</item>
/// </list>
/// The query helpers below are the same filters in SQL, for listing prices; <see cref="Applies"/> is the
/// authority and the helpers must agree with it (a test checks both at the window edges).
/// </summary>
public static class PriceResolver
{
    public static ResolvedPrice? Resolve(IEnumerable<PriceCandidate> candidates, string currency, string? customerId, int quantity,
        DateTimeOffset at)
    {
        var ranked = candidates
            .Where(c => Applies(c, currency, customerId, quantity, at))
            .OrderByDescending(c => IsForCustomer(c))
            .ThenByDescending(c => c.List.Priority)
            .ThenByDescending(c => c.Price.MinQuantity)
            .ThenByDescending(c => c.Price.Id, StringComparer.Ordinal)
            .ToList();

        return ranked.Count == 0 ? null : new ResolvedPrice(ranked[0], Explain(ranked[0], ranked.Count > 1 ? ranked[1] : null), ranked.Count);
    }

    public static bool Applies(PriceCandidate candidate, string currency, string? customerId, int quantity, DateTimeOffset at)
    {
        var (price, list) = candidate;
        return price.Active && list.Active
            && price.Currency == currency && list.Currency == currency
            && price.MinQuantity <= quantity
            && (list.CustomerId is null || list.CustomerId == customerId)
            && IsValid(price.ValidFrom, price.ValidTo, at) && IsValid(list.ValidFrom, list.ValidTo, at);
    }

    private static bool IsForCustomer(PriceCandidate candidate) => candidate.List.CustomerId is not null;

    private static bool IsValid(DateTimeOffset? from, DateTimeOffset? to, DateTimeOffset at) =>
        (from is null || from <= at) && (to is null || at < to);

    /// <summary>Names the winner and the first criterion that put it ahead of the runner-up.</summary>
    private static string Explain(PriceCandidate winner, PriceCandidate? runnerUp)
    {
        var (price, list) = winner;
        var scope = list.CustomerId is null ? $"general list {list.Code}" : $"list {list.Code} for customer {list.CustomerId}";
        var what = $"{scope} (priority {list.Priority}), tier from {price.MinQuantity} unit(s)";
        if (runnerUp is null)
        {
            return $"{what}: the only price that applies";
        }

        var (otherPrice, otherList) = runnerUp;
        var why = IsForCustomer(winner) != IsForCustomer(runnerUp) ? "a customer-specific list beats a general one"
            : list.Priority != otherList.Priority ? $"higher list priority ({list.Priority} over {otherList.Priority} of {otherList.Code})"
            : price.MinQuantity != otherPrice.MinQuantity ? $"higher tier reached ({price.MinQuantity} over {otherPrice.MinQuantity})"
            : "the newest of prices tied on list kind, priority and tier";
        return $"{what}: {why}";
    }

    /// <summary>Prices whose list is general or belongs to <paramref name="customerId"/> (the rule's customer filter, in SQL).</summary>
    public static IQueryable<Price> ForCustomer(this IQueryable<Price> prices, OrderCoreDbContext db, string? customerId) =>
        prices.Where(p => db.Set<PriceList>().Any(l => l.Id == p.PriceListId && (l.CustomerId == null || l.CustomerId == customerId)));

    /// <summary>Tiers reached by <paramref name="quantity"/> (the rule's tier filter, in SQL).</summary>
    public static IQueryable<Price> ReachedBy(this IQueryable<Price> prices, int quantity) =>
        prices.Where(p => p.MinQuantity <= quantity);

    /// <summary>Prices active in an active list (the rule's activity filter, in SQL).</summary>
    public static IQueryable<Price> ActiveInActiveList(this IQueryable<Price> prices, OrderCoreDbContext db) =>
        prices.Where(p => p.Active && db.Set<PriceList>().Any(l => l.Id == p.PriceListId && l.Active));

    /// <summary>Prices valid at <paramref name="at"/> in their own and their list's window (the rule's validity filter, in SQL).</summary>
    public static IQueryable<Price> ValidAt(this IQueryable<Price> prices, OrderCoreDbContext db, DateTimeOffset at) =>
        prices.Where(p => (p.ValidFrom == null || p.ValidFrom <= at) && (p.ValidTo == null || at < p.ValidTo)
            && db.Set<PriceList>().Any(l => l.Id == p.PriceListId
                && (l.ValidFrom == null || l.ValidFrom <= at) && (l.ValidTo == null || at < l.ValidTo)));

    /// <summary>
    /// Loads every price that could apply to these SKUs in this currency for this customer, grouped by SKU
    /// (a pre-filter only: <see cref="Resolve"/> applies the whole rule).
    /// </summary>
    public static async Task<ILookup<string, PriceCandidate>> LoadCandidatesAsync(OrderCoreDbContext db, IReadOnlyCollection<string> skuIds,
        string currency, string? customerId, CancellationToken cancellationToken)
    {
        var rows = await Candidates(db, currency, customerId)
            .Where(p => skuIds.Contains(p.SkuId))
            .Join(db.PriceLists, p => p.PriceListId, l => l.Id, (p, l) => new { Price = p, List = l })
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        return rows.ToLookup(r => r.Price.SkuId, r => new PriceCandidate(r.Price, r.List), StringComparer.Ordinal);
    }

    /// <summary>
    /// The same pre-filter as a query of prices, to compose into a larger query (order creation reads the candidates of its
    /// SKUs together with the SKUs); join <see cref="PricingTables"/>' price lists for the <see cref="PriceCandidate"/>.
    /// </summary>
    public static IQueryable<Price> Candidates(OrderCoreDbContext db, string currency, string? customerId) =>
        db.Prices.Where(p => p.Currency == currency).ActiveInActiveList(db).ForCustomer(db, customerId);
}
