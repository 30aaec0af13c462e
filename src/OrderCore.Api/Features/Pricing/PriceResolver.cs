using Microsoft.EntityFrameworkCore;
using OrderCore.Api.Platform.Persistence;

namespace OrderCore.Api.Features.Pricing;

/// <summary>A price together with the list it belongs to: what the resolver chooses among.</summary>
public sealed record PriceCandidate(Price Price, PriceList List);

public sealed record ResolvedPrice(PriceCandidate Winner, string Reason)
{
    public decimal UnitAmount => Winner.Price.UnitAmount;
}

/// <summary>
/// Decides the unit price of a SKU for (currency, customer, quantity, instant). Pure logic; the rule:
/// <list type="number">
/// <item>Only active prices in active lists, in the requested currency, valid at the instant (both the
/// price's and the list's window, <c>valid_from</c> inclusive, <c>valid_to</c> exclusive), whose tier
/// applies (<c>min_quantity</c> &lt;= quantity), from a general list or a list for this customer.</item>
/// <item>A customer-specific list beats a general one; then the higher list <c>priority</c>; then the
/// highest <c>min_quantity</c> (the best tier reached); then the newest price.</item>
/// </list>
/// </summary>
public static class PriceResolver
{
    public static ResolvedPrice? Resolve(IEnumerable<PriceCandidate> candidates, string currency, string? customerId, int quantity,
        DateTimeOffset at)
    {
        var winner = candidates
            .Where(c => Applies(c, currency, customerId, quantity, at))
            .OrderByDescending(c => c.List.CustomerId is not null)
            .ThenByDescending(c => c.List.Priority)
            .ThenByDescending(c => c.Price.MinQuantity)
            .ThenByDescending(c => c.Price.Id, StringComparer.Ordinal)
            .FirstOrDefault();

        return winner is null ? null : new ResolvedPrice(winner, Explain(winner));
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

    private static bool IsValid(DateTimeOffset? from, DateTimeOffset? to, DateTimeOffset at) =>
        (from is null || from <= at) && (to is null || at < to);

    private static string Explain(PriceCandidate winner)
    {
        var scope = winner.List.CustomerId is null ? "general list" : "customer-specific list";
        return $"{scope} {winner.List.Code} (priority {winner.List.Priority}), tier from {winner.Price.MinQuantity} unit(s)";
    }

    /// <summary>Loads every price that could apply to these SKUs in this currency, grouped by SKU.</summary>
    public static async Task<ILookup<string, PriceCandidate>> LoadCandidatesAsync(OrderCoreDbContext db, IReadOnlyCollection<string> skuIds,
        string currency, string? customerId, CancellationToken cancellationToken)
    {
        var rows = await db.Prices
            .Where(p => skuIds.Contains(p.SkuId) && p.Currency == currency && p.Active)
            .Join(db.PriceLists.Where(l => l.Active && (l.CustomerId == null || l.CustomerId == customerId)),
                p => p.PriceListId, l => l.Id, (p, l) => new { Price = p, List = l })
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        return rows.ToLookup(r => r.Price.SkuId, r => new PriceCandidate(r.Price, r.List), StringComparer.Ordinal);
    }
}
