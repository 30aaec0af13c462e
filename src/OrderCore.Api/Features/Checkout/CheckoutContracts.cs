using OrderCore.Api.Features.Orders;

namespace OrderCore.Api.Features.Checkout;

internal sealed record CheckoutSessionRequest
{
    [Description("Optional on update; when given it must be the session's id.")]
    public string? Id { get; init; }

    [Description("The lines; a PUT replaces them all. 1 to 100.")]
    public List<LineItemRequest>? LineItems { get; init; }

    [Description("ISO 4217 code; USD when omitted.")]
    public string? Currency { get; init; }

    public BuyerRequest? Buyer { get; init; }

    [Description("Your own reference (lead, cart, ...): at most 128 characters of [a-zA-Z0-9._:-].")]
    public string? MerchantReferenceId { get; init; }

    [Description("UCP payment object; optional and ignored here (OrderCore fills it).")]
    public JsonObject? Payment { get; init; }
}

internal sealed record LineItemRequest
{
    [Description("Optional line id (ignored; OrderCore numbers the lines).")]
    public string? Id { get; init; }

    public ItemRequest? Item { get; init; }

    public int? Quantity { get; init; }
}

internal sealed record ItemRequest
{
    [Description("A sku_id (sku_...) or a sku_code.")]
    public string? Id { get; init; }
}

internal sealed record BuyerRequest
{
    public string? Email { get; init; }
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? PhoneNumber { get; init; }
}

internal sealed class CheckoutSessionRequestValidator : AbstractValidator<CheckoutSessionRequest>
{
    public CheckoutSessionRequestValidator()
    {
        RuleFor(r => r.LineItems)
            .NotNull().WithMessage("is required")
            .Must(items => items is { Count: > 0 }).WithMessage("must contain at least one item")
            .Must(items => items is not { Count: > PlaceOrderValidator.MaxItems }).WithMessage($"must contain at most {PlaceOrderValidator.MaxItems} items");
        RuleForEach(r => r.LineItems).ChildRules(line =>
        {
            line.RuleFor(l => l.Item).NotNull().WithMessage("is required");
            line.RuleFor(l => l.Item!.Id).NotEmpty().WithMessage("is required").MaximumLength(128).WithMessage("must be at most 128 characters")
                .When(l => l.Item is not null);
            line.RuleFor(l => l.Quantity)
                .NotNull().WithMessage("is required")
                .GreaterThan(0).WithMessage("must be greater than 0")
                .LessThanOrEqualTo(SharedRules.MaxQuantity).WithMessage($"must be at most {SharedRules.MaxQuantity}");
        });
        RuleFor(r => r.Currency).ValidCurrency();
        RuleFor(r => r.MerchantReferenceId)
            .Must(r => r is null || MerchantReference.IsValid(r))
            .WithMessage("must be 1 to 128 characters of [a-zA-Z0-9._:-]");
        RuleFor(r => r.Buyer!.Email).EmailAddress().WithMessage("must be an email address").MaximumLength(320).When(r => r.Buyer is not null);
        RuleFor(r => r.Buyer!.FirstName).MaximumLength(200).WithMessage("must be at most 200 characters").When(r => r.Buyer is not null);
        RuleFor(r => r.Buyer!.LastName).MaximumLength(200).WithMessage("must be at most 200 characters").When(r => r.Buyer is not null);
        RuleFor(r => r.Buyer!.PhoneNumber).MaximumLength(40).WithMessage("must be at most 40 characters").When(r => r.Buyer is not null);
    }
}

internal sealed record CompleteCheckoutRequest
{
    public PaymentDataRequest? PaymentData { get; init; }
}

internal sealed record PaymentDataRequest
{
    [Description("card (a Stripe PaymentIntent) or test (only with Checkout:AllowTestPayments).")]
    public string? HandlerId { get; init; }

