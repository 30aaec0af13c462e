using OrderCore.Api.Features.Catalog;
using OrderCore.Api.Features.Customers;
using OrderCore.Api.Features.Inventory;
using OrderCore.Api.Features.Pricing;
using OrderCore.Api.Platform.Money;

namespace OrderCore.Api.Features.Orders;

/// <summary>One line of an order, priced but not yet stored.</summary>
/// <summary>One line of an order, priced but not yet stored; <see cref="Price"/> is null when the unit price was given (an upstream platform's).</summary>
public sealed record PricedLine(int Position, Sku Sku, Product Product, int Quantity, ResolvedPrice? Price, decimal UnitPrice, decimal LineTotal);

public sealed record PricedOrder(string Currency, string? CustomerId, IReadOnlyList<PricedLine> Lines, decimal Subtotal)
{
    /// <summary>The subtotal, unless an upstream platform charged a different total (taxes, shipping, discounts).</summary>
    public decimal Total { get; init; } = Subtotal;

    /// <summary>The stock these lines need: untracked SKUs (services, digital goods) need none.</summary>
    public IReadOnlyList<StockRequest> StockNeeded =>
        Lines.Where(l => l.Sku.TrackInventory).Select(l => new StockRequest(l.Sku.Id, l.Sku.SkuCode, l.Quantity)).ToList();
}

/// <summary>
/// Turns an order request into priced lines: checks the customer and every SKU, and prices each line
/// with the <see cref="PriceResolver"/>. Creates nothing; order creation and preview both use it.
/// </summary>
public static class OrderPricing
{
    /// <summary>Prices the request; <c>givenUnitPrices</c> (one per item, an upstream platform's charged prices) replace the resolver's, null: resolve.</summary>
    public static Task<PricedOrder> PriceAsync(OrderCoreDbContext db, PlaceOrderRequest request, DateTimeOffset now, CancellationToken cancellationToken) =>
        PriceAsync(db, request, givenUnitPrices: null, now, cancellationToken);

    public static async Task<PricedOrder> PriceAsync(OrderCoreDbContext db, PlaceOrderRequest request, IReadOnlyList<decimal>? givenUnitPrices,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var currency = Currency.Normalize(request.Currency);
        var items = request.Items!;

        if (request.CustomerId is { } customerId && !await db.Customers.AnyAsync(c => c.Id == customerId, cancellationToken))
        {
            throw CustomerErrors.NotFound(customerId).ToException();
        }

        var ids = items.Where(i => i.SkuId is not null).Select(i => i.SkuId!).Distinct().ToList();
        var codes = items.Where(i => i.SkuCode is not null).Select(i => i.SkuCode!).Distinct().ToList();
        var skus = await Skus.FindWithProductsAsync(db, ids, codes, cancellationToken);

        var resolved = new List<(int Position, Sku Sku, Product Product, int Quantity)>();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var match = skus.FirstOrDefault(s => item.SkuId is not null ? s.Sku.Id == item.SkuId : s.Sku.SkuCode == item.SkuCode);
            if (match is null)
            {
                var notFound = Skus.NotFound(item.SkuId, item.SkuCode);
                throw (notFound with { Message = $"{notFound.Message} (items[{i}])" })
                    .With("param", $"items[{i}].{(item.SkuId is not null ? "sku_id" : "sku_code")}").ToException();
            }

            if (match.UnavailableBecause is { } why)
            {
                throw new ApiError(StatusCodes.Status409Conflict, "product_unavailable", $"SKU {match.Sku.SkuCode} cannot be ordered: {why}")
                    .With("sku_id", match.Sku.Id).With("product_id", match.Product.Id).ToException();
            }

            resolved.Add((i, match.Sku, match.Product, item.Quantity!.Value));
        }

        var lines = new List<PricedLine>(resolved.Count);
        if (givenUnitPrices is not null)
        {
            foreach (var (position, sku, product, quantity) in resolved)
            {
                var given = Currency.Round(givenUnitPrices[position], currency);
                lines.Add(new PricedLine(position, sku, product, quantity, null, given, Currency.Round(given * quantity, currency)));
            }

            return new PricedOrder(currency, request.CustomerId, lines, Currency.Round(lines.Sum(l => l.LineTotal), currency));
        }

        var candidates = await PriceResolver.LoadCandidatesAsync(db, resolved.Select(r => r.Sku.Id).Distinct().ToList(), currency,
            request.CustomerId, cancellationToken);
        foreach (var (position, sku, product, quantity) in resolved)
        {
            var price = PriceResolver.Resolve(candidates[sku.Id], currency, request.CustomerId, quantity, now)
                ?? throw PricingErrors.NoPriceApplies(sku.Id, sku.SkuCode, currency, request.CustomerId, quantity)
                    .With("param", $"items[{position}]").ToException();
            var unitPrice = Currency.Round(price.UnitAmount, currency);
            lines.Add(new PricedLine(position, sku, product, quantity, price, unitPrice, Currency.Round(unitPrice * quantity, currency)));
        }

        return new PricedOrder(currency, request.CustomerId, lines, Currency.Round(lines.Sum(l => l.LineTotal), currency));
    }
}
