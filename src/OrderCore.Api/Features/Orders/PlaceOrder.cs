using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OrderCore.Api.Features.Inventory;
using OrderCore.Api.Platform.Auth;
using OrderCore.Api.Platform.Events;
using OrderCore.Api.Platform.Identifiers;
using OrderCore.Api.Platform.Observability;
using OrderCore.Api.Platform.Persistence;
using OrderCore.Api.Platform.Validation;

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

    [Description("Body form of the Idempotency-Key header.")]
    public string? IdempotencyKey { get; init; }
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

public sealed partial class PlaceOrderValidator : AbstractValidator<PlaceOrderRequest>
{
    public const int MaxItems = 100;
    public const int MaxQuantity = 1_000_000;

    public PlaceOrderValidator()
    {
        RuleFor(r => r.Items)
            .NotNull().WithMessage("is required")
            .Must(items => items is { Count: > 0 }).WithMessage("must contain at least one item")
            .Must(items => items is not { Count: > MaxItems }).WithMessage($"must contain at most {MaxItems} items");
        RuleForEach(r => r.Items).ChildRules(item =>
        {
            item.RequireOneOf("sku_id", i => i.SkuId, "sku_code", i => i.SkuCode);
            item.RuleFor(i => i.Quantity)
                .NotNull().WithMessage("is required")
                .GreaterThan(0).WithMessage("must be greater than 0")
                .LessThanOrEqualTo(MaxQuantity).WithMessage($"must be at most {MaxQuantity}");
        });
        RuleFor(r => r.Currency)
            .ValidCurrency();
        RuleFor(r => r.CustomerId).MaximumLength(128).WithMessage("must be at most 128 characters");
        RuleFor(r => r.MerchantReferenceId)
            .Must(r => r is null || MerchantReference.IsValid(r))
            .WithMessage("must be 1 to 128 characters of [a-zA-Z0-9._:-]");
        RuleFor(r => r.Metadata).SetValidator(new MetadataValidator()!);
        RuleFor(r => r.Channel).MaximumLength(128).WithMessage("must be at most 128 characters");
        RuleFor(r => r.SourcePlatform).MaximumLength(128).WithMessage("must be at most 128 characters");
        RuleFor(r => r.Payment!.Provider).NotEmpty().WithMessage("is required with payment").MaximumLength(64)
            .WithMessage("must be at most 64 characters").When(r => r.Payment is not null);
        RuleFor(r => r.Payment!.Reference).MaximumLength(255).WithMessage("must be at most 255 characters").When(r => r.Payment is not null);
    }
}

public static partial class MerchantReference
{
    public static bool IsValid(string value) => Pattern().IsMatch(value);

    [GeneratedRegex("^[a-zA-Z0-9._:-]{1,128}$")]
    private static partial Regex Pattern();
}

/// <summary>Metadata is a JSON object of at most 50 keys and 8 KiB (of compact UTF-8 JSON).</summary>
public sealed class MetadataValidator : AbstractValidator<JsonObject>
{
    public const int MaxKeys = 50;
    public const int MaxBytes = 8 * 1024;

    // Only for measuring: the default encoder would \u-escape every non-ASCII and HTML-sensitive character
    // (6 bytes each), so "8 KiB" of Japanese text would really be about 4. This one writes them as UTF-8;
    // only characters outside the BMP (emoji) are still escaped, and count 12 bytes instead of 4.
    private static readonly JsonSerializerOptions Measuring = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public MetadataValidator()
    {
        RuleFor(m => m.Count).LessThanOrEqualTo(MaxKeys).WithMessage($"must have at most {MaxKeys} keys")
            .OverridePropertyName("");
        RuleFor(m => Encoding.UTF8.GetByteCount(m.ToJsonString(Measuring))).LessThanOrEqualTo(MaxBytes)
            .WithMessage($"must be at most {MaxBytes} bytes as JSON")
            .OverridePropertyName("");
    }
}

