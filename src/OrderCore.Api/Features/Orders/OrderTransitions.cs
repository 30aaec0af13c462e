using OrderCore.Api.Features.Inventory;

namespace OrderCore.Api.Features.Orders;

/// <summary>
/// The order state machine: <c>pending -> confirmed -> fulfilled</c>, and <c>pending | confirmed -> cancelled</c>.
/// </summary>
internal static class OrderLifecycle
{
    private static readonly Dictionary<OrderStatus, OrderStatus[]> Next = new()
    {
        [OrderStatus.Pending] = [OrderStatus.Confirmed, OrderStatus.Cancelled],
        [OrderStatus.Confirmed] = [OrderStatus.Fulfilled, OrderStatus.Cancelled],
        [OrderStatus.Fulfilled] = [],
        [OrderStatus.Cancelled] = [],
    };

    /// <summary>The events of an order's life, one per status it can reach.</summary>
    public const string Created = "order.created";
    public const string Confirmed = "order.confirmed";
    public const string Fulfilled = "order.fulfilled";
    public const string Cancelled = "order.cancelled";

    public static readonly string[] EventTypes = [Created, Confirmed, Fulfilled, Cancelled];

    public static IReadOnlyList<OrderStatus> AllowedFrom(OrderStatus status) => Next[status];

    public static bool CanMove(OrderStatus from, OrderStatus to) => Next[from].Contains(to);

    public static string EventType(OrderStatus to) => to switch
    {
        OrderStatus.Confirmed => Confirmed,
        OrderStatus.Fulfilled => Fulfilled,
        OrderStatus.Cancelled => Cancelled,
        _ => throw new ArgumentOutOfRangeException(nameof(to), to, "Orders are created pending; there is no transition to it."),
    };
}

internal sealed record CancelOrderRequest
{
    [Description("Why the order is cancelled (shown in status_history).")]
    public string? Reason { get; init; }

    public JsonObject? Metadata { get; init; }
}

internal sealed class CancelOrderValidator : AbstractValidator<CancelOrderRequest>
{
    public CancelOrderValidator()
    {
        RuleFor(r => r.Reason).MaximumLength(500).WithMessage("must be at most 500 characters");
        RuleFor(r => r.Metadata).SetValidator(new MetadataValidator()!);
    }
}

/// <summary>
/// The <c>x-adapterid</c> header: the adapter (integration) making the request. Its own hooks and notifications are not
/// triggered by the change, and the id is recorded on the status-history step and the outbox event.
/// </summary>
internal sealed record AdapterHeader
{
    public const string Name = "x-adapterid";

    [FromHeader(Name = Name)]
    [Description("The adapter making this change: its own hooks and notifications are not triggered; recorded on the status-history step and the event.")]
    public string? AdapterId { get; init; }
}

internal static class OrderTransitions
{
    public static Task<Results<Ok<OrderResponse>, ApiError>> Confirm(string id, [AsParameters] AdapterHeader adapter, OrderCoreDbContext db,
        OrderChangeChecks checks, CurrentTenant tenant, TimeProvider clock, CancellationToken cancellationToken) =>
        MoveAsync(db, checks, tenant, clock, id, OrderStatus.Confirmed, reason: null, metadata: null, adapter, cancellationToken);

    public static Task<Results<Ok<OrderResponse>, ApiError>> Cancel(string id, CancelOrderRequest? request, [AsParameters] AdapterHeader adapter,
        OrderCoreDbContext db, OrderChangeChecks checks, CurrentTenant tenant, TimeProvider clock, CancellationToken cancellationToken) =>
        MoveAsync(db, checks, tenant, clock, id, OrderStatus.Cancelled, request?.Reason, request?.Metadata, adapter, cancellationToken);

    public static Task<Results<Ok<OrderResponse>, ApiError>> Fulfill(string id, [AsParameters] AdapterHeader adapter, OrderCoreDbContext db,
        OrderChangeChecks checks, CurrentTenant tenant, TimeProvider clock, CancellationToken cancellationToken) =>
        MoveAsync(db, checks, tenant, clock, id, OrderStatus.Fulfilled, reason: null, metadata: null, adapter, cancellationToken);

