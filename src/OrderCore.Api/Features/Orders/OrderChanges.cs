namespace OrderCore.Api.Features.Orders;

/// <summary>
/// A change to an existing order, applied to the aggregate in memory and not yet saved: what
/// <see cref="IOrderChangeCheck"/>s see. <see cref="Db"/> is the change's own context and transaction, so rows a
/// check adds commit or roll back with the change.
/// </summary>
public sealed class OrderChange
{
    private readonly Order _order;
    private OrderResponse? _after;

    internal OrderChange(OrderCoreDbContext db, Order order, OrderResponse before, RaisedEvent raised)
    {
        Db = db;
        _order = order;
        Before = before;
        EventId = raised.Id;
        EventType = raised.Type;
        AdapterId = raised.AdapterId;
        At = raised.At;
    }

    public OrderCoreDbContext Db { get; }
    public string OrderId => _order.Id;

    /// <summary>The order as the API showed it before the change, and as it will show it after.</summary>
    public OrderResponse Before { get; }

    /// <summary>Built when first asked for: an order without hooks or notifications never needs it.</summary>
    public OrderResponse After => _after ??= OrderResponse.From(_order);

    /// <summary>The outbox event the change writes (<c>order.confirmed</c>, ...).</summary>
    public string EventId { get; }
    public string EventType { get; }

    /// <summary>The adapter whose request makes the change (<c>x-adapterid</c>), if any.</summary>
    public string? AdapterId { get; }
    public DateTimeOffset At { get; }

    /// <summary>The order as it will be stored (the row with its lines and status history), for consumers of the v0 shape.</summary>
    public JsonObject Stored() => JsonSerializer.SerializeToNode(_order, JsonDefaults.Options)!.AsObject();
}

/// <summary>
/// Orders' extension point for features above it (per-order hooks and notifications): called for every change to an
/// existing order, in its transaction, before it is saved. Throwing an <see cref="ApiException"/> refuses the change,
/// and nothing of it is written. Registered at startup with <see cref="OrderChangeCheckSetup.AddOrderChangeCheck{T}"/>.
/// </summary>
public interface IOrderChangeCheck
{
    Task BeforeSaveAsync(OrderChange change, CancellationToken cancellationToken);
}

/// <summary>The registered <see cref="IOrderChangeCheck"/>s, run in registration order by <see cref="OrderStatusChanges"/>.</summary>
public sealed class OrderChangeChecks(IEnumerable<IOrderChangeCheck> checks)
{
    private readonly IOrderChangeCheck[] _checks = checks.ToArray();

    internal bool Any => _checks.Length > 0;

    internal async Task RunAsync(OrderChange change, CancellationToken cancellationToken)
    {
        foreach (var check in _checks)
        {
            await check.BeforeSaveAsync(change, cancellationToken);
        }
    }
}

public static class OrderChangeCheckSetup
{
    public static IServiceCollection AddOrderChangeCheck<T>(this IServiceCollection services) where T : class, IOrderChangeCheck =>
        services.AddSingleton<IOrderChangeCheck, T>();
}
