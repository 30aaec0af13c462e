using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.OpenApi;
using OrderCore.Api.Features.Orders;

namespace OrderCore.Api.Features.Checkout;

internal static class CheckoutApi
{
    public const string PublicCorsPolicy = "checkout-public";

    /// <summary>One per completed session, with the session, its order and the payment.</summary>
    public const string CompletedEvent = "checkout.completed";
    private const string PublicTag = "Checkout (public)";

    public static void AddCheckout(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<CheckoutOptions>(builder.Configuration.GetSection("Checkout"));
        services.Configure<StripeOptions>(builder.Configuration.GetSection("Stripe"));
        services.AddSingleton<StripePayments>();
        services.AddScoped<CheckoutSessions>();
        services.AddScoped<BuyerLinks>();
        services.AddScoped<BuyerLinkAccess>();
        services.AddScoped<CompleteCheckout>();
        services.AddScoped<ICheckoutSessionLookup, CheckoutSessionLookup>();
        services.AddHostedService<CheckoutSessionExpirySweeper>();
        services.AddEventTypes(CompletedEvent);

        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, CheckoutTokenAuthenticationHandler>(CheckoutTokenAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(CheckoutTokenAuthenticationHandler.PolicyName, policy => policy
            .AddAuthenticationSchemes(CheckoutTokenAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser());

        // Browsers may call the public routes only from the configured origins (Checkout:AllowedOrigins); none by default.
        var origins = builder.Configuration.GetSection("Checkout:AllowedOrigins").Get<string[]>() ?? [];
        services.AddCors(cors => cors.AddPolicy(PublicCorsPolicy, policy => policy
            .WithOrigins(origins)
            .WithMethods("GET", "POST", "PUT")
            .WithHeaders("Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id")
            .WithExposedHeaders("X-Request-Id", "Idempotent-Replayed")));

        services.Configure<OpenApiOptions>("v1", options => options.AddOperationTransformer(CheckoutOpenApi.Transform));
    }

    public static void MapCheckoutApi(this WebApplication app, RouteGroupBuilder v1)
    {
        v1.MapPost("/account/checkout-access-tokens", CheckoutAccessTokens.Create)
            .RequireScopes(CheckoutScopes.Read, CheckoutScopes.Write)
            .WithTags("Checkout")
            .WithName("CreateCheckoutAccessToken").WithSecretInAnswer()
            .WithSummary("Mint a short-lived, browser-safe checkout access token (cat_...)")
            .WithDescription("The token reaches only the public checkout routes and only the sessions it creates. It is bound to this tenant "
                + "and this API key: revoking the key ends it. Only a hash is stored; the token is shown once.")
            .ProducesErrors(400, 401, 409, 413, 422);

        var links = v1.MapGroup("/account/buyer-checkout-links").WithTags("Checkout").RequireScopes(CheckoutScopes.Read, CheckoutScopes.Write);
        links.MapPost("/", BuyerLinkEndpoints.Create).WithName("CreateBuyerCheckoutLink")
            .WithSummary("Create a buyer checkout link for one SKU and quantity (signed; one session per link)")
            .WithDescription("Answers buyer_checkout_url (the buyer page) and its token. The token is signed: it names the tenant, SKU, quantity, "
                + "currency, email and merchant_reference_id and works only for them. The link's first session is resumed on every later use; "
                + "after completion the link answers 410 buyer_link_consumed.")
            .ProducesErrors(400, 401, 404, 409, 413, 422);
        links.MapPost("/regenerate", BuyerLinkEndpoints.Regenerate).WithName("RegenerateBuyerCheckoutLink")
            .WithSummary("A fresh buyer link (new token and expiry) with the same scope, also from an expired link")
            .ProducesErrors(400, 401, 404, 409, 413, 422);

        var merchant = v1.MapGroup("/checkout/sessions").WithTags("Checkout").RequireScopes(CheckoutScopes.Read, CheckoutScopes.Write);
        merchant.MapGet("/", CheckoutSessionEndpoints.List).WithName("ListCheckoutSessions")
            .WithSummary("List checkout sessions, newest first (filters status, merchant_reference_id)").ProducesErrors(400, 401);
        merchant.MapGet("/{id}", CheckoutSessionEndpoints.GetMerchant).WithName("GetCheckoutSession")
            .WithSummary("Retrieve a checkout session").ProducesErrors(401, 404);

        // Stripe signs its webhooks; no API key. Answers 400 invalid_signature to anything Stripe did not sign.
        app.MapPost("/v1/integrations/stripe/webhook", CompleteCheckoutEndpoints.StripeWebhook)
            .AllowAnonymous()
            .WithApiConventions()
            .Accepts<JsonObject>("application/json")
            .WithTags("Checkout")
            .WithName("StripeWebhook")
            .WithSummary("Stripe's payment_intent.succeeded: completes the paid checkout session it names")
            .WithDescription("Verified with the Stripe-Signature header and Stripe:WebhookSecret before anything is read. "
                + "Completes the session exactly once, also when the buyer's complete call races it or never comes.")
            .ProducesErrors(400, 409, 503);

        var ucp = app.MapGroup("/ucp/checkout/sessions").WithTags("Checkout").RequireAuthorization()
            .RequireScopes(CheckoutScopes.Read, CheckoutScopes.Write).WithApiConventions();
        ucp.MapPost("/", CheckoutSessionEndpoints.CreateMerchant).WithName("UcpCreateCheckoutSession")
            .WithSummary("Create a checkout session (UCP, API key)").ProducesErrors(400, 401, 404, 409, 422);
        ucp.MapPut("/{id}", CheckoutSessionEndpoints.UpdateMerchant).WithName("UcpUpdateCheckoutSession")
            .WithSummary("Replace a checkout session's lines, currency, buyer and merchant reference (UCP, API key)")
            .ProducesErrors(400, 401, 404, 409, 422);
        ucp.MapPost("/{id}/complete", CompleteCheckoutEndpoints.CompleteMerchant).WithName("UcpCompleteCheckoutSession")
            .WithSummary("Complete a paid checkout session (UCP, API key)").ProducesErrors(400, 401, 402, 404, 409, 503);

        var buyer = app.MapGroup("/ucp/public/checkout/sessions").WithTags(PublicTag)
            .RequireAuthorization(CheckoutTokenAuthenticationHandler.PolicyName).RequireCors(PublicCorsPolicy).WithApiConventions();
        buyer.MapPost("/", CheckoutSessionEndpoints.CreatePublic).WithName("PublicCreateCheckoutSession")
            .WithSummary("Create a checkout session (checkout access token); a buyer link's token answers its open session (200)").ProducesErrors(400, 401, 403, 404, 409, 422, 410);
        buyer.MapGet("/{id}", CheckoutSessionEndpoints.GetPublic).WithName("PublicGetCheckoutSession")
            .WithSummary("Read a session this token created").ProducesErrors(401, 404, 410);
        buyer.MapPut("/{id}", CheckoutSessionEndpoints.UpdatePublic).WithName("PublicUpdateCheckoutSession")
            .WithSummary("Replace the session's lines, currency, buyer and merchant reference").ProducesErrors(400, 401, 403, 404, 409, 422, 410);
        buyer.MapPost("/{id}/payment-intent", CompleteCheckoutEndpoints.PaymentIntent).WithName("PublicCreatePaymentIntent")
            .WithSummary("Create (or, for an unchanged total, return) the Stripe PaymentIntent of a ready session")
            .WithDescription("Confirm the answer's client_secret with Stripe.js, then call complete with its payment_intent_id.")
            .ProducesErrors(401, 404, 409, 503, 410);
        buyer.MapPost("/{id}/complete", CompleteCheckoutEndpoints.CompletePublic).WithName("PublicCompleteCheckoutSession")
            .WithSummary("Complete a paid session: exactly one order, and checkout.completed")
            .WithDescription("Accepts the PaymentIntent only if Stripe says succeeded (or requires_capture), its amount and currency equal the "
                + "session total and its metadata names this session: otherwise 402 payment_required or 409 payment_mismatch and nothing changes. "
                + "Repeated and parallel calls answer the completed session.")
            .ProducesErrors(400, 401, 402, 404, 409, 503, 410);

        BuyerPage.Map(app);
        ReferenceClientPage.Map(app);

        app.MapGet("/ucp/.well-known/ucp", Discovery.UcpProfile).AllowAnonymous().WithTags("Discovery").WithName("UcpProfile")
            .WithSummary("UCP business profile: version, the checkout capability, REST endpoint, payment handlers");
        app.MapGet("/direct-ai/manifest", Discovery.Manifest).AllowAnonymous().WithTags("Discovery").WithName("DirectAiManifest")
            .WithSummary("Entry points of the direct checkout: routes, docs and the OpenAPI document");
        app.MapGet("/direct-ai/browser-config", Discovery.BrowserConfig).AllowAnonymous().WithTags("Discovery").WithName("BrowserConfig")
            .WithSummary("Browser-safe configuration: the Stripe publishable key (or null) and the API base");
        app.MapGet("/integrations/catalog", Discovery.Catalog).AllowAnonymous().WithTags("Discovery").WithName("IntegrationsCatalog")
            .WithSummary("Connectors and the UCP compatibility summary");
    }
}

/// <summary>Answers the order lookup's <c>checkout_session</c> (registered for Orders, which cannot depend on Checkout).</summary>
internal sealed class CheckoutSessionLookup(OrderCoreDbContext db, CheckoutSessions sessions, IOptions<JsonOptions> json) : ICheckoutSessionLookup
{
    public async Task<JsonObject?> LatestAsync(string merchantReferenceId, CancellationToken cancellationToken)
    {
        var session = await db.CheckoutSessions.AsNoTracking().Where(s => s.MerchantReferenceId == merchantReferenceId)
            .OrderByDescending(s => s.Id).FirstOrDefaultAsync(cancellationToken);
        return session is null ? null : JsonSerializer.SerializeToNode(sessions.Answer(session), json.Value.SerializerOptions)!.AsObject();
    }
}

/// <summary>The scopes of checkout sessions and the access tokens that open them to buyers.</summary>
public static class CheckoutScopes
{
    public static readonly string Read = "checkout:read";
    public static readonly string Write = "checkout:write";
}
