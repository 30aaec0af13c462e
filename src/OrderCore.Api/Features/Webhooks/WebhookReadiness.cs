namespace OrderCore.Api.Features.Webhooks;

/// <summary>Go-live: an active endpoint receives <c>checkout.completed</c> (directly, or through <c>order.*</c> / <c>*</c>).</summary>
internal sealed class WebhookEndpointCheck : IReadinessCheck
{
    private static readonly string[] Wanted = [Subscriptions.CheckoutCompleted, "order.*"];

    public string Name => "webhook_endpoint";

    public async Task<ReadinessCheckResult> CheckAsync(ReadinessContext context, CancellationToken cancellationToken)
    {
        var endpoints = await context.Db.Set<WebhookEndpoint>().AsNoTracking().Where(e => e.Active).Select(e => new { e.Id, e.Events })
            .ToListAsync(cancellationToken);
        var subscribed = endpoints.FirstOrDefault(e => Wanted.Any(w => e.Events.Contains(w, StringComparer.Ordinal) || e.Events.Contains("*")));
        return subscribed is not null
            ? this.Result(ReadinessStatus.Pass, $"endpoint {subscribed.Id} receives checkout.completed or order.*")
            : this.Result(ReadinessStatus.Fail, "no active webhook endpoint subscribed to checkout.completed or order.*; create one");
    }
}

/// <summary>Go-live: a delivery succeeded in the last 24 h, and none was abandoned since that success.</summary>
internal sealed class WebhookDeliveryCheck : IReadinessCheck
{
    public string Name => "webhook_delivery";

    public async Task<ReadinessCheckResult> CheckAsync(ReadinessContext context, CancellationToken cancellationToken)
    {
        var deliveries = context.Db.Set<WebhookDelivery>().AsNoTracking();
        var lastSuccess = await deliveries.Where(d => d.Status == DeliveryStatus.Succeeded && d.DeliveredAt != null)
            .MaxAsync(d => d.DeliveredAt, cancellationToken);
        if (lastSuccess is null || lastSuccess < context.Now.AddHours(-24))
        {
            return this.Result(ReadinessStatus.Fail, "no successful webhook delivery in the last 24 h; send one with POST /v1/webhooks/smoke");
        }

        var abandoned = await deliveries.CountAsync(d => d.Status == DeliveryStatus.Abandoned && d.UpdatedAt > lastSuccess, cancellationToken);
        return abandoned == 0
            ? this.Result(ReadinessStatus.Pass, $"last successful delivery at {lastSuccess:yyyy-MM-dd'T'HH:mm:ss'Z'}, none abandoned since")
            : this.Result(ReadinessStatus.Fail, $"{abandoned} delivery(ies) abandoned since the last success; see GET /v1/webhooks/deliveries?status=abandoned");
    }
}
