using OrderCore.Api.Features.Catalog;

namespace OrderCore.Api.Features.Inventory;

/// <summary>Reservations keep a product from being erased; its movements (the audit trail of its SKUs) go with it.</summary>
internal sealed class StockProductReferences : IProductReferences
{
    public Task<bool> RefersToAsync(OrderCoreDbContext db, string productId, IQueryable<string> skuIds, CancellationToken cancellationToken) =>
        db.InventoryReservations.AnyAsync(r => skuIds.Contains(r.SkuId), cancellationToken);

    public Task ForgetAsync(OrderCoreDbContext db, IQueryable<string> skuIds, CancellationToken cancellationToken) =>
        db.InventoryMovements.Where(m => skuIds.Contains(m.SkuId)).ExecuteDeleteAsync(cancellationToken);
}
