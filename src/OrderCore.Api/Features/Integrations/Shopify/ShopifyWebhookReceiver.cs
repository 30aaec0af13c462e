using Microsoft.AspNetCore.DataProtection;

namespace OrderCore.Api.Features.Integrations;

/// <summary>Store webhook secrets, encrypted at rest with Data Protection (keys shared through the database).</summary>
internal sealed class ShopifySecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("OrderCore.Shopify.WebhookSecret.v1");

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string ciphertext) => _protector.Unprotect(ciphertext);
}

/// <summary>Wakes this instance's <see cref="ShopifyEventWorker"/> when an event was accepted or retried here.</summary>
internal sealed class ShopifyWakeup : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: one wake-up covers every event accepted meanwhile.
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _signal.Dispose();
}

/// <summary>The documented shape of an order webhook body (the fields the connector reads); for the OpenAPI document.</summary>
internal sealed record ShopifyOrderWebhookBody(
    [property: Description("Shopify's order id.")] long Id,
    [property: Description("The order's name, e.g. #1001.")] string? Name,
    string? Currency,
    [property: Description("What the buyer was charged, as a decimal string.")] string? TotalPrice,
    string? FinancialStatus,
    string? FulfillmentStatus,
    string? Note,
    string? CancelledAt,
    IReadOnlyList<ShopifyLineItemBody>? LineItems);

internal sealed record ShopifyLineItemBody(
    [property: Description("Matched to an OrderCore SKU code.")] string? Sku,
    int Quantity,
    [property: Description("Unit price charged, as a decimal string.")] string? Price);

internal sealed record ShopifyWebhookReceipt(string EventId, [property: Description("accepted or duplicate")] string Status);

internal sealed record ShopifyStoreKey(string TenantId, string Id, string SecretCiphertext);

/// <summary>
/// <c>POST /integrations/shopify/webhooks</c>: checks, records and answers; processing happens afterwards in
/// <see cref="ShopifyEventWorker"/>, so Shopify gets its 200 quickly and an accepted event survives a restart.
/// </summary>
internal static class ShopifyWebhookReceiver
{
    public const string ShopDomainHeader = "X-Shopify-Shop-Domain";
    public const string HmacHeader = "X-Shopify-Hmac-Sha256";
    public const string WebhookIdHeader = "X-Shopify-Webhook-Id";
    public const string TopicHeader = "X-Shopify-Topic";