public static class PlaceOrder
{
    /// <summary>
    /// Prices the lines, reserves stock for every tracked line at the default location, and stores the
    /// order, all in the request's transaction: either everything happens or nothing does.
    /// </summary>
    public static async Task<Created<OrderResponse>> Handle(PlaceOrderRequest request, OrderCoreDbContext db, CurrentTenant tenant,
        Outbox outbox, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var priced = await OrderPricing.PriceAsync(db, request, now, cancellationToken);
        var orderId = Ids.New(Ids.Order);

        var tracked = priced.Lines.Where(l => l.Sku.TrackInventory).Select(l => new StockRequest(l.Sku.Id, l.Sku.SkuCode, l.Quantity)).ToList();
        if (tracked.Count > 0)
        {
            var locationId = await db.Locations.Where(l => l.IsDefault).Select(l => l.Id).FirstOrDefaultAsync(cancellationToken)
                ?? throw StockReservations.InsufficientStock(tracked[0], null, 0).ToException();
            await StockReservations.ReserveAsync(db, locationId, tracked, new ReservationTerms(OrderId: orderId), now, cancellationToken);
        }

        var order = new Order
        {
            Id = orderId,
            Number = await NextOrderNumberAsync(db, tenant.RequiredId, cancellationToken),
            CustomerId = request.CustomerId,
            Currency = priced.Currency,
            MerchantReferenceId = request.MerchantReferenceId,
            PaymentProvider = request.Payment?.Provider,
            PaymentReference = request.Payment?.Reference,
            Channel = request.Channel,
            SourcePlatform = request.SourcePlatform,
            Metadata = request.Metadata,
            Subtotal = priced.Subtotal,
            Total = priced.Total,
            CreatedAt = now,
            UpdatedAt = now,
            Lines = priced.Lines.Select(l => new OrderLine
            {
                Id = Ids.New(Ids.OrderLine),
                OrderId = orderId,
                Position = l.Position,
                SkuId = l.Sku.Id,
                SkuCode = l.Sku.SkuCode,
                ProductId = l.Product.Id,
                ProductName = l.Product.Name,
                Quantity = l.Quantity,
                UnitPrice = l.UnitPrice,
                LineTotal = l.LineTotal,
            }).ToList(),
            StatusHistory = [new OrderStatusChange { OrderId = orderId, Sequence = 1, To = OrderStatus.Pending, At = now }],
        };
        db.Orders.Add(order);
        var body = OrderResponse.From(order);
        order.EventSequence = 1;
        outbox.Add(EventTypes.OrderCreated, body, order.Id, order.EventSequence);
        await db.SaveChangesAsync(cancellationToken);
        OrderCoreTelemetry.OrderCreated();
        return TypedResults.Created($"/v1/orders/{order.Id}", body);
    }

    /// <summary>
    /// The tenant's next number from its own sequence (<c>next_order_number</c>, created by the
    /// OrderNumberSequences migration): unique and increasing per tenant. <c>nextval</c> holds no lock
    /// until commit, so orders of one tenant do not queue behind each other; the price is that a failed or
    /// rolled-back order leaves a gap (<c>nextval</c> is never rolled back). Taken after stock is reserved,
    /// so the commonest refusal, insufficient stock, uses no number.
    /// </summary>
    private static async Task<long> NextOrderNumberAsync(OrderCoreDbContext db, string tenantId, CancellationToken cancellationToken)
    {
        var numbers = await db.Database.SqlQuery<long>($"SELECT next_order_number({tenantId}) AS \"Value\"").ToListAsync(cancellationToken);
        return numbers.Single();
    }

    /// <summary>
    /// Creates the tenant's order-number sequence when the tenant is provisioned. <c>next_order_number</c>
    /// would create it on the first order too, but racing first orders then queue on an advisory lock
    /// until the creating order commits; this way that is only the fallback (tenants from before the
    /// sequences, or a sequence dropped by hand).
    /// </summary>
    public static async Task CreateOrderNumberSequenceAsync(OrderCoreDbContext db, string tenantId, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlAsync($"SELECT create_order_number_sequence({tenantId})", cancellationToken);
}
