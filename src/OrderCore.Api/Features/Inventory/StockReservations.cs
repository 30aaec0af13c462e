using Microsoft.EntityFrameworkCore;
using OrderCore.Api.Platform.Errors;
using OrderCore.Api.Platform.Identifiers;
using OrderCore.Api.Platform.Persistence;

namespace OrderCore.Api.Features.Inventory;

public sealed record StockRequest(string SkuId, string SkuCode, int Quantity);

/// <summary>Reserves stock inside the caller's transaction.</summary>
public static class StockReservations
{
    /// <summary>
    /// Reserves every request at <paramref name="locationId"/>, or throws 409 <c>insufficient_stock</c>
    /// for the first that cannot be met (the caller's transaction then rolls the others back).
    /// SKUs are reserved in id order so that two multi-line orders lock rows in the same order and
    /// cannot deadlock. Adds reservation and movement rows to the context; the caller saves.
    /// </summary>
    public static async Task<List<InventoryReservation>> ReserveAsync(OrderCoreDbContext db, string locationId,
        IEnumerable<StockRequest> requests, string? orderId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var reservations = new List<InventoryReservation>();
        var bySku = requests
            .GroupBy(r => r.SkuId, StringComparer.Ordinal)
            .Select(g => new StockRequest(g.Key, g.First().SkuCode, g.Sum(r => r.Quantity)))
            .OrderBy(r => r.SkuId, StringComparer.Ordinal);

        foreach (var request in bySku)
        {
            // The guarantee against overselling: the row is only updated while enough is available, and
            // the row lock this UPDATE takes makes concurrent reservations of the SKU queue behind it.
            var reserved = await db.InventoryLevels
                .Where(l => l.LocationId == locationId && l.SkuId == request.SkuId && l.OnHand - l.Reserved >= request.Quantity)
                .ExecuteUpdateAsync(set => set
                    .SetProperty(l => l.Reserved, l => l.Reserved + request.Quantity)
                    .SetProperty(l => l.UpdatedAt, now), cancellationToken);

            if (reserved == 0)
            {
                var available = await db.InventoryLevels
                    .Where(l => l.LocationId == locationId && l.SkuId == request.SkuId)
                    .Select(l => (int?)(l.OnHand - l.Reserved))
                    .SingleOrDefaultAsync(cancellationToken) ?? 0;
                throw InsufficientStock(request, locationId, available).ToException();
            }

            var reservation = new InventoryReservation
            {
                Id = Ids.New(Ids.Reservation),
                SkuId = request.SkuId,
                LocationId = locationId,
                Quantity = request.Quantity,
                OrderId = orderId,
                CreatedAt = now,
                UpdatedAt = now,
            };
            reservations.Add(reservation);
            db.InventoryReservations.Add(reservation);
            db.InventoryMovements.Add(new InventoryMovement
            {
                Id = Ids.New(Ids.Movement),
                SkuId = request.SkuId,
                LocationId = locationId,
                Reason = MovementReason.Reserve,
                ReservedDelta = request.Quantity,
                ReservationId = reservation.Id,
                OrderId = orderId,
                CreatedAt = now,
            });
        }

        return reservations;
    }

    public static ApiError InsufficientStock(StockRequest request, string? locationId, int available) =>
        ApiError.Conflict("insufficient_stock",
                $"Only {Math.Max(available, 0)} of SKU {request.SkuCode} are available at {locationId ?? "the default location"}; {request.Quantity} requested")
            .With("sku_id", request.SkuId)
            .With("sku_code", request.SkuCode)
            .With("location_id", locationId)
            .With("available", Math.Max(available, 0))
            .With("requested", request.Quantity);
}
