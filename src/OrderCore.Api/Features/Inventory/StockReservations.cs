namespace OrderCore.Api.Features.Inventory;

public sealed record StockRequest(string SkuId, string SkuCode, int Quantity);

/// <summary>What a reservation is for: an order, or a caller's own reference, optionally until a time.</summary>
internal sealed record ReservationTerms(string? OrderId = null, string? Reference = null, DateTimeOffset? ExpiresAt = null);

/// <summary>
/// A reservation sent in a batch (<see cref="Stock.ReserveForOrder"/>). Running the batch reserves the stock or throws 409
/// <c>insufficient_stock</c>; <see cref="Confirm"/> then records the reservations (or 409 when there was no location).
/// </summary>
public sealed class PendingReservation
{
    private readonly OrderCoreDbContext _db;
    private readonly string? _locationId;
    private readonly IReadOnlyList<StockRequest> _requests;
    private readonly ReservationTerms _terms;
    private readonly DateTimeOffset _now;

    internal PendingReservation(OrderCoreDbContext db, string? locationId, IReadOnlyList<StockRequest> requests, ReservationTerms terms,
        DateTimeOffset now)
    {
        _db = db;
        _locationId = locationId;
        _requests = requests;
        _terms = terms;
        _now = now;
    }

    /// <summary>Records the reservations made (their rows join the context, which the caller saves), or throws 409 <c>insufficient_stock</c>.</summary>
    public void Confirm() => Take();

    /// <summary>As <see cref="Confirm"/>, answering the reservations made (none when nothing was requested).</summary>
    internal List<InventoryReservation> Take()
    {
        if (_requests.Count == 0)
        {
            return [];
        }

        if (_locationId is null)
        {
            OrderCoreTelemetry.ReservationRefused();
            throw StockReservations.InsufficientStock(_requests[0], null, 0).ToException();
        }

        // The batch ran without a refusal: every request was reserved.
        var reservations = new List<InventoryReservation>(_requests.Count);
        foreach (var request in _requests)
        {
            var reservation = new InventoryReservation
            {
                Id = Ids.New(Ids.Reservation),
                SkuId = request.SkuId,
                LocationId = _locationId,
                Quantity = request.Quantity,
                OrderId = _terms.OrderId,
                Reference = _terms.Reference,
                ExpiresAt = _terms.ExpiresAt,
                CreatedAt = _now,
                UpdatedAt = _now,
            };
            reservations.Add(reservation);
            _db.InventoryReservations.Add(reservation); // its row is also its reserve movement (InventoryMovement)
        }

        return reservations;
    }
}

/// <summary>Reserves and releases stock inside the caller's transaction.</summary>
internal static class StockReservations
{
    /// <summary>
    /// Reserves every request at <paramref name="locationId"/>, or throws 409 <c>insufficient_stock</c> for the first that
    /// cannot be met (the caller's transaction then rolls the others back). Adds the reservation rows to the context
    /// (each is also its reserve movement); the caller saves. One round trip (<see cref="Add"/>).
    /// </summary>
    public static async Task<List<InventoryReservation>> ReserveAsync(OrderCoreDbContext db, string locationId,
        IEnumerable<StockRequest> requests, ReservationTerms terms, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var batch = new SqlBatch(db);
        var reservation = Add(batch, db, locationId, requests.ToList(), terms, now);
        await batch.ExecuteAsync(cancellationToken);
        return reservation.Take();
    }

    /// <summary>
    /// Adds to <paramref name="batch"/> the one statement that reserves every request at <paramref name="locationId"/>
    /// (null: there is no such location, and nothing can be reserved). Running the batch throws 409 <c>insufficient_stock</c>
    /// for the first request not met; <see cref="PendingReservation.Take"/> then records the reservations.
    /// <para>
    /// The guarantee against overselling: <c>reserve_stock</c> changes the levels of the requested SKUs one by one in SKU order
    /// (the same order as every other path that locks several levels, so two multi-line orders cannot deadlock), each by an
    /// UPDATE that adds to <c>reserved</c> only when <c>on_hand - reserved</c>, read under the row lock it takes, covers the
    /// request; concurrent reservations of a SKU queue on that lock and re-check. The first request not covered fails the
    /// statement (nothing reserved, and the batch's later statements, such as the order's number, do not run). The
    /// database's CHECK (<c>reserved &lt;= on_hand</c>) backs it up.
    /// </para>
    /// </summary>
    public static PendingReservation Add(SqlBatch batch, OrderCoreDbContext db, string? locationId, IReadOnlyList<StockRequest> requests,
        ReservationTerms terms, DateTimeOffset now)
    {
        var bySku = requests
            .GroupBy(r => r.SkuId, StringComparer.Ordinal)
            .Select(g => new StockRequest(g.Key, g.First().SkuCode, g.Sum(r => r.Quantity)))
            .OrderBy(r => r.SkuId, StringComparer.Ordinal)
            .ToList();
        if (bySku.Count > 0 && locationId is not null)
        {
            var skuIds = bySku.Select(r => r.SkuId).ToArray();
            var quantities = bySku.Select(r => r.Quantity).ToArray();
            batch.Add($"SELECT reserve_stock({SqlBatch.Tenant}, {locationId}, {skuIds}, {quantities}, {now})", failed =>
            {
                if (failed.SqlState != ShortOfStock)
                {
                    return null;
                }

                OrderCoreTelemetry.ReservationRefused();
                var request = bySku.First(r => r.SkuId == failed.MessageText);
                return InsufficientStock(request, locationId, int.Parse(failed.Hint!, CultureInfo.InvariantCulture)).ToException();
            });
        }

        return new PendingReservation(db, locationId, bySku, terms, now);
    }

