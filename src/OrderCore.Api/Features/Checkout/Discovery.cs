namespace OrderCore.Api.Features.Checkout;

internal sealed record UcpRestService(string Version, string Spec, string Schema, string Endpoint);

internal sealed record UcpProfileCapability(string Name, string Version, string Spec);

internal sealed record UcpProfileBody(string Version, IReadOnlyDictionary<string, UcpRestService> Services, IReadOnlyList<UcpProfileCapability> Capabilities);

internal sealed record UcpPaymentProfile(IReadOnlyList<UcpPaymentHandler> Handlers);

/// <summary>The UCP business profile at <c>/ucp/.well-known/ucp</c>.</summary>
internal sealed record UcpProfile(UcpProfileBody Ucp, UcpPaymentProfile Payment);

internal sealed record ManifestEndpoint(string Method, string Path, string Auth, string Purpose);

internal sealed record DirectAiManifest(
    string Name,
    string Version,
    string PreferredFlow,
    IReadOnlyList<ManifestEndpoint> Endpoints,
    IReadOnlyDictionary<string, string> Docs,
    IReadOnlyList<UcpPaymentHandler> PaymentHandlers);

/// <summary>Only values a browser may hold: never the secret key or the webhook secret.</summary>
internal sealed record BrowserConfig(string? StripePublishableKey, string ApiBase, string CheckoutSessionsUrl, IReadOnlyList<UcpPaymentHandler> PaymentHandlers,
    string UcpVersion);

internal sealed record IntegrationConnector(string Id, string Name, string Status, string Description);

internal sealed record UcpCompatibility(string Version, IReadOnlyList<string> Capabilities, IReadOnlyList<string> Transports, bool Experimental);

internal sealed record IntegrationsCatalog(IReadOnlyList<IntegrationConnector> Connectors, UcpCompatibility Ucp);

/// <summary>The public discovery documents: what a buyer's agent or browser needs to find and start the checkout.</summary>
internal static class Discovery
{
    private const string Spec = "https://ucp.dev/specification/checkout";

    public static Ok<UcpProfile> UcpProfile(HttpRequest request, CheckoutSessions sessions) => TypedResults.Ok(new UcpProfile(
        new UcpProfileBody(
            UcpEnvelope.ProtocolVersion,
            new Dictionary<string, UcpRestService>
            {
                ["dev.ucp.shopping"] = new(UcpEnvelope.ProtocolVersion, "https://ucp.dev/specification/overview",
                    $"{Base(request)}{OpenApiSetup.DocumentPath}", $"{Base(request)}/ucp"),
            },
            [new UcpProfileCapability(UcpEnvelope.CheckoutCapability, UcpEnvelope.ProtocolVersion, Spec)]),
        new UcpPaymentProfile(sessions.Handlers)));

    public static Ok<DirectAiManifest> Manifest(CheckoutSessions sessions) => TypedResults.Ok(new DirectAiManifest(
        "OrderCore",
        "v1",
        "Tokenized public checkout with Stripe PaymentIntent confirmation",
        [
            new("POST", "/v1/account/checkout-access-tokens", "api_key (checkout:write)", "mint a short-lived public checkout token"),
            new("POST", "/ucp/public/checkout/sessions", "checkout_token", "create a checkout session"),
            new("PUT", "/ucp/public/checkout/sessions/{id}", "checkout_token", "replace lines, currency, buyer and merchant reference"),
            new("GET", "/ucp/public/checkout/sessions/{id}", "checkout_token", "read the session"),
            new("POST", "/ucp/public/checkout/sessions/{id}/payment-intent", "checkout_token", "create the Stripe PaymentIntent; confirm its client_secret with Stripe.js"),
            new("POST", "/ucp/public/checkout/sessions/{id}/complete", "checkout_token", "complete with payment_data.payment_intent_id"),
            new("GET", "/v1/orders/lookup?merchant_reference_id=", "api_key (orders:read)", "the latest session and order for your reference"),
            new("GET", "/direct-ai/browser-config", "none", "browser-safe configuration"),
            new("GET", "/ucp/.well-known/ucp", "none", "UCP business profile"),
        ],
        new Dictionary<string, string>
        {
            ["openapi"] = OpenApiSetup.DocumentPath,
            ["swagger_ui"] = "/swagger",
            ["checkout"] = "docs/checkout.md",
        },
        sessions.Handlers));

    public static Ok<BrowserConfig> BrowserConfig(HttpRequest request, IOptions<StripeOptions> stripe, CheckoutSessions sessions) =>
        TypedResults.Ok(new BrowserConfig(
            string.IsNullOrWhiteSpace(stripe.Value.PublishableKey) ? null : stripe.Value.PublishableKey,
            Base(request),
            $"{Base(request)}/ucp/public/checkout/sessions",
            sessions.Handlers,
            UcpEnvelope.ProtocolVersion));

    public static Ok<IntegrationsCatalog> Catalog(StripePayments stripe) => TypedResults.Ok(new IntegrationsCatalog(
        [
            new("stripe", "Stripe", stripe.IsConfigured ? "configured" : "not_configured",
                "Card payments through PaymentIntents; payment_intent.succeeded webhooks complete paid sessions"),
            new("shopify", "Shopify", "not_available", "Not part of this server yet"),
            new("csv", "Catalog CSV import", "available", "POST /v1/onboarding/catalog-csv"),
        ],
        new UcpCompatibility(UcpEnvelope.ProtocolVersion, [UcpEnvelope.CheckoutCapability], ["rest"], Experimental: true)));

    private static string Base(HttpRequest request) => $"{request.Scheme}://{request.Host}";
}
