using OrderCore.Api.Features.Catalog;

namespace OrderCore.Api.Features.Inventory;

/// <summary>The filters of the stock list; the movements list takes them too.</summary>
internal record ListInventoryQuery
{
    [FromQuery(Name = "sku_id")]
    public string? SkuId { get; init; }

    [FromQuery(Name = "sku_code")]
    public string? SkuCode { get; init; }

    [FromQuery(Name = "location_id")]
    public string? LocationId { get; init; }
}

internal sealed record ListMovementsQuery : ListInventoryQuery
{
    [FromQuery(Name = "reason")]
    [Description("adjust, reserve, release or commit")]
    public string? Reason { get; init; }

    [FromQuery(Name = "created_after")]
    [Description("Only movements created after this instant (ISO 8601 with a time zone, e.g. 2026-02-09T12:00:00Z).")]
    public string? CreatedAfter { get; init; }

    [FromQuery(Name = "created_before")]
    [Description("Only movements created before this instant.")]
    public string? CreatedBefore { get; init; }
}

/// <summary>A level with its SKU's code, as the inventory list reads it (an initializer, so that queries can filter on it).</summary>
internal sealed class InventoryRow
{
    public required InventoryLevel Level { get; init; }
    public required string SkuCode { get; init; }
}

internal static class InventoryEndpoints
{
    /// <summary>GET /v1/inventory: levels ordered by location, then SKU.</summary>
    public static async Task<Ok<Paged<InventoryLevelResponse>>> List([AsParameters] ListInventoryQuery query,
        [AsParameters] PageNumberRequest page, OrderCoreDbContext db, CancellationToken cancellationToken)
    {
        var rows = db.InventoryLevels.AsNoTracking()
            .Join(db.Skus, l => l.SkuId, s => s.Id, (l, s) => new InventoryRow { Level = l, SkuCode = s.SkuCode });
        if (query.SkuId is not null)
        {
            rows = rows.Where(r => r.Level.SkuId == query.SkuId);
        }

        if (query.SkuCode is not null)
        {
            rows = rows.Where(r => r.SkuCode == query.SkuCode);
        }

        if (query.LocationId is not null)
        {
            rows = rows.Where(r => r.Level.LocationId == query.LocationId);
        }

        var ordered = rows.OrderBy(r => r.Level.LocationId).ThenBy(r => r.Level.SkuId);
        return TypedResults.Ok(await ordered.ToPageAsync(page, r => InventoryLevelResponse.From(r.Level, r.SkuCode), cancellationToken));
    }

