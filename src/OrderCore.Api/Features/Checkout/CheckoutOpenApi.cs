using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OrderCore.Api.Features.Checkout;

/// <summary>
/// The public routes in the OpenAPI document: the checkout-token security scheme instead of the API key,
/// and request examples that walk the buyer's flow.
/// </summary>
internal static class CheckoutOpenApi
{
    public const string SchemeName = "CheckoutToken";

    private static readonly Dictionary<string, string> Examples = new(StringComparer.Ordinal)
    {
        ["CreateCheckoutAccessToken"] = """{"ttl_minutes": 15, "allowed_skus": ["MUG-RED"], "max_quantity": 3}""",
        ["CreateBuyerCheckoutLink"] = """
            {"sku_id": "sku_0190c7a2e4b47c1d9a3f5e6b7c8d9e0f", "quantity": 1, "currency": "USD", "merchant_reference_id": "lead-123",
             "email": "buyer@example.com", "success_url": "https://merchant.example/thank-you", "cancel_url": "https://merchant.example/cart"}
            """,
        ["RegenerateBuyerCheckoutLink"] = """
            {"buyer_checkout_url": "https://ordercore.example/direct-ai-buyer-checkout?token=bl_...", "ttl_minutes": 1440}
            """,
        ["PublicCreateCheckoutSession"] = """
            {"line_items": [{"item": {"id": "MUG-RED"}, "quantity": 1}], "currency": "USD", "merchant_reference_id": "lead-123"}
            """,
        ["PublicUpdateCheckoutSession"] = """
            {"line_items": [{"item": {"id": "MUG-RED"}, "quantity": 2}], "currency": "USD",
             "buyer": {"email": "buyer@example.com", "first_name": "Jane", "last_name": "Doe"}, "merchant_reference_id": "lead-123"}
            """,
        ["PublicCompleteCheckoutSession"] = """{"payment_data": {"handler_id": "card", "payment_intent_id": "pi_3Q..."}}""",
        ["UcpCreateCheckoutSession"] = """
            {"line_items": [{"item": {"id": "MUG-RED"}, "quantity": 1}], "buyer": {"email": "buyer@example.com"}}
            """,
        ["UcpCompleteCheckoutSession"] = """{"payment_data": {"handler_id": "card", "payment_intent_id": "pi_3Q..."}}""",
        ["StripeWebhook"] = """
            {"id": "evt_3Q...", "object": "event", "type": "payment_intent.succeeded",
             "data": {"object": {"id": "pi_3Q...", "object": "payment_intent", "status": "succeeded", "amount": 4900, "currency": "usd",
                                 "metadata": {"tenant_id": "ten_...", "session_id": "cs_..."}}}}
            """,
    };

    public static Task Transform(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.OperationId is { } id && Examples.TryGetValue(id, out var example)
            && operation.RequestBody?.Content?.TryGetValue("application/json", out var media) == true && media is OpenApiMediaType json)
        {
            json.Example = JsonNode.Parse(example);
        }

        var isPublic = context.Description.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Authorization.IAuthorizeData>()
            .Any(a => a.Policy == CheckoutTokenAuthenticationHandler.PolicyName);
        if (!isPublic)
        {
            return Task.CompletedTask;
        }

        var document = context.Document!;
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A checkout access token (cat_...) from POST /v1/account/checkout-access-tokens, or a buyer link's token (bl_...) "
                + "from POST /v1/account/buyer-checkout-links, which reaches only its own session. API keys are refused here.",
        };
        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, document)] = [] }];
        return Task.CompletedTask;
    }
}