    [Description("The PaymentIntent (pi_...) the buyer confirmed; required with handler card.")]
    public string? PaymentIntentId { get; init; }
}

internal sealed class CompleteCheckoutRequestValidator : AbstractValidator<CompleteCheckoutRequest>
{
    public CompleteCheckoutRequestValidator()
    {
        RuleFor(r => r.PaymentData).NotNull().WithMessage("is required");
        RuleFor(r => r.PaymentData!.HandlerId).Must(h => h is PaymentHandlers.Card or PaymentHandlers.Test)
            .WithMessage($"must be {PaymentHandlers.Card} or {PaymentHandlers.Test}").When(r => r.PaymentData is not null);
        RuleFor(r => r.PaymentData!.PaymentIntentId).NotEmpty().WithMessage("is required with handler card").MaximumLength(255)
            .When(r => r.PaymentData?.HandlerId == PaymentHandlers.Card);
    }
}

internal static class PaymentHandlers
{
    public const string Card = "card";
    public const string Test = "test";
}

internal sealed record UcpCapability(string Name, string Version);

internal sealed record UcpEnvelope(string Version, IReadOnlyList<UcpCapability> Capabilities)
{
    public const string ProtocolVersion = "2026-01-11";
    public const string CheckoutCapability = "dev.ucp.shopping.checkout";

    public static readonly UcpEnvelope Checkout = new(ProtocolVersion, [new UcpCapability(CheckoutCapability, ProtocolVersion)]);
}

/// <summary>UCP amounts are integers in the currency's minor units (USD cents, JPY yen).</summary>
internal sealed record UcpTotal(string Type, long Amount);

internal sealed record UcpItem(string Id, string SkuCode, string Title, [property: Description("Unit price in minor units.")] long Price);

internal sealed record UcpLineItem(string Id, UcpItem Item, int Quantity, IReadOnlyList<UcpTotal> Totals);

internal sealed record UcpBuyer(string? Email, string? FirstName, string? LastName, string? PhoneNumber);

internal sealed record UcpMessage(string Type, string Code, string Content, string? Path, string? Severity);

internal sealed record UcpPaymentHandler(string Id, string Name);

internal sealed record CheckoutPayment(IReadOnlyList<UcpPaymentHandler> Handlers, string? PaymentIntentId, string? Provider, string? Reference);

internal sealed record CheckoutOrder(string Id, string OrderNumber);

/// <summary>OrderCore's decimal amounts (minor-unit precision), for merchants reading sessions through /v1.</summary>
internal sealed record DecimalTotals(decimal Subtotal, decimal Total);

