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

internal static class OrderTransitions
{
    public static Task<Results<Ok<OrderResponse>, ApiError>> Confirm(string id, OrderCoreDbContext db, CurrentTenant tenant,
        TimeProvider clock, CancellationToken cancellationToken) =>
        MoveAsync(db, tenant, clock, id, OrderStatus.Confirmed, reason: null, metadata: null, cancellationToken);

    public static Task<Results<Ok<OrderResponse>, ApiError>> Cancel(string id, CancelOrderRequest? request, OrderCoreDbContext db,
        CurrentTenant tenant, TimeProvider clock, CancellationToken cancellationToken) =>
        MoveAsync(db, tenant, clock, id, OrderStatus.Cancelled, request?.Reason, request?.Metadata, cancellationToken);

    public static Task<Results<Ok<OrderResponse>, ApiError>> Fulfill(string id, OrderCoreDbContext db, CurrentTenant tenant,
        TimeProvider clock, CancellationToken cancellationToken) =>
        MoveAsync(db, tenant, clock, id, OrderStatus.Fulfilled, reason: null, metadata: null, cancellationToken);

    /// <summary>
    /// Applies one transition. The order row is locked first (<c>SELECT ... FOR UPDATE</c>) and held until
    /// the request's transaction ends, so transitions racing on one order run one after the other, each
    /// on the state the previous one left: a reservation is released or committed exactly once.
    /// </summary>
    private static async Task<Results<Ok<OrderResponse>, ApiError>> MoveAsync(OrderCoreDbContext db, CurrentTenant tenant,
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
        var now = clock.GetUtcNow();
        try
        {
            order.MoveTo(to, reason, metadata, now);
        }
        catch (InvalidOrderTransitionException refused)
        {
            var allowed = refused.AllowedNext.Select(EnumText.Name).ToList();
            var next = allowed.Count == 0 ? "none (it is final)" : string.Join(", ", allowed);
            return ApiError.Conflict("invalid_state_transition",
                    $"Order {id} is {EnumText.Name(refused.Current)}; it cannot become {EnumText.Name(to)}. Allowed next: {next}")
                .With("current_status", EnumText.Name(refused.Current))
                .With("requested_status", EnumText.Name(to))
                .With("allowed_next", allowed);
        }

        if (to is OrderStatus.Cancelled or OrderStatus.Fulfilled)
        {
            var fulfilled = to == OrderStatus.Fulfilled;
            await Stock.SettleOrderAsync(db, id, fulfilled, $"order {id} {(fulfilled ? "fulfilled" : "cancelled")}", now, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(OrderResponse.From(order));
    }
}
