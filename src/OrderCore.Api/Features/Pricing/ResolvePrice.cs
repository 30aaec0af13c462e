using OrderCore.Api.Features.Catalog;
using OrderCore.Api.Features.Customers;

namespace OrderCore.Api.Features.Pricing;

internal sealed record ResolvePriceQuery
{
    [FromQuery(Name = "sku_id")]
    [Description("The SKU by id (sku_...); or give sku_code.")]
    public string? SkuId { get; init; }

    [FromQuery(Name = "sku_code")]
    [Description("The SKU by its code; or give sku_id.")]
    public string? SkuCode { get; init; }

    [FromQuery(Name = "currency")]
    [Description("ISO 4217 code; USD when omitted.")]
    public string? Currency { get; init; }

    [FromQuery(Name = "customer_id")]
    [Description("Lets the lists of this customer compete; without it only general lists apply.")]
    public string? CustomerId { get; init; }

    [FromQuery(Name = "quantity")]
    [Description("Decides which tiers are reached; 1 when omitted.")]
    public int? Quantity { get; init; }
}

internal sealed class ResolvePriceQueryValidator : AbstractValidator<ResolvePriceQuery>
{
    public ResolvePriceQueryValidator()
    {
        this.RequireOneOf("sku_id", q => q.SkuId, "sku_code", q => q.SkuCode);
        RuleFor(q => q.Currency).ValidCurrency();
        RuleFor(q => q.Quantity)
            .GreaterThan(0).WithMessage("must be greater than 0")
            .LessThanOrEqualTo(SharedRules.MaxQuantity).WithMessage($"must be at most {SharedRules.MaxQuantity}");
    }
}

internal sealed record ResolvedPriceResponse(
    string SkuId,
    string SkuCode,
    string Currency,
    string? CustomerId,
    int Quantity,
    [property: Description("The unit price that an order placed now would carry.")]
    decimal UnitAmount,
    string PriceId,
    string PriceListId,
    string PriceListCode,
    int MinQuantity,
    [property: Description("Which price won and the first criterion that put it ahead of the runner-up.")]
    string Reason,
    [property: Description("Active prices of the SKU in this currency, in active general lists or lists of this customer.")]
    int CandidatesConsidered,
    [property: Description("Those of them that apply now to this quantity; the winner is one of them.")]
    int CandidatesApplicable,
    DateTimeOffset ResolvedAt);

internal static class ResolvePrice
{
    /// <summary>
    /// Answers the unit price of a SKU exactly as order creation would decide it now: the same candidates,
    /// the same <see cref="PriceResolver"/>.
    /// </summary>
    public static async Task<Results<Ok<ResolvedPriceResponse>, ApiError>> Handle([AsParameters] ResolvePriceQuery query, OrderCoreDbContext db,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var currency = Money.Normalize(query.Currency);
        var quantity = query.Quantity ?? 1;
        if (query.CustomerId is { } customerId && !await db.Customers.AnyAsync(c => c.Id == customerId, cancellationToken))
        {
            return CustomerErrors.NotFound(customerId);
        }

        var sku = await Skus.FindAsync(db, query.SkuId, query.SkuCode, cancellationToken);
        if (sku is null)
        {
            return Skus.NotFound(query.SkuId, query.SkuCode);
        }

        var now = clock.GetUtcNow();
        var candidates = (await PriceResolver.LoadCandidatesAsync(db, [sku.Id], currency, query.CustomerId, cancellationToken))[sku.Id].ToList();
        var resolved = PriceResolver.Resolve(candidates, currency, query.CustomerId, quantity, now);
        if (resolved is null)
        {
            return PricingErrors.NoPriceApplies(sku.Id, sku.SkuCode, currency, query.CustomerId, quantity);
        }

        var (price, list) = resolved.Winner;
        return TypedResults.Ok(new ResolvedPriceResponse(
            sku.Id, sku.SkuCode, currency, query.CustomerId, quantity, Money.Round(price.UnitAmount, currency), price.Id, list.Id, list.Code,
            price.MinQuantity, resolved.Reason, candidates.Count, resolved.Applicable, now));
    }
}