internal sealed record CheckoutSessionResponse(
    UcpEnvelope Ucp,
    string Id,
    CheckoutStatus Status,
    string Currency,
    IReadOnlyList<UcpLineItem> LineItems,
    UcpBuyer? Buyer,
    IReadOnlyList<UcpTotal> Totals,
    DecimalTotals OrdercoreTotals,
    IReadOnlyList<UcpMessage> Messages,
    CheckoutPayment Payment,
    string? MerchantReferenceId,
    CheckoutOrder? Order,
    DateTimeOffset ExpiresAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? CompletedAt)
{
    public static CheckoutSessionResponse From(CheckoutSession session, IReadOnlyList<UcpPaymentHandler> handlers)
    {
        var currency = session.Currency;
        var lines = session.Lines.Select((l, i) => new UcpLineItem(
            $"li_{i + 1}",
            new UcpItem(l.SkuId, l.SkuCode, l.Title, Minor(l.UnitPrice, currency)),
            l.Quantity,
            [new UcpTotal("subtotal", Minor(l.LineTotal, currency)), new UcpTotal("total", Minor(l.LineTotal, currency))])).ToList();
        var buyer = session.BuyerEmail is null && session.BuyerFirstName is null && session.BuyerLastName is null && session.BuyerPhoneNumber is null
            ? null
            : new UcpBuyer(session.BuyerEmail, session.BuyerFirstName, session.BuyerLastName, session.BuyerPhoneNumber);
        return new CheckoutSessionResponse(
            UcpEnvelope.Checkout,
            session.Id,
            session.Status,
            currency,
            lines,
            buyer,
            [new UcpTotal("subtotal", Minor(session.Subtotal, currency)), new UcpTotal("total", Minor(session.Total, currency))],
            new DecimalTotals(Money.Round(session.Subtotal, currency), Money.Round(session.Total, currency)),
            MessagesOf(session),
            new CheckoutPayment(handlers, session.PaymentIntentId, session.PaymentProvider, session.PaymentReference),
            session.MerchantReferenceId,
            session.OrderId is null ? null : new CheckoutOrder(session.OrderId, session.OrderNumber ?? ""),
            session.ExpiresAt,
            session.CreatedAt,
            session.UpdatedAt,
            session.CompletedAt);
    }

    /// <summary>An amount in the currency's minor units, as UCP and Stripe count money.</summary>
    public static long Minor(decimal amount, string currency) =>
        (long)(Money.Round(amount, currency) * (decimal)Math.Pow(10, Money.MinorUnits(currency)));

    /// <summary>What keeps an open session from ready_for_complete, in UCP's message form.</summary>
    private static List<UcpMessage> MessagesOf(CheckoutSession session)
    {
        var messages = new List<UcpMessage>();
        if (session.Status == CheckoutStatus.Canceled && session.CompletedAt is null)
        {
            messages.Add(new UcpMessage("error", "session_canceled", "This checkout session expired or was canceled; start a new one", null, null));
        }

        if (!session.IsOpen)
        {
            return messages;
        }

        if (session.Lines.Count == 0)
        {
            messages.Add(new UcpMessage("error", "missing", "Add at least one line item", "$.line_items", "requires_buyer_input"));
        }

        if (session.BuyerEmail is null)
        {
            messages.Add(new UcpMessage("error", "missing", "The buyer's email is required", "$.buyer.email", "requires_buyer_input"));
        }

        return messages;
    }
}

internal sealed record CreateCheckoutAccessTokenRequest
{
    [Description("Lifetime in minutes, 1 to 1440 (default 15).")]
    public int? TtlMinutes { get; init; }

    [Description("Only these SKUs (sku_id or sku_code) may be bought with the token; any when omitted.")]
    public List<string>? AllowedSkus { get; init; }

    [Description("At most this many units in one session; no limit when omitted.")]
    public int? MaxQuantity { get; init; }
}

internal sealed class CreateCheckoutAccessTokenRequestValidator : AbstractValidator<CreateCheckoutAccessTokenRequest>
{
    public CreateCheckoutAccessTokenRequestValidator()
    {
        RuleFor(r => r.TtlMinutes).InclusiveBetween(1, 1440).WithMessage("must be between 1 and 1440");
        RuleFor(r => r.AllowedSkus).Must(s => s is null || s.Count is > 0 and <= 100).WithMessage("must list 1 to 100 SKUs");
        RuleForEach(r => r.AllowedSkus).NotEmpty().WithMessage("must not be empty").MaximumLength(128);
        RuleFor(r => r.MaxQuantity).InclusiveBetween(1, SharedRules.MaxQuantity)
            .WithMessage($"must be between 1 and {SharedRules.MaxQuantity}");
    }
}

internal sealed record CheckoutAccessTokenResponse(
    string Id,
    [property: Description("The token (cat_...): shown only here. Send it as Authorization: Bearer on /ucp/public routes.")] string Token,
    string TokenType,
    DateTimeOffset ExpiresAt,
    IReadOnlyList<string>? AllowedSkus,
    int? MaxQuantity,
    string ApiKeyId,
    DateTimeOffset CreatedAt);

internal sealed record PaymentIntentResponse(string PaymentIntentId, string ClientSecret, [property: Description("Minor units.")] long Amount, string Currency);
