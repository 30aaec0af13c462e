using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using OrderCore.Api.Features.Customers;

namespace OrderCore.Api.Features.Orders;

public enum OrderStatus
{
    Pending,
    Confirmed,
    Fulfilled,
    Cancelled,
}

/// <summary>What the caller decides about a new order; prices and lines come from <see cref="OrderPricing"/>.</summary>
public sealed record OrderDetails(
    string? CustomerId,
    string? MerchantReferenceId,
    string? PaymentProvider,
    string? PaymentReference,
    string? Channel,
    string? SourcePlatform,
    JsonObject? Metadata);

/// <summary>An order that asked for a status its current one cannot move to.</summary>
public sealed class InvalidOrderTransitionException(string orderId, OrderStatus current, OrderStatus requested)
    : InvalidOperationException($"Order {orderId} is {current}; it cannot become {requested}")
{
    public OrderStatus Current { get; } = current;
    public OrderStatus Requested { get; } = requested;
    public IReadOnlyList<OrderStatus> AllowedNext => OrderLifecycle.AllowedFrom(Current);
}

/// <summary>
/// An order, the aggregate of its lines and status history. It is created by <see cref="Place"/> and changes
/// status only through <see cref="MoveTo"/>, which enforces the <see cref="OrderLifecycle"/> and records the step;
/// both raise the order's event (<c>order.created</c>, <c>order.confirmed</c>, ...), which the save writes to the outbox.
/// </summary>
public sealed class Order : Aggregate, ITenantOwned, IHasId
{
    private IReadOnlyList<OrderLine> _lines = [];
    private readonly List<OrderStatusChange> _transitions = [];

    private Order()
    {
    }

    public string TenantId { get; set; } = "";
    public string Id { get; private set; } = "";

    /// <summary>
    /// Unique and increasing per tenant, from the tenant's sequence (<c>next_order_number</c>); a failed or
    /// rolled-back order leaves a gap. Shown as <c>OC-000123</c>.
    /// </summary>
    public long Number { get; private set; }
    public OrderStatus Status { get; private set; } = OrderStatus.Pending;
    public string? CustomerId { get; private set; }
    public string Currency { get; private set; } = "";
    public string? MerchantReferenceId { get; private set; }

    /// <summary>Payment provider (stripe, adyen, paypal, ...) and its reference (e.g. pi_...), as the merchant reports them.</summary>
    public string? PaymentProvider { get; private set; }
    public string? PaymentReference { get; private set; }

    /// <summary>Sales channel (e.g. web-storefront) and upstream platform (e.g. shopify).</summary>
    public string? Channel { get; private set; }
    public string? SourcePlatform { get; private set; }
    public JsonObject? Metadata { get; private set; }

    /// <summary>The sequence number of the latest event about this order (1 for order.created).</summary>
    public int EventSequence { get; private set; }
    public decimal Subtotal { get; private set; }
    public decimal Total { get; private set; }
    public IReadOnlyList<OrderLine> Lines => _lines;
    /// <summary>
    /// Every step of the order's life: its creation (step 1, <c>from</c> null, at <see cref="CreatedAt"/>: not stored, since
    /// the order row already says it) followed by the stored <see cref="Transitions"/>.
    /// </summary>
    public IReadOnlyList<OrderStatusChange> StatusHistory =>
        [new OrderStatusChange { TenantId = TenantId, OrderId = Id, Sequence = 1, To = OrderStatus.Pending, At = CreatedAt }, .. _transitions];

    /// <summary>The stored steps after creation (sequence 2 on), one row each.</summary>
    public IReadOnlyList<OrderStatusChange> Transitions => _transitions;
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    public string OrderNumber => FormatNumber(Number);

    public static string FormatNumber(long number) => $"OC-{number:D6}";

    /// <summary>A new pending order of the priced lines; raises <c>order.created</c>.</summary>
    public static Order Place(string id, long number, PricedOrder priced, OrderDetails details, DateTimeOffset now)
    {
        var order = new Order
        {
            Id = id,
            Number = number,
            CustomerId = priced.CustomerId,
            Currency = priced.Currency,
            MerchantReferenceId = details.MerchantReferenceId,
            PaymentProvider = details.PaymentProvider,
            PaymentReference = details.PaymentReference,
            Channel = details.Channel,
            SourcePlatform = details.SourcePlatform,
            Metadata = details.Metadata,
            Subtotal = priced.Subtotal,
            Total = priced.Total,
            CreatedAt = now,
            UpdatedAt = now,
        };
        order._lines = priced.Lines.Select(l => new OrderLine
        {
            Id = Ids.New(Ids.OrderLine),
            Position = l.Position,
            SkuId = l.Sku.Id,
            SkuCode = l.Sku.SkuCode,
            ProductId = l.Product.Id,
            ProductName = l.Product.Name,
            Quantity = l.Quantity,
            UnitPrice = l.UnitPrice,
            LineTotal = l.LineTotal,
        }).ToList();
        order.RaiseChange(OrderLifecycle.Created, now);
        return order;
    }

    /// <summary>
    /// Moves to <paramref name="to"/> if the lifecycle allows it from the current status (otherwise
    /// <see cref="InvalidOrderTransitionException"/>, and nothing changes), records the step and raises its event.
    /// </summary>
    public void MoveTo(OrderStatus to, string? reason, JsonObject? metadata, DateTimeOffset now, string? adapterId = null)
    {
        if (!OrderLifecycle.CanMove(Status, to))
        {
            throw new InvalidOrderTransitionException(Id, Status, to);
        }

        _transitions.Add(new OrderStatusChange
        {
            OrderId = Id, Sequence = _transitions.Count + 2, From = Status, To = to, At = now, Reason = reason, Metadata = metadata,
            AdapterId = adapterId,
        });
        Status = to;
        UpdatedAt = now;
        RaiseChange(OrderLifecycle.EventType(to), now, adapterId);
    }

