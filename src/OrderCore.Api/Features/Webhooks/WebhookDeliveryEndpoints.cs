namespace OrderCore.Api.Features.Webhooks;

internal sealed record ListDeliveriesQuery
{
    [FromQuery(Name = "event_type")]
    public string? EventType { get; init; }

    [FromQuery(Name = "status")]
    [Description("pending, succeeded, failed or abandoned")]
    public string? Status { get; init; }

    [FromQuery(Name = "endpoint_id")]
    public string? EndpointId { get; init; }

    [FromQuery(Name = "event_id")]
    public string? EventId { get; init; }

    [FromQuery(Name = "notification_id")]
    [Description("The calls of one per-order notification.")]
    public string? NotificationId { get; init; }

    [FromQuery(Name = "limit")]
    [Description("Items per page: default 20, at most 100 (larger values are clamped).")]
    public int? Limit { get; init; }

    [FromQuery(Name = "starting_after")]
    [Description("Keyset cursor: the id of the last delivery of the previous page.")]
    public string? StartingAfter { get; init; }
}

internal sealed record MetricsQuery
{
    [FromQuery(Name = "event_type")]
    public string? EventType { get; init; }

    [FromQuery(Name = "window_hours")]
    [Description("Deliveries created in the last N hours (1 to 720, default 24).")]
    public int? WindowHours { get; init; }
}

internal static class WebhookDeliveryEndpoints
{
    public const string SmokeFailure = "simulated failure (retryable smoke test): this attempt was not sent";

