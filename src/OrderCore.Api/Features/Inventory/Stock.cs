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
        DefaultLocationId(db).FirstOrDefaultAsync(cancellationToken);

    /// <summary>The tenant's default location id (at most one), as a query to compose into a larger one.</summary>
    public static IQueryable<string> DefaultLocationId(OrderCoreDbContext db) => db.Locations.Where(l => l.IsDefault).Select(l => l.Id);

    /// <summary>
    /// Adds to <paramref name="batch"/> the reservation of every line for the order at <paramref name="locationId"/> (the
    /// location the order takes its stock from; null: the tenant has none). Once the batch ran,
    /// <see cref="PendingReservation.Confirm"/> throws 409 <c>insufficient_stock</c>
    /// for the first line that could not be met (the caller's transaction then rolls the others back). Nothing to reserve:
    /// nothing sent.
    /// </summary>
    public static PendingReservation ReserveForOrder(SqlBatch batch, OrderCoreDbContext db, string orderId, IReadOnlyList<StockRequest> lines,
        string? locationId, DateTimeOffset now) =>
        StockReservations.Add(batch, db, locationId, lines, new ReservationTerms(OrderId: orderId), now);

    /// <summary>
    /// Holds stock for someone who is not an order yet (a checkout session, named by <paramref name="holder"/>) until
    /// <paramref name="expiresAt"/>, when the expiry sweeper gives it back; 409 <c>insufficient_stock</c> as for an order.
    /// Answers the reservation ids, which <see cref="TransferToOrderAsync"/> later hands to the order.
    /// </summary>
    public static async Task<List<string>> HoldAsync(OrderCoreDbContext db, IReadOnlyList<StockRequest> lines, string holder, DateTimeOffset expiresAt,
        DateTimeOffset now, CancellationToken cancellationToken) =>
        (await StockReservations.ReserveAtDefaultLocationAsync(db, lines, new ReservationTerms(Reference: holder, ExpiresAt: expiresAt), now,
            cancellationToken)).Select(r => r.Id).ToList();

    /// <summary>Hands held reservations to the order that now owns them (409 <c>reservations_lost</c> unless all are still active).</summary>
    public static Task TransferToOrderAsync(OrderCoreDbContext db, IReadOnlyCollection<string> reservationIds, string orderId, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        StockReservations.TransferToOrderAsync(db, reservationIds, orderId, now, cancellationToken);

    /// <summary>Gives back those of the held reservations that are still active.</summary>
    public static Task ReleaseAllAsync(OrderCoreDbContext db, IReadOnlyCollection<string> reservationIds, string note, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        StockReservations.ReleaseAllAsync(db, reservationIds, note, now, cancellationToken);

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

    /// <summary>A reservation of the caller's own (not an order's): reserves and publishes <c>inventory.adjusted</c>.</summary>
    internal static async Task<InventoryReservation> ReserveAsync(OrderCoreDbContext db, Outbox outbox, string locationId, StockRequest request,
        ReservationTerms terms, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var reservations = await StockReservations.ReserveAsync(db, locationId, [request], terms, now, cancellationToken);
        await InventoryEvents.PublishLevelAsync(db, outbox, request.SkuId, locationId, cancellationToken);
        return reservations.Single();
    }

    /// <summary>
    /// Releases a reservation of the caller's own (or an expired one) and publishes <c>inventory.adjusted</c>; null, and
    /// nothing changed, when it was no longer active.
    /// </summary>
    internal static async Task<InventoryLevelResponse?> ReleaseAsync(OrderCoreDbContext db, Outbox outbox, InventoryReservation reservation,
        string? note, DateTimeOffset now, CancellationToken cancellationToken) =>
        await StockReservations.ReleaseAsync(db, reservation, note, now, cancellationToken)
            ? await InventoryEvents.PublishLevelAsync(db, outbox, reservation.SkuId, reservation.LocationId, cancellationToken)
            : null;

    /// <summary>Releases reserved stock that no reservation holds and publishes <c>inventory.adjusted</c>.</summary>
    internal static async Task<InventoryLevelResponse> ReleaseUnattachedAsync(OrderCoreDbContext db, Outbox outbox, StockRequest request,
        string locationId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await StockReservations.ReleaseUnattachedAsync(db, request, locationId, now, cancellationToken);
        return await InventoryEvents.PublishLevelAsync(db, outbox, request.SkuId, locationId, cancellationToken);
    }
}