    public static async Task<Results<Ok<InventoryLevelResponse>, ApiError>> Adjust(AdjustStockRequest request, OrderCoreDbContext db,
        CurrentTenant tenant, Outbox outbox, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (sku, locationId) = await ResolveAsync(db, request.SkuId, request.SkuCode, request.LocationId, cancellationToken);
        var adjustment = new StockAdjustment(sku.Id, sku.SkuCode, locationId, request.Delta, request.SetOnHand, request.ExpectedOnHand, request.Reason!);
        var level = await Stock.AdjustAsync(db, outbox, tenant.RequiredId, adjustment, clock.GetUtcNow(), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(level);
    }

    public static async Task<Results<Created<ReservationResponse>, ApiError>> Reserve(ReserveStockRequest request, OrderCoreDbContext db,
        Outbox outbox, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (request.ExpiresAt <= now)
        {
            return ApiError.Validation("expires_at", "must be in the future");
        }

        var (sku, locationId) = await ResolveAsync(db, request.SkuId, request.SkuCode, request.LocationId, cancellationToken);
        var reservation = await Stock.ReserveAsync(db, outbox, locationId, new StockRequest(sku.Id, sku.SkuCode, request.Quantity!.Value),
            new ReservationTerms(Reference: request.Reference, ExpiresAt: request.ExpiresAt), now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/v1/inventory/reservations/{reservation.Id}", ReservationResponse.From(reservation));
    }

    public static async Task<Results<Ok<ReservationResponse>, ApiError>> GetReservation(string id, OrderCoreDbContext db,
        CancellationToken cancellationToken)
    {
        var reservation = await db.InventoryReservations.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        return reservation is null ? ApiError.NotFound($"No reservation with id {id}") : TypedResults.Ok(ReservationResponse.From(reservation));
    }

    /// <summary>
    /// POST /v1/inventory/release: an active reservation by id (409 <c>reservation_not_active</c>
    /// otherwise), or an amount of a SKU that no active reservation holds.
    /// </summary>
    public static async Task<Results<Ok<ReleaseResponse>, ApiError>> Release(ReleaseStockRequest request, OrderCoreDbContext db,
        Outbox outbox, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (request.ReservationId is { } reservationId)
        {
            var reservation = await db.InventoryReservations.AsNoTracking().SingleOrDefaultAsync(r => r.Id == reservationId, cancellationToken);
            if (reservation is null)
            {
                return ReservationNotFound(reservationId);
            }

            if (await Stock.ReleaseAsync(db, outbox, reservation, note: null, now, cancellationToken) is not { } level)
            {
                var status = await db.InventoryReservations.Where(r => r.Id == reservationId).Select(r => r.Status).SingleAsync(cancellationToken);
                return ApiError.Conflict("reservation_not_active", $"Reservation {reservationId} is {EnumText.Name(status)}, not active")
                    .With("reservation_id", reservationId).With("reservation_status", EnumText.Name(status));
            }

            await db.SaveChangesAsync(cancellationToken);
            var released = await db.InventoryReservations.AsNoTracking().SingleAsync(r => r.Id == reservationId, cancellationToken);
            return TypedResults.Ok(new ReleaseResponse(reservation.Quantity, ReservationResponse.From(released), level));
        }

        var (sku, locationId) = await ResolveAsync(db, request.SkuId, request.SkuCode, request.LocationId, cancellationToken);
        var after = await Stock.ReleaseUnattachedAsync(db, outbox, new StockRequest(sku.Id, sku.SkuCode, request.Quantity!.Value), locationId,
            now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new ReleaseResponse(request.Quantity.Value, null, after));
    }

    /// <summary>GET /v1/inventory/movements: the audit trail, newest first.</summary>
    public static async Task<Results<Ok<Paged<MovementResponse>>, ApiError>> Movements([AsParameters] ListMovementsQuery query,
        [AsParameters] PageRequest page, OrderCoreDbContext db, CancellationToken cancellationToken)
    {
        var movements = db.InventoryMovements.AsNoTracking();
        if (query.SkuId is not null)
        {
            movements = movements.Where(m => m.SkuId == query.SkuId);
        }

        if (query.SkuCode is not null)
        {
            var skuIds = db.Skus.Where(s => s.SkuCode == query.SkuCode).Select(s => s.Id);
            movements = movements.Where(m => skuIds.Contains(m.SkuId));
        }

        if (query.LocationId is not null)
        {
            movements = movements.Where(m => m.LocationId == query.LocationId);
        }

        if (EnumText.ParseFilter<MovementReason>(query.Reason, "reason") is { } reason) movements = movements.Where(m => m.Reason == reason);

        foreach (var (field, text, after) in new[] { ("created_after", query.CreatedAfter, true), ("created_before", query.CreatedBefore, false) })
        {
            if (text is null)
            {
                continue;
            }

            if (!UtcTimestampConverter.TryParse(text, out var instant))
            {
                return ApiError.Validation(field, "must be an ISO 8601 timestamp with a time zone, e.g. 2026-02-09T12:34:56Z");
            }

            movements = after ? movements.Where(m => m.CreatedAt > instant) : movements.Where(m => m.CreatedAt < instant);
        }

        return TypedResults.Ok(await movements.ToPageAsync(page, MovementResponse.From, cancellationToken));
    }

    /// <summary>The SKU (by id or code) and the location (the default one when not given), or 404.</summary>
    private static async Task<(Sku Sku, string LocationId)> ResolveAsync(OrderCoreDbContext db, string? skuId, string? skuCode, string? locationId,
        CancellationToken cancellationToken)
    {
        var sku = await Skus.ResolveAsync(db, skuId, skuCode, cancellationToken);

        if (locationId is not null)
        {
            return await db.Locations.AnyAsync(l => l.Id == locationId, cancellationToken)
                ? (sku, locationId)
                : throw LocationEndpoints.LocationNotFound(locationId).ToException();
        }

        var defaultId = await Stock.DefaultLocationIdAsync(db, cancellationToken)
            ?? throw new ApiError(StatusCodes.Status404NotFound, "location_not_found",
                "The tenant has no default location; create one with POST /v1/locations or give location_id").ToException();
        return (sku, defaultId);
    }

    private static ApiError ReservationNotFound(string id) =>
        new ApiError(StatusCodes.Status404NotFound, "reservation_not_found", $"No reservation with id {id}").With("reservation_id", id);

}