    /// <summary>What <c>reserve_stock</c> raises when a SKU is short; its message is the SKU id and its hint the quantity available.</summary>
    private const string ShortOfStock = "OC409";

    /// <summary>
    /// Reserves at the tenant's default location, where orders and checkouts take their stock from (see
    /// <see cref="ReserveAsync"/>); 409 <c>insufficient_stock</c> when there is no default location.
    /// </summary>
    public static async Task<List<InventoryReservation>> ReserveAtDefaultLocationAsync(OrderCoreDbContext db, IReadOnlyList<StockRequest> requests,
        ReservationTerms terms, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (requests.Count == 0)
        {
            return [];
        }

        var locationId = await Stock.DefaultLocationIdAsync(db, cancellationToken)
            ?? throw InsufficientStock(requests[0], null, 0).ToException();
        return await ReserveAsync(db, locationId, requests, terms, now, cancellationToken);
    }

    /// <summary>
    /// Hands reservations made for a holder (a checkout session) over to the order that now owns them:
    /// they keep their stock and lose their expiry. Only active ones move, and the order is refused (409
    /// <c>reservations_lost</c>) unless all of them did: one the expiry sweeper released first is gone.
    /// </summary>
    public static async Task TransferToOrderAsync(OrderCoreDbContext db, IReadOnlyCollection<string> reservationIds, string orderId,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Conditional on status and owner: whoever changes the row first (this, the sweeper releasing it,
        // another order taking it) wins, and the others find it no longer active or no longer free.
        var moved = await db.InventoryReservations
            .Where(r => reservationIds.Contains(r.Id) && r.Status == ReservationStatus.Active && r.OrderId == null)
            .ExecuteUpdateAsync(set => set
                .SetProperty(r => r.OrderId, orderId)
                .SetProperty(r => r.ExpiresAt, (DateTimeOffset?)null)
                .SetProperty(r => r.UpdatedAt, now), cancellationToken);
        if (moved != reservationIds.Count)
        {
            throw ApiError.Conflict("reservations_lost", "The stock held for this checkout was released (it expired); start a new checkout")
                .ToException();
        }
    }

    /// <summary>Releases those of <paramref name="reservationIds"/> that are still active (see <see cref="ReleaseAsync"/>).</summary>
    public static async Task ReleaseAllAsync(OrderCoreDbContext db, IReadOnlyCollection<string> reservationIds, string note, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var held = await db.InventoryReservations.AsNoTracking()
            .Where(r => reservationIds.Contains(r.Id) && r.Status == ReservationStatus.Active)
            .ToListAsync(cancellationToken);
        // In key order, the order in which reservations lock levels, so that this cannot deadlock with them.
        foreach (var reservation in held.OrderBy(r => r.LocationId, StringComparer.Ordinal).ThenBy(r => r.SkuId, StringComparer.Ordinal))
        {
            await ReleaseAsync(db, reservation, note, now, cancellationToken);
        }
    }

    /// <summary>
    /// Releases <paramref name="reservation"/> if it is still active: marks it released, gives its
    /// quantity back to <c>available</c> and adds a movement row (the caller saves). Answers false, and
    /// changes nothing, when it was no longer active.
    /// </summary>
    public static Task<bool> ReleaseAsync(OrderCoreDbContext db, InventoryReservation reservation, string? note, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        SettleAsync(db, reservation, ReservationStatus.Released, note, now, cancellationToken);

    /// <summary>
    /// Commits <paramref name="reservation"/> on fulfilment if it is still active: the goods leave, so
    /// <c>on_hand</c> and <c>reserved</c> both drop by its quantity; marks it committed and adds a movement
    /// row (the caller saves). Answers false, and changes nothing, when it was no longer active.
    /// </summary>
    public static Task<bool> CommitAsync(OrderCoreDbContext db, InventoryReservation reservation, string? note, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        SettleAsync(db, reservation, ReservationStatus.Committed, note, now, cancellationToken);

    /// <summary>Ends an active reservation as released (stock back to available) or committed (stock gone).</summary>
    private static async Task<bool> SettleAsync(OrderCoreDbContext db, InventoryReservation reservation, ReservationStatus outcome, string? note,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Only an active reservation is settled: whoever changes its status first (a request, another request,
        // the expiry sweeper, a fulfilment) holds the row lock, and the others then find it no longer active, so a
        // reservation is released or committed at most once, never both.
        var claimed = await db.InventoryReservations
            .Where(r => r.Id == reservation.Id && r.Status == ReservationStatus.Active)
            .ExecuteUpdateAsync(set => set
                .SetProperty(r => r.Status, outcome)
                .SetProperty(r => r.UpdatedAt, now), cancellationToken);
        if (claimed == 0)
        {
            return false;
        }

        // An active reservation's quantity is always part of reserved; the guard only refuses to hide a
        // broken invariant behind a negative count (the CHECK constraint would refuse it too).
        var shipped = outcome == ReservationStatus.Committed ? reservation.Quantity : 0;
        var settled = await db.InventoryLevels
            .Where(l => l.LocationId == reservation.LocationId && l.SkuId == reservation.SkuId && l.Reserved >= reservation.Quantity)
            .ExecuteUpdateAsync(set => set
                .SetProperty(l => l.OnHand, l => l.OnHand - shipped)
                .SetProperty(l => l.Reserved, l => l.Reserved - reservation.Quantity)
                .SetProperty(l => l.UpdatedAt, now), cancellationToken);
        if (settled == 0)
        {
            throw new InvalidOperationException($"Reservation {reservation.Id} is active but its level does not hold its quantity.");
        }

        var reason = outcome == ReservationStatus.Committed ? MovementReason.Commit : MovementReason.Release;
        db.InventoryMovements.Add(InventoryMovement.Of(reservation, reason, -shipped, -reservation.Quantity, note, now));
        return true;
    }

    /// <summary>
    /// Releases <c>quantity</c> of reserved stock that no active reservation holds (e.g. stock held by a
    /// system that reserved before its reservations were recorded here). Never more than
    /// <c>reserved - sum(active reservations)</c> at that level, so every active reservation stays
    /// covered; otherwise 409 <c>insufficient_reserved</c>. Adds a movement row; the caller saves.
    /// </summary>
    public static async Task<InventoryLevel> ReleaseUnattachedAsync(OrderCoreDbContext db, StockRequest request, string locationId,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Lock the level row first. Every change of a reservation also changes (and locks) its level, so
        // while we hold this lock the active reservations of the level are settled, and the next
        // statement, which takes a fresh snapshot, sums them exactly.
        var locked = await db.InventoryLevels
            .Where(l => l.LocationId == locationId && l.SkuId == request.SkuId)
            .ExecuteUpdateAsync(set => set.SetProperty(l => l.UpdatedAt, now), cancellationToken);

        // The guarantee: reserved drops only by what no active reservation holds.
        var released = locked == 0 ? 0 : await db.InventoryLevels
            .Where(l => l.LocationId == locationId && l.SkuId == request.SkuId
                && l.Reserved - db.Set<InventoryReservation>()
                    .Where(r => r.LocationId == l.LocationId && r.SkuId == l.SkuId && r.Status == ReservationStatus.Active)
                    .Sum(r => r.Quantity) >= request.Quantity)
            .ExecuteUpdateAsync(set => set.SetProperty(l => l.Reserved, l => l.Reserved - request.Quantity), cancellationToken);

        if (released == 0)
        {
            var releasable = locked == 0 ? 0 : await UnattachedAsync(db, request.SkuId, locationId, cancellationToken);
            throw ApiError.Conflict("insufficient_reserved",
                    $"Only {releasable} of SKU {request.SkuCode} are reserved at {locationId} without a reservation; {request.Quantity} requested. "
                    + "Release reservations by reservation_id")
                .With("sku_id", request.SkuId)
                .With("location_id", locationId)
                .With("releasable", releasable)
                .With("requested", request.Quantity)
                .ToException();
        }

        db.InventoryMovements.Add(new InventoryMovement
        {
            Id = Ids.New(Ids.Movement),
            SkuId = request.SkuId,
            LocationId = locationId,
            Reason = MovementReason.Release,
            ReservedDelta = -request.Quantity,
            Note = "unattached",
            CreatedAt = now,
        });
        return await db.InventoryLevels.AsNoTracking().SingleAsync(l => l.LocationId == locationId && l.SkuId == request.SkuId, cancellationToken);
    }

    public static ApiError InsufficientStock(StockRequest request, string? locationId, int available) =>
        ApiError.Conflict("insufficient_stock",
                $"Only {Math.Max(available, 0)} of SKU {request.SkuCode} are available at {locationId ?? "the default location"}; {request.Quantity} requested")
            .With("sku_id", request.SkuId)
            .With("sku_code", request.SkuCode)
            .With("location_id", locationId)
            .With("available", Math.Max(available, 0))
            .With("requested", request.Quantity);

    private static async Task<int> UnattachedAsync(OrderCoreDbContext db, string skuId, string locationId, CancellationToken cancellationToken)
    {
        var reserved = await db.InventoryLevels.Where(l => l.LocationId == locationId && l.SkuId == skuId).Select(l => l.Reserved)
            .SingleAsync(cancellationToken);
        var held = await db.InventoryReservations
            .Where(r => r.LocationId == locationId && r.SkuId == skuId && r.Status == ReservationStatus.Active)
            .SumAsync(r => r.Quantity, cancellationToken);
        return Math.Max(reserved - held, 0);
    }
}