    public static async Task<Results<Ok<ShopifyWebhookReceipt>, ApiError>> Receive(HttpContext context, UnitOfWorkFactory units,
        ShopifySecrets secrets, ShopifyWakeup wakeup, IOptions<ShopifyOptions> options, TimeProvider clock, ILogger<ShopifyWebhookReceipt> logger,
        CancellationToken cancellationToken)
    {
        if (!options.Value.InboundWebhooksEnabled)
        {
            context.Response.Headers.RetryAfter = "60";
            return new ApiError(StatusCodes.Status503ServiceUnavailable, "unavailable", "Inbound Shopify webhooks are disabled on this service");
        }

        var headers = context.Request.Headers;
        var domain = ShopDomains.Normalize(headers[ShopDomainHeader].ToString());
        var store = domain is null ? null : await units.RunAsync((work, ct) => FindStoreAsync(work.Db, domain, ct), cancellationToken);
        if (store is null)
        {
            return ApiError.Unauthorized($"No connected Shopify store has this {ShopDomainHeader}");
        }

        var body = context.Features.Get<RequestBody>()?.Raw ?? [];
        var webhookId = Header(headers, WebhookIdHeader, 255);
        var topic = Header(headers, TopicHeader, 64);
        var now = clock.GetUtcNow();
        ShopifyWebhookEvent Event(ShopifyEventStatus status, string? error = null, bool signed = true) => new()
        {
            Id = Ids.New(Ids.ShopifyWebhookEvent), StoreId = store.Id, ShopDomain = domain!, WebhookId = webhookId, Topic = topic,
            ShopifyOrderId = signed ? ShopifyOrder.IdOf(body) : null, Status = status, Error = error, ReceivedAt = now,
            ProcessedAt = status == ShopifyEventStatus.Pending ? null : now,
        };

        // The signature first: nothing of an unsigned body is trusted, not even its order id.
        if (!ShopifySignature.IsValid(secrets.Unprotect(store.SecretCiphertext), body, headers[HmacHeader].FirstOrDefault()))
        {
            var why = headers.ContainsKey(HmacHeader) ? "the signature does not match the body" : $"{HmacHeader} is missing";
            await RecordAsync(units, store.TenantId, Event(ShopifyEventStatus.Rejected, why, signed: false), cancellationToken);
            logger.LogWarning("Shopify webhook for store {StoreId} rejected: {Reason}", store.Id, why);
            return ApiError.Unauthorized($"Shopify webhook refused: {why}");
        }

        if (webhookId is null)
        {
            await RecordAsync(units, store.TenantId, Event(ShopifyEventStatus.Rejected, $"{WebhookIdHeader} is missing"), cancellationToken);
            return ApiError.Validation(WebhookIdHeader, "is required");
        }

        if (topic is null || !ShopifyTopics.Supported.Contains(topic))
        {
            var ignored = Event(ShopifyEventStatus.Processed, $"ignored: the connector does not handle topic {topic ?? "(none)"}");
            await RecordAsync(units, store.TenantId, ignored, cancellationToken);
            return TypedResults.Ok(new ShopifyWebhookReceipt(ignored.Id, "accepted"));
        }

        var accepted = Event(ShopifyEventStatus.Pending);
        accepted.AcceptedWebhookId = webhookId;
        accepted.Payload = Encoding.UTF8.GetString(body);
        accepted.NextAttemptAt = now;
        var recorded = await units.RunAsTenantAsync(store.TenantId, async (db, ct) =>
        {
            // Deliveries of one webhook id queue here, so the second sees the first once it has committed: Shopify
            // delivers at least once, possibly several times at the same moment. The unique index backs this up.
            await db.LockAsync($"shopify-webhook:{store.TenantId}:{domain}:{webhookId}", ct);
            var seen = await db.ShopifyWebhookEvents.AnyAsync(e => e.ShopDomain == domain && e.AcceptedWebhookId == webhookId, ct);
            var webhookEvent = seen ? Event(ShopifyEventStatus.Duplicate) : accepted;
            db.ShopifyWebhookEvents.Add(webhookEvent);
            return webhookEvent;
        }, cancellationToken);

        if (recorded.Status == ShopifyEventStatus.Duplicate)
        {
            return TypedResults.Ok(new ShopifyWebhookReceipt(recorded.Id, "duplicate"));
        }

        wakeup.Wake();
        return TypedResults.Ok(new ShopifyWebhookReceipt(recorded.Id, "accepted"));
    }

    /// <summary>
    /// The connected store of a shop, whichever tenant owns it: a webhook names only its shop, so this lookup reads
    /// past the tenant filter in SQL (the domain is unique among connected stores) and answers the tenant to run as.
    /// </summary>
    private static Task<ShopifyStoreKey?> FindStoreAsync(OrderCoreDbContext db, string domain, CancellationToken cancellationToken) =>
        db.Database.SqlQuery<ShopifyStoreKey>($"""
            SELECT tenant_id, id, secret_ciphertext FROM shopify_stores WHERE shop_domain = {domain} AND disconnected_at IS NULL
            """).SingleOrDefaultAsync(cancellationToken);

    private static Task RecordAsync(UnitOfWorkFactory units, string tenantId, ShopifyWebhookEvent webhookEvent, CancellationToken cancellationToken) =>
        units.RunAsTenantAsync(tenantId, (db, _) =>
        {
            db.ShopifyWebhookEvents.Add(webhookEvent);
            return Task.CompletedTask;
        }, cancellationToken);

    private static string? Header(IHeaderDictionary headers, string name, int maxLength) =>
        headers[name].FirstOrDefault()?.Trim() is { Length: > 0 } value ? value[..Math.Min(value.Length, maxLength)] : null;
}

/// <summary>The order topics the connector processes.</summary>
internal static class ShopifyTopics
{
    public const string OrdersCreate = "orders/create";
    public const string OrdersUpdated = "orders/updated";
    public const string OrdersPaid = "orders/paid";
    public const string OrdersCancelled = "orders/cancelled";
    public const string OrdersFulfilled = "orders/fulfilled";

    public static readonly string[] Supported = [OrdersCreate, OrdersUpdated, OrdersPaid, OrdersCancelled, OrdersFulfilled];
}