    public static async Task<Results<Ok<Paged<WebhookDeliveryResponse>>, ApiError>> List([AsParameters] ListDeliveriesQuery query, OrderCoreDbContext db,
        CancellationToken cancellationToken)
    {
        var deliveries = db.WebhookDeliveries.AsNoTracking();
        if (EnumText.ParseFilter<DeliveryStatus>(query.Status, "status") is { } status) deliveries = deliveries.Where(d => d.Status == status);

        if (query.EventType is not null)
        {
            var type = Subscriptions.Normalize(query.EventType);
            deliveries = deliveries.Where(d => d.EventType == type);
        }

        if (query.EndpointId is not null) deliveries = deliveries.Where(d => d.EndpointId == query.EndpointId);
        if (query.EventId is not null) deliveries = deliveries.Where(d => d.EventId == query.EventId);
        if (query.NotificationId is not null) deliveries = deliveries.Where(d => d.NotificationId == query.NotificationId);
        if (query.Limit is < 1)
        {
            return ApiError.Validation("limit", "must be between 1 and 100");
        }

        var page = new PageRequest { PerPage = query.Limit, StartingAfter = query.StartingAfter };
        return TypedResults.Ok(await deliveries.ToPageAsync(page, WebhookDeliveryResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<WebhookDeliveryDetailResponse>, ApiError>> Get(string id, OrderCoreDbContext db, CancellationToken cancellationToken)
    {
        var d = await db.WebhookDeliveries.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, cancellationToken);
        if (d is null)
        {
            return NotFound(id);
        }

        var attempts = await db.WebhookAttempts.AsNoTracking().Where(a => a.DeliveryId == id).OrderBy(a => a.Number).ToListAsync(cancellationToken);
        return TypedResults.Ok(new WebhookDeliveryDetailResponse(WebhookDeliveryResponse.From(d), attempts.Select(WebhookAttemptResponse.From).ToList()));
    }

    /// <summary>Sends again now: a new attempt of the same delivery (same webhook-id).</summary>
    public static async Task<Results<Accepted<WebhookDeliveryResponse>, ApiError>> Retry(string id, OrderCoreDbContext db, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var delivery = await db.WebhookDeliveries.SingleOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (delivery is null)
        {
            return NotFound(id);
        }

        var now = clock.GetUtcNow();
        if (delivery.LockedUntil > now)
        {
            return ApiError.Conflict("delivery_in_progress", "An attempt of this delivery is being made right now; try again in a moment");
        }

        delivery.Status = DeliveryStatus.Pending;
        delivery.NextAttemptAt = now;
        delivery.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Accepted($"/v1/webhooks/deliveries/{id}", WebhookDeliveryResponse.From(delivery));
    }

    public static async Task<Results<Ok<WebhookMetricsResponse>, ApiError>> Metrics([AsParameters] MetricsQuery query, OrderCoreDbContext db,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var hours = query.WindowHours ?? 24;
        if (hours is < 1 or > 720)
        {
            return ApiError.Validation("window_hours", "must be between 1 and 720");
        }

        var since = clock.GetUtcNow().AddHours(-hours);
        var type = query.EventType is null ? null : Subscriptions.Normalize(query.EventType);
        var deliveries = db.WebhookDeliveries.AsNoTracking().Where(d => d.CreatedAt >= since);
        if (type is not null) deliveries = deliveries.Where(d => d.EventType == type);

        var counts = await deliveries.GroupBy(d => d.Status).Select(g => new { Status = g.Key, Count = g.LongCount() }).ToListAsync(cancellationToken);
        long Count(DeliveryStatus s) => counts.FirstOrDefault(c => c.Status == s)?.Count ?? 0;
        var latencies = await deliveries.Where(d => d.Status == DeliveryStatus.Succeeded && d.LatencyMs != null)
            .Select(d => d.LatencyMs!.Value).OrderBy(l => l).ToListAsync(cancellationToken);
        // Pending after a failed attempt: its last attempt failed, so it counts against the success rate until it succeeds.
        var retrying = await deliveries.LongCountAsync(d => d.Status == DeliveryStatus.Pending && d.Attempt > 0, cancellationToken);
        var (succeeded, failed, abandoned) = (Count(DeliveryStatus.Succeeded), Count(DeliveryStatus.Failed), Count(DeliveryStatus.Abandoned));
        var attempted = succeeded + failed + abandoned + retrying;
        return TypedResults.Ok(new WebhookMetricsResponse(type, hours, attempted == 0 ? null : Math.Round((double)succeeded / attempted, 4),
            succeeded, failed, Count(DeliveryStatus.Pending), retrying, abandoned, P95(latencies)));
    }

    /// <summary>The 95th percentile by nearest rank: the smallest value with at least 95 % of the values at or below it.</summary>
    public static int? P95(IReadOnlyList<int> sorted) =>
        sorted.Count == 0 ? null : sorted[(int)Math.Ceiling(0.95 * sorted.Count) - 1];

    /// <summary>
    /// A synthetic signed event to every active endpoint of the tenant (whatever it subscribes to). In
    /// retryable mode attempt 1 is recorded as a simulated failure and attempt 2 is the real send.
    /// </summary>
    public static async Task<Results<Accepted<SmokeResponse>, ApiError>> Smoke(SmokeRequest request, OrderCoreDbContext db, Outbox outbox,
        IOptions<WebhookOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var mode = request.Mode ?? SmokeMode.Standard;
        var type = request.EventType is null ? Subscriptions.CheckoutCompleted : Subscriptions.Normalize(request.EventType);
        var endpoints = await db.WebhookEndpoints.AsNoTracking().Where(e => e.Active).Select(e => e.Id).ToListAsync(cancellationToken);
        if (endpoints.Count == 0)
        {
            return ApiError.Conflict("no_active_endpoints", "This tenant has no active webhook endpoint to send a smoke test to");
        }

        var now = clock.GetUtcNow();
        var @event = outbox.Add(type, new JsonObject { ["object"] = "smoke_test", ["livemode"] = false, ["mode"] = EnumText.Name(mode) });
        // Its deliveries are made here, so the dispatcher must not make them again.
        @event.DispatchedAt = now;
        var ids = new List<string>();
        foreach (var endpointId in endpoints)
        {
            var delivery = new WebhookDelivery
            {
                Id = Ids.New(Ids.WebhookDelivery), EndpointId = endpointId, EventId = @event.Id, EventType = type, NextAttemptAt = now,
                CreatedAt = now, UpdatedAt = now,
            };
            if (mode == SmokeMode.Retryable)
            {
                delivery.Attempt = 1;
                delivery.LastError = SmokeFailure;
                delivery.NextAttemptAt = now + DeliveryOutcomes.DelayAfter(1, options.Value, DeliveryOutcomes.NewJitter());
                db.WebhookAttempts.Add(new WebhookAttempt { DeliveryId = delivery.Id, Number = 1, AttemptedAt = now, Error = SmokeFailure });
            }

            db.WebhookDeliveries.Add(delivery);
            ids.Add(delivery.Id);
        }

        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Accepted($"/v1/webhooks/deliveries?event_id={@event.Id}", new SmokeResponse(@event.Id, type, mode, ids));
    }

    internal static ApiError NotFound(string id) => ApiError.NotFound($"No webhook delivery with id {id}");
}