    private static async Task<Results<Ok<OrderResponse>, ApiError>> MoveAsync(OrderCoreDbContext db, OrderChangeChecks checks, CurrentTenant tenant,
        TimeProvider clock, string id, OrderStatus to, string? reason, JsonObject? metadata, AdapterHeader adapter, CancellationToken cancellationToken)
    {
        if (adapter.AdapterId is { } adapterId && !Ids.IsWritable(adapterId))
        {
            return ApiError.Validation(AdapterHeader.Name, ClientIds.Rule);
        }

        try
        {
            return TypedResults.Ok(await OrderStatusChanges.MoveAsync(db, checks, tenant.RequiredId, id, to, reason, metadata, adapter.AdapterId,
                clock.GetUtcNow(), cancellationToken));
        }
        catch (ApiException refused)
        {
            return refused.Error;
        }
    }
}

/// <summary>
/// Orders' surface for changing an order's status: the confirm, cancel and fulfill routes and every other feature that
/// moves orders (connectors) go through it, so stock is released or committed one way.
/// </summary>
public static class OrderStatusChanges
{
    /// <summary>
    /// Applies one transition in the caller's transaction: cancelling releases the order's reservations, fulfilling
    /// commits them. Throws 404 <c>not_found</c> for an unknown order and 409 <c>invalid_state_transition</c> (with
    /// <c>current_status</c>) when the lifecycle does not allow it. The order row is locked first (<c>SELECT ... FOR
    /// UPDATE</c>) and held until the transaction ends, so transitions racing on one order run one after the other, each
    /// on the state the previous one left: a reservation is released or committed exactly once. Before the save, the
    /// <paramref name="checks"/> see the change (hooks may refuse it; notifications schedule their calls in it);
    /// <paramref name="adapterId"/> is the adapter making the change, if any.
    /// </summary>
    public static async Task<OrderResponse> MoveAsync(OrderCoreDbContext db, OrderChangeChecks checks, string tenantId, string id, OrderStatus to,
        string? reason, JsonObject? metadata, string? adapterId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var locked = await db.Database.SqlQuery<int>(
                $"SELECT 1 AS \"Value\" FROM orders WHERE tenant_id = {tenantId} AND id = {id} FOR UPDATE")
            .ToListAsync(cancellationToken);
        if (locked.Count == 0)
        {
            throw ApiError.NotFound($"No order with id {id}").ToException();
        }

        var order = await db.Orders.SingleAsync(o => o.Id == id, cancellationToken);
        var before = checks.Any ? OrderResponse.From(order) : null;
        try
        {
            order.MoveTo(to, reason, metadata, now, adapterId);
        }
        catch (InvalidOrderTransitionException refused)
        {
            var allowed = refused.AllowedNext.Select(EnumText.Name).ToList();
            var next = allowed.Count == 0 ? "none (it is final)" : string.Join(", ", allowed);
            throw ApiError.Conflict(InvalidTransition,
                    $"Order {id} is {EnumText.Name(refused.Current)}; it cannot become {EnumText.Name(to)}. Allowed next: {next}")
                .With("current_status", EnumText.Name(refused.Current))
                .With("requested_status", EnumText.Name(to))
                .With("allowed_next", allowed).ToException();
        }

        if (to is OrderStatus.Cancelled or OrderStatus.Fulfilled)
        {
            var fulfilled = to == OrderStatus.Fulfilled;
            await Stock.SettleOrderAsync(db, id, fulfilled, $"order {id} {(fulfilled ? "fulfilled" : "cancelled")}", now, cancellationToken);
        }

        if (before is not null)
        {
            await checks.RunAsync(new OrderChange(db, order, before, order.RaisedEvents()[^1]), cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        return OrderResponse.From(order);
    }

    /// <summary>The error code of a transition the lifecycle does not allow.</summary>
    public static readonly string InvalidTransition = "invalid_state_transition";
}
