using Microsoft.EntityFrameworkCore;
using OrderCore.Api.Platform.Events;
using OrderCore.Api.Platform.Persistence;

namespace OrderCore.Api.Features.Inventory;

/// <summary>
/// Inventory's public surface: how other features hold, settle, read and change stock. Everything runs in the
/// caller's transaction; changes that are not an order's own (adjustments) publish <c>inventory.adjusted</c> here,
/// so no caller writes that event by hand.
/// </summary>
public static class Stock
{
    /// <summary>The tenant's default location (where orders reserve), or null before it has one.</summary>
    public static Task<string?> DefaultLocationIdAsync(OrderCoreDbContext db, CancellationToken cancellationToken) =>
        db.Locations.Where(l => l.IsDefault).Select(l => l.Id).FirstOrDefaultAsync(cancellationToken);

    /// <summary>
    /// Reserves every line for the order at <paramref name="locationId"/> (null: the default location), or throws 409
    /// <c>insufficient_stock</c> for the first that cannot be met (the caller's transaction then rolls the others back).
    /// Nothing to reserve: nothing done.
    /// </summary>
    public static async Task ReserveForOrderAsync(OrderCoreDbContext db, string orderId, IReadOnlyList<StockRequest> lines, string? locationId,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (lines.Count == 0)
        {
            return;
        }

        locationId ??= await DefaultLocationIdAsync(db, cancellationToken)
            ?? throw StockReservations.InsufficientStock(lines[0], null, 0).ToException();
        await StockReservations.ReserveAsync(db, locationId, lines, new ReservationTerms(OrderId: orderId), now, cancellationToken);
    }

    /// <summary>
    /// Settles the order's active reservations: a fulfilled order takes the stock (<paramref name="fulfilled"/>),
    /// a cancelled one gives it back. The caller holds the order's lock, so this runs once per transition.
    /// </summary>
    public static async Task SettleOrderAsync(OrderCoreDbContext db, string orderId, bool fulfilled, string note, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var reservations = await db.InventoryReservations
            .Where(r => r.OrderId == orderId && r.Status == ReservationStatus.Active)
            .OrderBy(r => r.SkuId)
            .ToListAsync(cancellationToken);
        foreach (var reservation in reservations)
        {
            // The order lock does not cover the reservation itself: it may still be released directly
            // (POST /v1/inventory/release by id) between the read above and the claim below. The claim
            // (its status change) decides who settles it; when the release won, the reservation is
            // skipped exactly as if the read had already found it released.
            _ = fulfilled
                ? await StockReservations.CommitAsync(db, reservation, note, now, cancellationToken)
                : await StockReservations.ReleaseAsync(db, reservation, note, now, cancellationToken);
        }
    }

    /// <summary>Available stock (on hand minus reserved) of each SKU at a location; SKUs without a level are absent.</summary>
    public static Task<Dictionary<string, int>> AvailableAsync(OrderCoreDbContext db, string locationId, IReadOnlyCollection<string> skuIds,
        CancellationToken cancellationToken) =>
        db.InventoryLevels
            .Where(l => l.LocationId == locationId && skuIds.Contains(l.SkuId))
            .Select(l => new { l.SkuId, Available = l.OnHand - l.Reserved })
            .ToDictionaryAsync(l => l.SkuId, l => l.Available, StringComparer.Ordinal, cancellationToken);

    /// <summary>Changes on-hand stock (see <see cref="StockAdjustments"/>) and publishes <c>inventory.adjusted</c> with the level after it.</summary>
    public static async Task<InventoryLevelResponse> AdjustAsync(OrderCoreDbContext db, Outbox outbox, string tenantId, StockAdjustment adjustment,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        await StockAdjustments.AdjustAsync(db, tenantId, adjustment, now, cancellationToken);
        return await InventoryEvents.PublishLevelAsync(db, outbox, adjustment.SkuId, adjustment.LocationId, cancellationToken);
    }
}
