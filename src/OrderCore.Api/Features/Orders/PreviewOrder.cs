using OrderCore.Api.Features.Inventory;

namespace OrderCore.Api.Features.Orders;

internal sealed record OrderPreviewResponse(
    string Currency,
    string? CustomerId,
    IReadOnlyList<OrderPreviewLine> Items,
    decimal Subtotal,
    decimal Total,
    [property: Description("The default location, where an order would reserve stock; null when the tenant has none.")]
    string? LocationId,
    [property: Description("True when every line is in stock: placing this order now would not fail on stock.")]
    bool InStock);

internal sealed record OrderPreviewLine(
    string SkuId,
    string SkuCode,
    string ProductId,
    string ProductName,
    int Quantity,
    decimal UnitPrice,
    decimal LineTotal,
    string PriceId,
    string PriceListCode,
    bool TrackInventory,
    [property: Description("on_hand - reserved at the default location; null for SKUs without stock tracking.")]
    int? Available,
    [property: Description("Whether the order's whole quantity of this SKU (over all its lines) is available; always true for untracked SKUs.")]
    bool InStock);

internal static class PreviewOrder
{
    /// <summary>
    /// Prices the order exactly as <see cref="PlaceOrder"/> would and reports stock per line, but creates
    /// and reserves nothing: it only reads. A line that lacks stock is reported, not refused.
    /// </summary>
    public static async Task<Ok<OrderPreviewResponse>> Handle(PlaceOrderRequest request, OrderCoreDbContext db, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var priced = await OrderPricing.PriceAsync(db, request, givenUnitPrices: null, clock.GetUtcNow(), cancellationToken);

        var locationId = await Stock.DefaultLocationIdAsync(db, cancellationToken);
        var tracked = priced.Lines.Where(l => l.Sku.TrackInventory).Select(l => l.Sku.Id).Distinct().ToList();
        var available = locationId is null || tracked.Count == 0
            ? new Dictionary<string, int>(StringComparer.Ordinal)
            : await Stock.AvailableAsync(db, locationId, tracked, cancellationToken);

        // Order creation reserves a SKU's lines together, so stock is judged on the SKU's total quantity.
        var wanted = priced.Lines.GroupBy(l => l.Sku.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity), StringComparer.Ordinal);
        var lines = priced.Lines.OrderBy(l => l.Position).Select(l =>
        {
            int? free = l.Sku.TrackInventory ? available.GetValueOrDefault(l.Sku.Id) : null;
            var inStock = free is not { } count || count >= wanted[l.Sku.Id];
            return new OrderPreviewLine(l.Sku.Id, l.Sku.SkuCode, l.Product.Id, l.Product.Name, l.Quantity, l.UnitPrice, l.LineTotal,
                l.Price!.Winner.Price.Id, l.Price.Winner.List.Code, l.Sku.TrackInventory, free, inStock);
        }).ToList();

        return TypedResults.Ok(new OrderPreviewResponse(priced.Currency, priced.CustomerId, lines, priced.Subtotal, priced.Total, locationId,
            lines.All(l => l.InStock)));
    }
}
