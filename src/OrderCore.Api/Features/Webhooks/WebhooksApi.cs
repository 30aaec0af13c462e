using OrderCore.Api.Features.Accounts;
using Polly;

namespace OrderCore.Api.Features.Webhooks;

internal static class WebhooksApi
{
    /// <summary>Options, secrets, the outbound HTTP client (timeout only: retries are the durable schedule) and the delivery worker.</summary>
    public static void AddWebhooks(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<WebhookOptions>(builder.Configuration.GetSection("Webhooks"));
        services.AddSingleton<WebhookSecrets>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton(provider => new SignedCalls(provider.GetRequiredService<WebhookSecrets>(), provider.GetRequiredService<WebhookSender>(),
            provider.GetRequiredService<IOptions<WebhookOptions>>()));
        AddWebhookClient(services, WebhookSender.ClientName, reuseConnections: true);
        AddWebhookClient(services, WebhookSender.OneConnectionPerAttemptClientName, reuseConnections: false);
        services.AddSingleton<WebhookWakeup>();
        services.AddHostedService<WebhookDeliveryWorker>();
        // Replaces the accounts feature's zero counter for usage reports.
        services.AddScoped<IWebhookDeliveryCounter, WebhookDeliveryCounter>();
        services.AddReadinessCheck<WebhookEndpointCheck>().AddReadinessCheck<WebhookDeliveryCheck>();
        services.AddEventTypes(Subscriptions.CheckoutCompleted);
    }

    /// <summary>
    /// The client deliveries are sent with: no redirects, cookies or proxy, the delivery timeout, and connections only to
    /// addresses vetted just now. Without <paramref name="reuseConnections"/> every attempt gets a connection of its own
    /// (for receivers that close after each answer, see <see cref="WebhookSender"/>).
    /// </summary>
    private static void AddWebhookClient(IServiceCollection services, string name, bool reuseConnections) =>
        services.AddHttpClient(name, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(provider =>
            {
                var allowPrivate = provider.GetRequiredService<IOptions<WebhookOptions>>().Value.AllowPrivateTargets;
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    UseCookies = false,
                    UseProxy = false,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(1),
                    // Zero: a connection is closed once its answer is read instead of going back to the pool.
                    PooledConnectionIdleTimeout = reuseConnections ? TimeSpan.FromMinutes(1) : TimeSpan.Zero,
                    // Every connection goes to an address vetted just now: no DNS rebinding past the SSRF check.
                    ConnectCallback = (context, cancellationToken) => WebhookTargets.ConnectAsync(context, allowPrivate, cancellationToken),
                };
            })
            .AddResilienceHandler("webhook-timeout", (pipeline, context) =>
                pipeline.AddTimeout(context.ServiceProvider.GetRequiredService<IOptions<WebhookOptions>>().Value.Timeout));

    public static void MapWebhooksApi(this RouteGroupBuilder v1)
    {
        var endpoints = v1.MapGroup("/webhooks/endpoints").WithTags("Webhooks").RequireScopes(WebhookScopes.Read, WebhookScopes.Write);
        endpoints.MapGet("/", WebhookEndpointEndpoints.List).WithName("ListWebhookEndpoints").WithSummary("List webhook endpoints").ProducesErrors(400, 401);
        endpoints.MapPost("/", WebhookEndpointEndpoints.Create).WithName("CreateWebhookEndpoint").WithSecretInAnswer()
            .WithSummary("Create a webhook endpoint; the answer holds its secret, shown only once").ProducesErrors(400, 401, 409, 413, 422);
        endpoints.MapGet("/{id}", WebhookEndpointEndpoints.Get).WithName("GetWebhookEndpoint").WithSummary("Retrieve a webhook endpoint").ProducesErrors(401, 404);
        endpoints.MapPatch("/{id}", WebhookEndpointEndpoints.Update).WithName("UpdateWebhookEndpoint")
            .WithSummary("Change the fields sent; active: true reactivates").ProducesErrors(400, 401, 404);
        endpoints.MapDelete("/{id}", WebhookEndpointEndpoints.Delete).WithName("DeleteWebhookEndpoint")
            .WithSummary("Deactivate a webhook endpoint; its deliveries and metrics stay queryable").ProducesErrors(401, 404);
        endpoints.MapPost("/{id}/rotate-secret", WebhookEndpointEndpoints.RotateSecret).WithName("RotateWebhookSecret").WithSecretInAnswer()
            .WithSummary("New secret, shown once; the previous one keeps signing alongside for 24 h").ProducesErrors(401, 404, 409, 422);
        endpoints.MapPost("/{id}/recover", WebhookEndpointEndpoints.Recover).WithName("RecoverWebhookDeliveries")
            .WithSummary("Re-queue every failed or abandoned delivery of the endpoint since a time").ProducesErrors(400, 401, 404, 409, 422);

        var deliveries = v1.MapGroup("/webhooks/deliveries").WithTags("Webhooks").RequireScopes(WebhookScopes.Read, WebhookScopes.Write);
        deliveries.MapGet("/", WebhookDeliveryEndpoints.List).WithName("ListWebhookDeliveries")
            .WithSummary("List deliveries (of endpoints and of per-order notifications), newest first (limit, starting_after)").ProducesErrors(400, 401);
        deliveries.MapGet("/{id}", WebhookDeliveryEndpoints.Get).WithName("GetWebhookDelivery")
            .WithSummary("Retrieve a delivery with every attempt").ProducesErrors(401, 404);
        deliveries.MapPost("/{id}/retry", WebhookDeliveryEndpoints.Retry).WithName("RetryWebhookDelivery")
            .WithSummary("Send a delivery again now (a new attempt, same webhook-id)").ProducesErrors(401, 404, 409, 422);

        var webhooks = v1.MapGroup("/webhooks").WithTags("Webhooks").RequireScopes(WebhookScopes.Read, WebhookScopes.Write);
        webhooks.MapGet("/metrics", WebhookDeliveryEndpoints.Metrics).WithName("GetWebhookMetrics")
            .WithSummary("Success rate, counts and p95 latency of the tenant's deliveries over a window").ProducesErrors(400, 401);
        webhooks.MapPost("/smoke", WebhookDeliveryEndpoints.Smoke).WithName("SendWebhookSmokeTest")
            .WithSummary("Send a synthetic signed event to every active endpoint").ProducesErrors(400, 401, 409, 422);
    }
}

/// <summary>Deliveries of the request's tenant created in a period, for the account usage report.</summary>
internal sealed class WebhookDeliveryCounter(OrderCore.Api.Platform.Persistence.OrderCoreDbContext db) : IWebhookDeliveryCounter
{
    public Task<long> CountDeliveriesAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.LongCountAsync(
            db.WebhookDeliveries, d => d.CreatedAt >= from && d.CreatedAt < to, cancellationToken);
}

/// <summary>The scopes of webhook endpoints, deliveries and the events feed.</summary>
public static class WebhookScopes
{
    public static readonly string Read = "webhooks:read";
    public static readonly string Write = "webhooks:write";
}
