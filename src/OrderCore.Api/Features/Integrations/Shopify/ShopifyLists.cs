namespace OrderCore.Api.Features.Integrations;

internal sealed record ShopifySyncLogResponse(
    string Id,
    string EventId,
    string ShopDomain,
    long? ShopifyOrderId,
    string? ShopifyOrderName,
    string? OrderId,
    string Topic,
    [property: Description("create, update, record_payment, cancel or fulfil")] string Action,
    [property: Description("succeeded, skipped, waiting or failed")] string Outcome,
    string? Message,
    DateTimeOffset At)
{
    public static ShopifySyncLogResponse From(ShopifySyncLog log) => new(log.Id, log.EventId, log.ShopDomain, log.ShopifyOrderId, log.ShopifyOrderName,
        log.OrderId, log.Topic, log.Action, log.Outcome, log.Message, log.At);
}

internal sealed record ShopifyWebhookEventResponse(
    string Id,
    string StoreId,
    string ShopDomain,
    string? WebhookId,
    string? Topic,
    long? ShopifyOrderId,
    [property: Description("pending, processed, duplicate, rejected or failed")] ShopifyEventStatus Status,
    [property: Description("Why it failed, was rejected or is waiting.")] string? Error,
    int Attempts,
    string? OrderId,
    DateTimeOffset ReceivedAt,
    DateTimeOffset? ProcessedAt)
{
    public static ShopifyWebhookEventResponse From(ShopifyWebhookEvent e) => new(e.Id, e.StoreId, e.ShopDomain, e.WebhookId, e.Topic, e.ShopifyOrderId,
        e.Status, e.Error, e.Attempts, e.OrderId, e.ReceivedAt, e.ProcessedAt);
}

internal sealed record ListShopifyEventsQuery
{
    [FromQuery(Name = "status")]
    [Description("processed, duplicate, rejected, failed or pending")]
    public string? Status { get; init; }

    [FromQuery(Name = "shop_domain")]
    public string? ShopDomain { get; init; }
}

internal sealed record ListShopifySyncLogsQuery
{
    [FromQuery(Name = "shop_domain")]
    public string? ShopDomain { get; init; }

    [FromQuery(Name = "shopify_order_id")]
    public long? ShopifyOrderId { get; init; }
}

internal static class ShopifyLists
{
    public static async Task<Ok<Paged<ShopifySyncLogResponse>>> SyncLogs([AsParameters] ListShopifySyncLogsQuery query, [AsParameters] PageRequest page,
        OrderCoreDbContext db, CancellationToken cancellationToken)
    {
        var logs = db.ShopifySyncLogs.AsNoTracking();
        if (ShopDomains.Normalize(query.ShopDomain) is { } domain)
        {
            logs = logs.Where(l => l.ShopDomain == domain);
        }

        if (query.ShopifyOrderId is { } orderId)
        {
            logs = logs.Where(l => l.ShopifyOrderId == orderId);
        }

        return TypedResults.Ok(await logs.ToPageAsync(page, ShopifySyncLogResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<Paged<ShopifyWebhookEventResponse>>, ApiError>> WebhookEvents([AsParameters] ListShopifyEventsQuery query,
        [AsParameters] PageRequest page, OrderCoreDbContext db, CancellationToken cancellationToken)
    {
        var events = db.ShopifyWebhookEvents.AsNoTracking();
        if (EnumText.ParseFilter<ShopifyEventStatus>(query.Status, "status") is { } status) events = events.Where(e => e.Status == status);

        if (query.ShopDomain is not null)
        {
            var domain = query.ShopDomain.Trim().ToLowerInvariant();
            events = events.Where(e => e.ShopDomain == domain);
        }

        return TypedResults.Ok(await events.ToPageAsync(page, ShopifyWebhookEventResponse.From, cancellationToken));
    }

    /// <summary>A failed event becomes due again; the worker processes it after the commit (same event, same webhook id).</summary>
    public static async Task<Results<Accepted<ShopifyWebhookEventResponse>, ApiError>> Retry(string id, OrderCoreDbContext db, UnitOfWork work,
        ShopifyWakeup wakeup, TimeProvider clock, CancellationToken cancellationToken)
    {
        var webhookEvent = await db.ShopifyWebhookEvents.SingleOrDefaultAsync(e => e.Id == id, cancellationToken);
        if (webhookEvent is null)
        {
            return ApiError.NotFound($"No Shopify webhook event with id {id}");
        }

        if (webhookEvent.Status != ShopifyEventStatus.Failed || webhookEvent.Payload is null)
        {
            return ApiError.Conflict("event_not_retryable", $"Only failed events can be retried; {id} is {EnumText.Name(webhookEvent.Status)}")
                .With("current_status", EnumText.Name(webhookEvent.Status));
        }

        webhookEvent.Status = ShopifyEventStatus.Pending;
        webhookEvent.NextAttemptAt = clock.GetUtcNow();
        webhookEvent.ProcessedAt = null;
        webhookEvent.Error = null;
        await db.SaveChangesAsync(cancellationToken);
        work.OnCommitted(_ =>
        {
            wakeup.Wake();
            return Task.CompletedTask;
        });
        return TypedResults.Accepted($"/v1/integrations/shopify/webhook-events/{id}", ShopifyWebhookEventResponse.From(webhookEvent));
    }
}
