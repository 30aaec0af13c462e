using OrderCore.Api.Features.Inventory;

namespace OrderCore.Api.Features.Orders;

public sealed record PlaceOrderRequest
{
    [Description("Optional customer (cust_... or a client-chosen id).")]
    public string? CustomerId { get; init; }

    [Required]
    [Description("1 to 100 lines.")]
    public List<OrderItemRequest>? Items { get; init; }

    [Description("ISO 4217 code; USD when omitted.")]
    public string? Currency { get; init; }

    [Description("Your own reference (lead, cart, ...): at most 128 characters of [a-zA-Z0-9._:-].")]
    public string? MerchantReferenceId { get; init; }

    [Description("Free-form JSON object: at most 50 keys and 8 KiB.")]
    public JsonObject? Metadata { get; init; }

    [Description("How the order was paid, as your payment provider knows it.")]
    public PaymentRequest? Payment { get; init; }

    [Description("Sales channel the order came from, e.g. web-storefront.")]
    public string? Channel { get; init; }

    [Description("Upstream platform, e.g. shopify.")]
    public string? SourcePlatform { get; init; }
}

public sealed record PaymentRequest
{
    [Description("Payment provider, e.g. stripe, adyen or paypal.")]
    public string? Provider { get; init; }

    [Description("The provider's reference, e.g. Stripe's pi_....")]
    public string? Reference { get; init; }
}

public sealed record OrderItemRequest
{
    [Description("The SKU by id (sku_...); or give sku_code.")]
    public string? SkuId { get; init; }

    [Description("The SKU by its code; or give sku_id.")]
    public string? SkuCode { get; init; }

    [Required]
    [Description("At least 1.")]
    public int? Quantity { get; init; }
}

internal sealed partial class PlaceOrderValidator : AbstractValidator<PlaceOrderRequest>
{
    public const int MaxItems = 100;

    public PlaceOrderValidator()
    {
        RuleFor(r => r.Items)
            .NotNull().WithMessage("is required")
            .Must(items => items is { Count: > 0 }).WithMessage("must contain at least one item")
            .Must(items => items is not { Count: > MaxItems }).WithMessage($"must contain at most {MaxItems} items");
        RuleForEach(r => r.Items).ChildRules(item =>
        {
            item.RequireOneOf("sku_id", i => i.SkuId, "sku_code", i => i.SkuCode);
            item.RuleFor(i => i.Quantity).ValidQuantity();
        });
        RuleFor(r => r.Currency)
            .ValidCurrency();
        RuleFor(r => r.CustomerId).MaximumLength(128).WithMessage("must be at most 128 characters");
        RuleFor(r => r.MerchantReferenceId)
            .ValidMerchantReference();
        RuleFor(r => r.Metadata).SetValidator(new MetadataValidator()!);
        RuleFor(r => r.Channel).MaximumLength(128).WithMessage("must be at most 128 characters");
        RuleFor(r => r.SourcePlatform).MaximumLength(128).WithMessage("must be at most 128 characters");
        RuleFor(r => r.Payment!.Provider).NotEmpty().WithMessage("is required with payment").MaximumLength(64)
            .WithMessage("must be at most 64 characters").When(r => r.Payment is not null);
        RuleFor(r => r.Payment!.Reference).MaximumLength(255).WithMessage("must be at most 255 characters").When(r => r.Payment is not null);
    }
}

internal static class PlaceOrder
{
    /// <summary>Places the order; the request's unit of work saves it, with the stored answer of an idempotent request, and commits.</summary>
    public static async Task<Created<OrderResponse>> Handle(PlaceOrderRequest request, OrderCoreDbContext db, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var order = await OrderPlacement.PlaceAsync(db, request, clock.GetUtcNow(), cancellationToken);
        return TypedResults.Created($"/v1/orders/{order.Id}", order);
    }
}

