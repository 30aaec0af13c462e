using Stripe;

namespace OrderCore.Api.Features.Checkout;

/// <summary>
/// <c>Stripe:*</c> configuration. The secret key is read here and handed only to Stripe.net: it is never
/// logged, answered or documented.
/// </summary>
internal sealed class StripeOptions
{
    public string? SecretKey { get; set; }
    public string? PublishableKey { get; set; }
    public string? WebhookSecret { get; set; }

    /// <summary>Stripe's own API unless set (tests point it at a Stripe-compatible server on 127.0.0.1).</summary>
    public string? ApiBase { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(SecretKey);

    /// <summary>Live keys (<c>sk_live_...</c>) move real money; events say so as <c>livemode</c>.</summary>
    public bool LiveMode => SecretKey?.StartsWith("sk_live_", StringComparison.Ordinal) == true;
}

/// <summary>A PaymentIntent as OrderCore checks it: what Stripe says was paid, for which session.</summary>
internal sealed record PaymentIntentFacts(string Id, string Status, long Amount, string Currency, string? TenantId, string? SessionId, string? ClientSecret)
{
    public static PaymentIntentFacts From(PaymentIntent intent) => new(
        intent.Id, intent.Status, intent.Amount, intent.Currency.ToUpperInvariant(),
        intent.Metadata?.GetValueOrDefault(StripePayments.TenantMetadata), intent.Metadata?.GetValueOrDefault(StripePayments.SessionMetadata),
        intent.ClientSecret);

    /// <summary>Money has moved (or is authorised and will be captured by the merchant).</summary>
    public bool IsPaid => Status is "succeeded" or "requires_capture";
}

/// <summary>PaymentIntents through Stripe.net, on the configured API base.</summary>
internal sealed class StripePayments(IOptions<StripeOptions> options)
{
    public const string TenantMetadata = "tenant_id";
    public const string SessionMetadata = "session_id";

    private readonly Lazy<StripeClient?> _client = new(() => options.Value.IsConfigured
        ? new StripeClient(new StripeClientOptions
        {
            ApiKey = options.Value.SecretKey,
            ApiBase = string.IsNullOrWhiteSpace(options.Value.ApiBase) ? null : options.Value.ApiBase.TrimEnd('/'),
        })
        : null);

    public bool IsConfigured => options.Value.IsConfigured;

    private PaymentIntentService Intents => new(_client.Value ?? throw NotConfigured().ToException());

    /// <summary>
    /// A PaymentIntent for the session's amount. The idempotency key names the session, amount and currency,
    /// so asking again for an unchanged total answers the same PaymentIntent, and a changed total makes a new one.
    /// </summary>
    public async Task<PaymentIntentFacts> CreateIntentAsync(string tenantId, string sessionId, long amount, string currency,
        CancellationToken cancellationToken)
    {
        var intent = await CallAsync(() => Intents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = amount,
            Currency = currency.ToLowerInvariant(),
            AutomaticPaymentMethods = new PaymentIntentAutomaticPaymentMethodsOptions { Enabled = true },
            Metadata = new Dictionary<string, string> { [TenantMetadata] = tenantId, [SessionMetadata] = sessionId },
        }, new RequestOptions { IdempotencyKey = $"ordercore:{sessionId}:{amount}:{currency}" }, cancellationToken));
        return PaymentIntentFacts.From(intent);
    }

    public async Task<PaymentIntentFacts?> RetrieveIntentAsync(string paymentIntentId, CancellationToken cancellationToken)
    {
        try
        {
            return PaymentIntentFacts.From(await Intents.GetAsync(paymentIntentId, cancellationToken: cancellationToken));
        }
        catch (StripeException ex) when (ex.HttpStatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (StripeException ex)
        {
            throw Unavailable(ex).ToException();
        }
    }

    public static ApiError NotConfigured() =>
        new(StatusCodes.Status503ServiceUnavailable, "payments_not_configured", "Card payments are not configured on this server (Stripe:SecretKey)");

    private static async Task<PaymentIntent> CallAsync(Func<Task<PaymentIntent>> call)
    {
        try
        {
            return await call();
        }
        catch (StripeException ex)
        {
            throw Unavailable(ex).ToException();
        }
    }

    // Stripe's message may name the request but never our key; the error code is enough for the client.
    private static ApiError Unavailable(StripeException ex) =>
        new ApiError(StatusCodes.Status503ServiceUnavailable, "payment_provider_unavailable", "Stripe did not accept the request; retry shortly")
            .With("provider_error", ex.StripeError?.Code);
}