    private void RaiseChange(string type, DateTimeOffset now, string? adapterId = null)
    {
        EventSequence++;
        Raise(new RaisedEvent(type, OrderResponse.From(this), Id, EventSequence, now, adapterId));
    }
}

/// <summary>One step of an order's life: creation (<c>from</c> null; never stored, see <see cref="Order.StatusHistory"/>) or a transition.</summary>
public sealed class OrderStatusChange : ITenantOwned
{
    public string TenantId { get; set; } = "";
    public required string OrderId { get; init; }
    public int Sequence { get; init; }
    public OrderStatus? From { get; init; }
    public OrderStatus To { get; init; }
    public DateTimeOffset At { get; init; }
    public string? Reason { get; init; }
    public JsonObject? Metadata { get; init; }

    /// <summary>The adapter whose request made the step (<c>x-adapterid</c>), if any.</summary>
    public string? AdapterId { get; init; }
}

/// <summary>
/// A line of an order. SKU code, product name and price are copied at creation: later catalog edits never change an order.
/// Lines never change after creation, so they live in the order's row (a JSON column, as a checkout session's do), not as
/// rows of their own.
/// </summary>
public sealed class OrderLine
{
    // These names are the keys of the stored JSON (the lines column): renaming one loses that value in every stored order.
    public required string Id { get; init; }
    public int Position { get; init; }
    public required string SkuId { get; init; }
    public required string SkuCode { get; init; }
    public required string ProductId { get; init; }
    public required string ProductName { get; init; }
    public int Quantity { get; init; }
    public decimal UnitPrice { get; init; }
    public decimal LineTotal { get; init; }
}

internal sealed class OrderConfiguration : IEntityTypeConfiguration<Order>
{
    public void Configure(EntityTypeBuilder<Order> builder)
    {
        builder.ToTenantTable("orders");
        builder.Property(o => o.Status).HasConversion<SnakeCaseEnumConverter<OrderStatus>>().HasMaxLength(16);
        builder.Property(o => o.Currency).HasMaxLength(3).IsFixedLength();
        builder.Property(o => o.MerchantReferenceId).HasMaxLength(128).UseCollation("C");
        builder.Property(o => o.Metadata).HasJsonbObject();
        builder.Property(o => o.PaymentProvider).HasMaxLength(64);
        builder.Property(o => o.PaymentReference).HasMaxLength(255);
        builder.Property(o => o.Channel).HasMaxLength(128);
        builder.Property(o => o.SourcePlatform).HasMaxLength(128);
        builder.Property(o => o.Subtotal).HasPrecision(19, 4);
        builder.Property(o => o.Total).HasPrecision(19, 4);
        builder.Ignore(o => o.OrderNumber);
        builder.HasIndex(o => new { o.TenantId, o.Number }).IsUnique();
        builder.HasIndex(o => new { o.TenantId, o.Status, o.Id });
        // Only orders of a customer are found by customer: the others need no entry.
        builder.HasIndex(o => new { o.TenantId, o.CustomerId, o.Id }).HasFilter("customer_id IS NOT NULL");
        builder.HasIndex(o => new { o.TenantId, o.MerchantReferenceId, o.Id });
        builder.HasOne<Customer>().WithMany().HasForeignKey(o => new { o.TenantId, o.CustomerId }).OnDelete(DeleteBehavior.Restrict);
        builder.Property(o => o.Lines).HasField("_lines").HasJsonValue(OrderLinesJson.TypeInfo);
        builder.Ignore(o => o.StatusHistory);
        builder.HasMany(o => o.Transitions).WithOne().HasForeignKey(c => new { c.TenantId, c.OrderId }).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(o => o.Transitions).AutoInclude().HasField("_transitions");
    }
}

internal sealed class OrderStatusChangeConfiguration : IEntityTypeConfiguration<OrderStatusChange>
{
    public void Configure(EntityTypeBuilder<OrderStatusChange> builder)
    {
        builder.ToTable("order_status_changes");
        builder.HasKey(c => new { c.TenantId, c.OrderId, c.Sequence });
        builder.Property(c => c.From).HasConversion<SnakeCaseEnumConverter<OrderStatus>>().HasMaxLength(16);
        builder.Property(c => c.To).HasConversion<SnakeCaseEnumConverter<OrderStatus>>().HasMaxLength(16);
        builder.Property(c => c.Reason).HasMaxLength(500);
        builder.Property(c => c.AdapterId).HasMaxLength(128);
        builder.Property(c => c.Metadata).HasJsonbObject();
    }
}

internal static class OrderTables
{
    extension(OrderCoreDbContext db)
    {
        public DbSet<Order> Orders => db.Set<Order>();
    }
}

/// <summary>The <c>lines</c> column's JSON (<see cref="JsonObjectMapping.HasJsonValue"/>) and the pattern that finds a product's lines in it.</summary>
internal static partial class OrderLinesJson
{
    public static JsonTypeInfo<IReadOnlyList<OrderLine>> TypeInfo => OrderLinesJsonContext.Default.IReadOnlyListOrderLine;

    /// <summary>A containment pattern matching the lines of <paramref name="productId"/> (<c>lines @&gt; pattern</c>).</summary>
    public static string ProductPattern(string productId) =>
        JsonSerializer.Serialize([new OrderLinePattern(productId)], OrderLinesJsonContext.Default.OrderLinePatternArray);

    internal sealed record OrderLinePattern(string ProductId);

    [JsonSerializable(typeof(IReadOnlyList<OrderLine>))]
    [JsonSerializable(typeof(OrderLinePattern[]))]
    internal sealed partial class OrderLinesJsonContext : JsonSerializerContext;
}
