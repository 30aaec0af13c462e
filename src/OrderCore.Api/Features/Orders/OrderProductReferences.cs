using OrderCore.Api.Features.Catalog;

namespace OrderCore.Api.Features.Orders;

/// <summary>A product on an order line is archived, never erased: the order keeps pointing at a real product.</summary>
internal sealed class OrderProductReferences : IProductReferences
{
    public Task<bool> RefersToAsync(OrderCoreDbContext db, string productId, IQueryable<string> skuIds, CancellationToken cancellationToken) =>
        db.Orders.FromSql($"SELECT * FROM orders WHERE lines @> {OrderLinesJson.ProductPattern(productId)}::jsonb").AnyAsync(cancellationToken);

    public Task ForgetAsync(OrderCoreDbContext db, IQueryable<string> skuIds, CancellationToken cancellationToken) => Task.CompletedTask;
}
