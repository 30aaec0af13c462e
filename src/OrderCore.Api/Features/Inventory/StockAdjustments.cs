namespace OrderCore.Api.Features.Inventory;

/// <summary>
/// A change of <c>on_hand</c>: by <paramref name="Delta"/> or to <paramref name="SetOnHand"/> (exactly one),
/// optionally only if <c>on_hand</c> is still <paramref name="ExpectedOnHand"/>. <paramref name="Reason"/>
/// becomes the movement's note.
/// </summary>
public sealed record StockAdjustment(string SkuId, string SkuCode, string LocationId, int? Delta, int? SetOnHand, int? ExpectedOnHand, string Reason);

/// <summary>Changes on-hand stock; used by <c>POST /v1/inventory/adjust</c> and the catalog import.</summary>
internal static class StockAdjustments
{
    /// <summary>The largest on_hand a level may hold (so that on_hand + delta never overflows).</summary>
    public const int MaxOnHand = 1_000_000_000;

    private const int MaxAttempts = 10;

    /// <summary>
    /// Applies <paramref name="adjustment"/> inside the caller's transaction and answers the level after
    /// it. Creates the level row when the SKU has none at that location (the SKU and location must already
    /// be saved). Adds a movement row (reason <c>adjust</c>); the caller saves. Throws 409
    /// <c>insufficient_stock</c> when on_hand would drop below reserved (or 0), 409 <c>stock_changed</c>
    /// when on_hand is not <c>expected_on_hand</c>, 422 <c>stock_limit_exceeded</c> above
    /// <see cref="MaxOnHand"/>.
    /// </summary>
    public static async Task<InventoryLevel> AdjustAsync(OrderCoreDbContext db, string tenantId, StockAdjustment adjustment, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        if ((adjustment.Delta is null) == (adjustment.SetOnHand is null))
        {
            throw new ArgumentException("Give exactly one of Delta and SetOnHand.", nameof(adjustment));
        }

        var (skuId, locationId) = (adjustment.SkuId, adjustment.LocationId);
        // A row to guard: the conditional UPDATE below can only ever change an existing row.
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO inventory_levels (tenant_id, location_id, sku_id, on_hand, reserved, updated_at)
            VALUES ({tenantId}, {locationId}, {skuId}, 0, 0, {now})
            ON CONFLICT (tenant_id, location_id, sku_id) DO NOTHING
            """, cancellationToken);

        for (var attempt = 1; ; attempt++)
        {
            // set_on_hand is applied as a delta against the on_hand it replaces, so that the movement
            // records the exact difference: against expected_on_hand if given, else the current value.
            var expected = adjustment.ExpectedOnHand;
            if (adjustment.SetOnHand is not null)
            {
                expected ??= await db.InventoryLevels.Where(l => l.LocationId == locationId && l.SkuId == skuId).Select(l => l.OnHand)
                    .SingleAsync(cancellationToken);
            }

            var delta = adjustment.Delta ?? adjustment.SetOnHand!.Value - expected!.Value;

            // The guarantee: on_hand changes only if the result still covers what is reserved (so it never
            // goes below reserved, nor below 0) and, when an on_hand is expected, only if it still is that
            // value (compare-and-set). The row lock of this UPDATE queues concurrent changes of the level.
            var updated = await db.InventoryLevels
                .Where(l => l.LocationId == locationId && l.SkuId == skuId
                    && l.OnHand + delta >= l.Reserved
                    && l.OnHand + delta <= MaxOnHand
                    && (expected == null || l.OnHand == expected))
                .ExecuteUpdateAsync(set => set
                    .SetProperty(l => l.OnHand, l => l.OnHand + delta)
                    .SetProperty(l => l.UpdatedAt, now), cancellationToken);

            // After a successful UPDATE we hold the row lock, so this reads exactly the level we made.
            var level = await db.InventoryLevels.AsNoTracking().SingleAsync(l => l.LocationId == locationId && l.SkuId == skuId, cancellationToken);
            if (updated == 1)
            {
                db.InventoryMovements.Add(new InventoryMovement
                {
                    Id = Ids.New(Ids.Movement),
                    SkuId = skuId,
                    LocationId = locationId,
                    Reason = MovementReason.Adjust,
                    OnHandDelta = delta,
                    Note = adjustment.Reason,
                    CreatedAt = now,
                });
                return level;
            }

            if (expected is { } wanted && level.OnHand != wanted)
            {
                // Without expected_on_hand the caller accepts any current value: another change came
                // first, so apply set_on_hand against the new one.
                if (adjustment.ExpectedOnHand is null && attempt < MaxAttempts)
                {
                    continue;
                }

                throw StockChanged(adjustment, wanted, level.OnHand).ToException();
            }

            if (level.OnHand + delta < level.Reserved)
            {
                throw InsufficientStock(adjustment, level, level.OnHand + delta).ToException();
            }

            if (level.OnHand + delta > MaxOnHand)
            {
                throw new ApiError(StatusCodes.Status422UnprocessableEntity, "stock_limit_exceeded",
                        $"on_hand of SKU {adjustment.SkuCode} at {locationId} would be {level.OnHand + delta}; at most {MaxOnHand} is allowed")
                    .With("sku_id", skuId).With("location_id", locationId).ToException();
            }

            // The level changed between the UPDATE and the read; judge again against the new value.
            if (attempt == MaxAttempts)
            {
                throw StockChanged(adjustment, expected ?? level.OnHand, level.OnHand).ToException();
            }
        }
    }

    private static ApiError StockChanged(StockAdjustment adjustment, int expected, int actual) =>
        ApiError.Conflict("stock_changed",
                $"on_hand of SKU {adjustment.SkuCode} at {adjustment.LocationId} is {actual}, not {expected}; read it again and retry")
            .With("sku_id", adjustment.SkuId)
            .With("location_id", adjustment.LocationId)
            .With("expected_on_hand", expected)
            .With("on_hand", actual);

    private static ApiError InsufficientStock(StockAdjustment adjustment, InventoryLevel level, int wouldBe) =>
        ApiError.Conflict("insufficient_stock",
                $"on_hand of SKU {adjustment.SkuCode} at {adjustment.LocationId} cannot become {wouldBe}: {level.Reserved} are reserved"
                + (wouldBe < 0 ? " and on_hand cannot be negative" : ""))
            .With("sku_id", adjustment.SkuId)
            .With("sku_code", adjustment.SkuCode)
            .With("location_id", adjustment.LocationId)
            .With("on_hand", level.OnHand)
            .With("reserved", level.Reserved)
            .With("available", level.Available);
}
