namespace OrderCore.Api.Features.Integrations;

/// <summary>Settings under <c>Shopify</c>.</summary>
internal sealed class ShopifyOptions
{
    /// <summary>false: <c>POST /integrations/shopify/webhooks</c> answers 503 and Shopify retries later.</summary>
    public bool InboundWebhooksEnabled { get; set; } = true;

    /// <summary>false: this instance accepts webhooks but leaves processing to others (or to a later start).</summary>
    public bool ProcessEvents { get; set; } = true;

    /// <summary>How often the worker looks for due events without being woken.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}

internal static class ShopifyApi
{
    public const string ConnectorVersion = "1.0.0";

    /// <summary>The Admin API version whose webhook payloads the connector reads.</summary>
    public const string ApiVersion = "2025-10";

    public const string WebhookPath = "/integrations/shopify/webhooks";

    public static void AddShopify(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<ShopifyOptions>(builder.Configuration.GetSection("Shopify"));
        services.AddSingleton<ShopifySecrets>();
        services.AddSingleton<ShopifyWakeup>();
        services.AddSingleton<ShopifyEventWorker>();
        services.AddHostedService(provider => provider.GetRequiredService<ShopifyEventWorker>());
    }

    /// <summary>The two public routes: install diagnostics and the inbound webhook (authenticated by its signature).</summary>
    public static void MapShopifyPublicApi(this IEndpointRouteBuilder app)
    {
        var shopify = app.MapGroup("/integrations/shopify").WithTags("Shopify").AllowAnonymous();
        shopify.MapGet("/status", ShopifyStatus.Public).WithName("GetShopifyConnectorStatus")
            .WithSummary("Connector version, supported topics and API version, whether inbound webhooks are enabled (no auth, no secrets)");
        shopify.MapPost("/webhooks", ShopifyWebhookReceiver.Receive).WithName("ReceiveShopifyWebhook")
            .WithSummary("Inbound Shopify webhook: verified by X-Shopify-Hmac-Sha256, recorded by X-Shopify-Webhook-Id, processed after the answer")
            .WithDescription("No API key: the store is found by X-Shopify-Shop-Domain and the body's HMAC is checked in constant time before "
                + "anything is parsed (401 when it fails or the shop is unknown). A repeated webhook id answers 200 and changes nothing.")
            .WithMetadata(new UnparsedBody(), OwnUnitsOfWork.Instance)
            .Accepts<ShopifyOrderWebhookBody>("application/json")
            .Produces(StatusCodes.Status200OK)
            .ProducesErrors(400, 401, 413, 503);
    }

    public static void MapShopifyApi(this RouteGroupBuilder v1)
    {
        var shopify = v1.MapGroup("/integrations/shopify").WithTags("Shopify").RequireScopes(IntegrationScopes.Read, IntegrationScopes.Write);
        shopify.MapGet("/status", ShopifyStatus.ForTenant).WithName("GetShopifyStatus")
            .WithSummary("The tenant's stores, last webhook received and event counts of the last 24 h").ProducesErrors(401);
        shopify.MapPost("/stores", ShopifyStores.Connect).WithName("ConnectShopifyStore")
            .WithSummary("Connect a store: its *.myshopify.com domain and webhook secret (stored encrypted, never returned)")
            .ProducesErrors(400, 401, 404, 409, 413, 422);
        shopify.MapGet("/stores", ShopifyStores.List).WithName("ListShopifyStores").WithSummary("Connected (and disconnected) stores, newest first")
            .ProducesErrors(400, 401);
        shopify.MapGet("/stores/{id}", ShopifyStores.Get).WithName("GetShopifyStore").WithSummary("Retrieve a store").ProducesErrors(401, 404);
        shopify.MapDelete("/stores/{id}", ShopifyStores.Disconnect).WithName("DisconnectShopifyStore")
            .WithSummary("Disconnect a store: its webhooks are refused from now on; its events, orders and sync logs stay").ProducesErrors(401, 404);
        shopify.MapGet("/sync-logs", ShopifyLists.SyncLogs).WithName("ListShopifySyncLogs")
            .WithSummary("Latest Shopify-origin order syncs, newest first").ProducesErrors(400, 401);
        shopify.MapGet("/webhook-events", ShopifyLists.WebhookEvents).WithName("ListShopifyWebhookEvents")
            .WithSummary("Webhook processing events, newest first (filters: status, shop_domain)").ProducesErrors(400, 401);
        shopify.MapPost("/webhook-events/{id}/retry", ShopifyLists.Retry).WithName("RetryShopifyWebhookEvent")
            .WithSummary("Process a failed event again (after fixing the catalog or stock)").ProducesErrors(401, 404, 409, 422);
    }
}

/// <summary>The scopes of connected platforms (Shopify stores, their events and sync logs).</summary>
public static class IntegrationScopes
{
    public static readonly string Read = "integrations:read";
    public static readonly string Write = "integrations:write";
}
