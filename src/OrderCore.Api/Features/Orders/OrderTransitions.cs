using OrderCore.Api.Platform.Validation;
using System.ComponentModel;
using System.Text.Json.Nodes;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OrderCore.Api.Features.Inventory;
using OrderCore.Api.Platform.Auth;
using OrderCore.Api.Platform.Errors;
using OrderCore.Api.Platform.Events;
using OrderCore.Api.Platform.Json;
using OrderCore.Api.Platform.Persistence;

namespace OrderCore.Api.Features.Orders;

/// <summary>
/// The order state machine: <c>pending -> confirmed -> fulfilled</c>, and <c>pending | confirmed -> cancelled</c>.
/// </summary>
public static class OrderLifecycle
{
    private static readonly Dictionary<OrderStatus, OrderStatus[]> Next = new()
    {
        [OrderStatus.Pending] = [OrderStatus.Confirmed, OrderStatus.Cancelled],
        [OrderStatus.Confirmed] = [OrderStatus.Fulfilled, OrderStatus.Cancelled],
        [OrderStatus.Fulfilled] = [],
        [OrderStatus.Cancelled] = [],
    };

    public static IReadOnlyList<OrderStatus> AllowedFrom(OrderStatus status) => Next[status];

    public static bool CanMove(OrderStatus from, OrderStatus to) => Next[from].Contains(to);

    public static string EventType(OrderStatus to) => to switch
    {
        OrderStatus.Confirmed => EventTypes.OrderConfirmed,
        OrderStatus.Fulfilled => EventTypes.OrderFulfilled,
        OrderStatus.Cancelled => EventTypes.OrderCancelled,
        _ => throw new ArgumentOutOfRangeException(nameof(to), to, "Orders are created pending; there is no transition to it."),
    };
}

public sealed record CancelOrderRequest
{
    [Description("Why the order is cancelled (shown in status_history).")]
    public string? Reason { get; init; }

    public JsonObject? Metadata { get; init; }

    public string? IdempotencyKey { get; init; }
}

public sealed class CancelOrderValidator : AbstractValidator<CancelOrderRequest>
{
    public CancelOrderValidator()
    {
        RuleFor(r => r.Reason).MaximumLength(500).WithMessage("must be at most 500 characters");
        RuleFor(r => r.Metadata).SetValidator(new MetadataValidator()!);
    }
}

public static class OrderTransitions
{
    public static Task<Results<Ok<OrderResponse>, ApiError>> Confirm(string id, OrderCoreDbContext db, CurrentTenant tenant, Outbox outbox,
        TimeProvider clock, CancellationToken cancellationToken) =>
        MoveAsync(db, tenant, outbox, clock, id, OrderStatus.Confirmed, reason: null, metadata: null, cancellationToken);

    public static Task<Results<Ok<OrderResponse>, ApiError>> Cancel(string id, CancelOrderRequest? request, OrderCoreDbContext db,
        CurrentTenant tenant, Outbox outbox, TimeProvider clock, CancellationToken cancellationToken) =>
        MoveAsync(db, tenant, outbox, clock, id, OrderStatus.Cancelled, request?.Reason, request?.Metadata, cancellationToken);

    public static Task<Results<Ok<OrderResponse>, ApiError>> Fulfill(string id, OrderCoreDbContext db, CurrentTenant tenant, Outbox outbox,
        TimeProvider clock, CancellationToken cancellationToken) =>
        MoveAsync(db, tenant, outbox, clock, id, OrderStatus.Fulfilled, reason: null, metadata: null, cancellationToken);

    /// <summary>
    /// Applies one transition. The order row is locked first (<c>SELECT ... FOR UPDATE</c>) and held until
    /// the request's transaction ends, so transitions racing on one order run one after the other, each
    /// on the state the previous one left: a reservation is released or committed exactly once.
    /// </summary>
    private static async Task<Results<Ok<OrderResponse>, ApiError>> MoveAsync(OrderCoreDbContext db, CurrentTenant tenant, Outbox outbox,
        TimeProvider clock, string id, OrderStatus to, string? reason, JsonObject? metadata, CancellationToken cancellationToken)
    {
        var locked = await db.Database.SqlQuery<int>(
                $"SELECT 1 AS \"Value\" FROM orders WHERE tenant_id = {tenant.RequiredId} AND id = {id} FOR UPDATE")
            .ToListAsync(cancellationToken);
        if (locked.Count == 0)
        {
            return ApiError.NotFound($"No order with id {id}");
        }

        var order = await db.Orders.SingleAsync(o => o.Id == id, cancellationToken);
        if (!OrderLifecycle.CanMove(order.Status, to))
        {
            var allowed = OrderLifecycle.AllowedFrom(order.Status).Select(EnumText.Name).ToList();
            var next = allowed.Count == 0 ? "none (it is final)" : string.Join(", ", allowed);
            return ApiError.Conflict("invalid_state_transition",
                    $"Order {id} is {EnumText.Name(order.Status)}; it cannot become {EnumText.Name(to)}. Allowed next: {next}")
                .With("current_status", EnumText.Name(order.Status))
                .With("requested_status", EnumText.Name(to))
                .With("allowed_next", allowed);
        }

        var now = clock.GetUtcNow();
        if (to is OrderStatus.Cancelled or OrderStatus.Fulfilled)
        {
            var reservations = await db.InventoryReservations
                .Where(r => r.OrderId == id && r.Status == ReservationStatus.Active)
                .OrderBy(r => r.SkuId)
                .ToListAsync(cancellationToken);
            foreach (var reservation in reservations)
            {
                // The order lock does not cover the reservation itself: it may still be released directly
                // (POST /v1/inventory/release by id) between the read above and the claim below. The claim
                // (its status change) decides who settles it; when the release won, the reservation is
                // skipped exactly as if the read had already found it released.
                _ = to == OrderStatus.Cancelled
                    ? await StockReservations.ReleaseAsync(db, reservation, $"order {id} cancelled", now, cancellationToken)
                    : await StockReservations.CommitAsync(db, reservation, $"order {id} fulfilled", now, cancellationToken);
            }
        }

        order.StatusHistory.Add(new OrderStatusChange
        {
            OrderId = id, Sequence = order.StatusHistory.Count + 1, From = order.Status, To = to, At = now, Reason = reason, Metadata = metadata,
        });
        order.Status = to;
        order.UpdatedAt = now;
        order.EventSequence++;
        var body = OrderResponse.From(order);
        outbox.Add(OrderLifecycle.EventType(to), body, order.Id, order.EventSequence);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(body);
    }
}