/// <summary>
/// Orders' surface for creating an order: <c>POST /v1/orders</c> and every other feature that makes orders
/// (checkout, connectors) go through it, so an order is priced, reserved, numbered and announced one way.
/// </summary>
public static class OrderPlacement
{
    /// <summary>
    /// Prices the lines, reserves stock for every tracked line at the default location, and stores the order
    /// with its <c>order.created</c> event, all in the caller's transaction: either everything happens or
    /// nothing does. Answers the order as <c>GET /v1/orders/{id}</c> shows it.
    /// </summary>
    public static Task<OrderResponse> PlaceAsync(OrderCoreDbContext db, PlaceOrderRequest request, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        PlaceAsync(db, request, upstream: null, now, cancellationToken);

    /// <summary>
    /// As above, for an order another platform already sold (<paramref name="upstream"/>, e.g. a Shopify order): its unit
    /// prices replace the price resolver's, its total is the order's, and stock is held at its location.
    /// </summary>
    public static async Task<OrderResponse> PlaceAsync(OrderCoreDbContext db, PlaceOrderRequest request,
        UpstreamOrderTerms? upstream, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var priced = await OrderPricing.PriceAsync(db, request, upstream?.UnitPrices, now, cancellationToken);
        if (upstream is not null)
        {
            priced = priced with { Total = Platform.Money.Currency.Round(upstream.Total, priced.Currency) };
        }

        return await StoreAsync(db, request, priced, heldReservationIds: null, upstream?.LocationId, now, cancellationToken);
    }

    /// <summary>
    /// Stores an order of lines priced by <see cref="OrderPricing.PriceAsync(OrderCoreDbContext, PlaceOrderRequest, DateTimeOffset, CancellationToken)"/>
    /// at whatever instant the caller priced them (a checkout session's). Its <paramref name="heldReservationIds"/> (made for
    /// exactly these lines) become the order's, and 409 <c>reservations_lost</c> when one of them is no longer active.
    /// </summary>
    public static Task<OrderResponse> PlaceAsync(OrderCoreDbContext db, PlaceOrderRequest request, PricedOrder priced,
        IReadOnlyCollection<string> heldReservationIds, DateTimeOffset now, CancellationToken cancellationToken) =>
        StoreAsync(db, request, priced, heldReservationIds, locationId: null, now, cancellationToken);

    /// <summary>
    /// The one way an order is stored: stock (held reservations handed over, or every tracked line reserved now at the
    /// location, the default one unless given), the tenant's next number, the aggregate with its <c>order.created</c>.
    /// Reservation and number take one round trip together; the rows are written by the caller's next save, in the one
    /// batch of inserts of its unit of work (the request's is saved by the idempotency filter, with the stored answer).
    /// </summary>
    private static async Task<OrderResponse> StoreAsync(OrderCoreDbContext db, PlaceOrderRequest request, PricedOrder priced,
        IReadOnlyCollection<string>? heldReservationIds, string? locationId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var orderId = Ids.New(Ids.Order);
        if (heldReservationIds is not null)
        {
            await Stock.TransferToOrderAsync(db, heldReservationIds, orderId, now, cancellationToken);
        }

        var batch = new SqlBatch(db);
        var reservation = heldReservationIds is null
            ? Stock.ReserveForOrder(batch, db, orderId, priced.StockNeeded, locationId ?? priced.DefaultLocationId, now)
            : null;
        var number = OrderNumbers.Next(batch);
        await batch.ExecuteAsync(cancellationToken);
        reservation?.Confirm();

        var details = new OrderDetails(request.CustomerId, request.MerchantReferenceId, request.Payment?.Provider, request.Payment?.Reference,
            request.Channel, request.SourcePlatform, request.Metadata);
        var order = Order.Place(orderId, number.Value.Single(), priced, details, now);
        db.Orders.Add(order);
        OrderCoreTelemetry.OrderCreated();
        // The very object order.created carries: built once, and an idempotent answer of it is stored as that event.
        return (OrderResponse)order.RaisedEvents()[^1].Data;
    }
}

/// <summary>
/// What another platform already decided about an order it sold: the unit price it charged for each request line (same
/// order as <see cref="PlaceOrderRequest.Items"/>), the total it charged (taxes and shipping included), and the location
/// whose stock the order holds (null: the default location).
/// </summary>
public sealed record UpstreamOrderTerms(IReadOnlyList<decimal> UnitPrices, decimal Total, string? LocationId);
