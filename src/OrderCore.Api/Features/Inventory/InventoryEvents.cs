namespace OrderCore.Api.Features.Inventory;

/// <summary>
/// <c>inventory.adjusted</c>: written, in the same transaction, whenever the inventory API, the catalog
/// import or the expiry sweeper changes a level, with the level after the change as <c>data.object</c>.
/// Stock reserved, released or committed by an order is told by that order's own events instead.
/// </summary>
internal static class InventoryEvents
{
    public const string Adjusted = "inventory.adjusted";

    public static async Task<InventoryLevelResponse> PublishLevelAsync(OrderCoreDbContext db, Outbox outbox, string skuId, string locationId,
        CancellationToken cancellationToken)
    {
        var row = await db.InventoryLevels.AsNoTracking()
            .Where(l => l.LocationId == locationId && l.SkuId == skuId)
            .Join(db.Set<Catalog.Sku>(), l => l.SkuId, s => s.Id, (l, s) => new { Level = l, s.SkuCode })
            .SingleAsync(cancellationToken);
        var level = InventoryLevelResponse.From(row.Level, row.SkuCode);
        outbox.Add(Adjusted, level, subjectId: $"{skuId}@{locationId}");
        return level;
    }
}
