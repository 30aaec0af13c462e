namespace OrderCore.Api.Features.Integrations;

internal sealed record ShopifyConnectorStatusResponse(
    string Connector,
    string ConnectorVersion,
    string ApiVersion,
    IReadOnlyList<string> SupportedTopics,
    bool InboundWebhooksEnabled,
    string WebhookPath,
    [property: Description("How a webhook is authenticated: the header carrying the base64 HMAC-SHA256 of the raw body.")] string SignatureHeader);

internal sealed record ShopifyEventCounts(long Processed, long Duplicate, long Rejected, long Failed, long Pending);

internal sealed record ShopifyTenantStatusResponse(
    IReadOnlyList<ShopifyStoreResponse> Stores,
    DateTimeOffset? LastWebhookReceivedAt,
    [property: Description("Events received in the last 24 hours, by status.")] ShopifyEventCounts Last24h);

internal static class ShopifyStatus
{
    /// <summary>Install diagnostics anyone may read: nothing about any tenant, shop or secret.</summary>
    public static Ok<ShopifyConnectorStatusResponse> Public(IOptions<ShopifyOptions> options) =>
        TypedResults.Ok(new ShopifyConnectorStatusResponse("shopify", ShopifyApi.ConnectorVersion, ShopifyApi.ApiVersion, ShopifyTopics.Supported,
            options.Value.InboundWebhooksEnabled, ShopifyApi.WebhookPath, ShopifyWebhookReceiver.HmacHeader));

    public static async Task<Ok<ShopifyTenantStatusResponse>> ForTenant(HttpRequest http, OrderCoreDbContext db, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var stores = await db.ShopifyStores.AsNoTracking().OrderByDescending(s => s.Id).Take(100).ToListAsync(cancellationToken);
        var last = await db.ShopifyWebhookEvents.MaxAsync(e => (DateTimeOffset?)e.ReceivedAt, cancellationToken);
        var since = clock.GetUtcNow().AddHours(-24);
        var counts = await db.ShopifyWebhookEvents.Where(e => e.ReceivedAt >= since).GroupBy(e => e.Status)
            .Select(g => new { Status = g.Key, Count = g.LongCount() })
            .ToDictionaryAsync(g => g.Status, g => g.Count, cancellationToken);
        long Count(ShopifyEventStatus status) => counts.GetValueOrDefault(status);
        return TypedResults.Ok(new ShopifyTenantStatusResponse(stores.Select(s => ShopifyStoreResponse.From(s, http)).ToList(), last,
            new ShopifyEventCounts(Count(ShopifyEventStatus.Processed), Count(ShopifyEventStatus.Duplicate), Count(ShopifyEventStatus.Rejected),
                Count(ShopifyEventStatus.Failed), Count(ShopifyEventStatus.Pending))));
    }
}
