namespace OrderCore.Api.Features.Webhooks;

internal sealed record ListWebhookEndpointsQuery
{
    [FromQuery(Name = "active")]
    [Description("true or false")]
    public string? Active { get; init; }
}

internal static class WebhookEndpointEndpoints
{
    public static async Task<Results<Ok<Paged<WebhookEndpointResponse>>, ApiError>> List([AsParameters] ListWebhookEndpointsQuery query,
        [AsParameters] PageRequest page, OrderCoreDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var endpoints = db.WebhookEndpoints.AsNoTracking();
        if (query.Active is not null)
        {
            if (!EnumText.TryParseBool(query.Active, out var active))
            {
                return ApiError.Validation("active", EnumText.ExpectedBool);
            }

            endpoints = endpoints.Where(e => e.Active == active);
        }

        var now = clock.GetUtcNow();
        return TypedResults.Ok(await endpoints.ToPageAsync(page, e => WebhookEndpointResponse.From(e, now), cancellationToken));
    }

    public static async Task<Results<Ok<WebhookEndpointResponse>, ApiError>> Get(string id, OrderCoreDbContext db, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var endpoint = await db.WebhookEndpoints.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id, cancellationToken);
        return endpoint is null ? NotFound(id) : TypedResults.Ok(WebhookEndpointResponse.From(endpoint, clock.GetUtcNow()));
    }

    public static async Task<Results<Created<WebhookEndpointWithSecretResponse>, ApiError>> Create(CreateWebhookEndpointRequest request,
        OrderCoreDbContext db, WebhookSecrets secrets, IOptions<WebhookOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var url = request.Url!.Trim();
        if (await WebhookTargets.CheckUrlAsync(url, options.Value, cancellationToken) is { } problem)
        {
            return ApiError.Validation("url", problem);
        }

        var now = clock.GetUtcNow();
        var secret = WebhookSecrets.NewSecret();
        var endpoint = new WebhookEndpoint
        {
            Id = Ids.New(Ids.WebhookEndpoint), Url = url, Description = request.Description, Events = NormalizeEvents(request.Events!),
            SecretCiphertext = secrets.Protect(secret), CreatedAt = now, UpdatedAt = now,
        };
        db.WebhookEndpoints.Add(endpoint);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/v1/webhooks/endpoints/{endpoint.Id}", WebhookEndpointWithSecretResponse.From(endpoint, secret, now));
    }

    public static async Task<Results<Ok<WebhookEndpointResponse>, ApiError>> Update(string id, UpdateWebhookEndpointRequest patch, SentFields sent,
        OrderCoreDbContext db, IOptions<WebhookOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        foreach (var field in new[] { "url", "events", "active" })
        {
            if (sent.Has(field) && field switch { "url" => patch.Url is null, "events" => patch.Events is null, _ => patch.Active is null })
            {
                return ApiError.Validation(field, "must not be null");
            }
        }

        var endpoint = await db.WebhookEndpoints.SingleOrDefaultAsync(e => e.Id == id, cancellationToken);
        if (endpoint is null)
        {
            return NotFound(id);
        }

        var now = clock.GetUtcNow();
        if (patch.Url is not null)
        {
            var url = patch.Url.Trim();
            if (await WebhookTargets.CheckUrlAsync(url, options.Value, cancellationToken) is { } problem)
            {
                return ApiError.Validation("url", problem);
            }

            endpoint.Url = url;
        }

        if (patch.Events is not null) endpoint.Events = NormalizeEvents(patch.Events);
        if (sent.Has("description")) endpoint.Description = patch.Description;
        if (patch.Active is true && !endpoint.Active)
        {
            endpoint.Active = true;
            endpoint.DeactivatedAt = null;
            endpoint.DeactivatedReason = null;
            endpoint.FailingSince = null;
        }
        else if (patch.Active is false && endpoint.Active)
        {
            endpoint.Deactivate("deactivated through the API", now);
        }

        endpoint.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(WebhookEndpointResponse.From(endpoint, now));
    }

    /// <summary>Deactivates (never erases): deliveries and metrics of the endpoint stay queryable.</summary>
    public static async Task<Results<Ok<WebhookEndpointResponse>, ApiError>> Delete(string id, OrderCoreDbContext db, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var endpoint = await db.WebhookEndpoints.SingleOrDefaultAsync(e => e.Id == id, cancellationToken);
        if (endpoint is null)
        {
            return NotFound(id);
        }

        var now = clock.GetUtcNow();
        if (endpoint.Active)
        {
            endpoint.Deactivate("deleted through the API", now);
            await db.SaveChangesAsync(cancellationToken);
        }

        return TypedResults.Ok(WebhookEndpointResponse.From(endpoint, now));
    }

    /// <summary>A new secret, shown once; the previous one keeps signing alongside for 24 h.</summary>
    public static async Task<Results<Ok<WebhookEndpointWithSecretResponse>, ApiError>> RotateSecret(string id, OrderCoreDbContext db,
        WebhookSecrets secrets, IOptions<WebhookOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var endpoint = await db.WebhookEndpoints.SingleOrDefaultAsync(e => e.Id == id, cancellationToken);
        if (endpoint is null)
        {
            return NotFound(id);
        }

        var now = clock.GetUtcNow();
        var secret = WebhookSecrets.NewSecret();
        endpoint.PreviousSecretCiphertext = endpoint.SecretCiphertext;
        endpoint.PreviousSecretExpiresAt = now + options.Value.PreviousSecretLifetime;
        endpoint.SecretCiphertext = secrets.Protect(secret);
        endpoint.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(WebhookEndpointWithSecretResponse.From(endpoint, secret, now));
    }

    /// <summary>Re-queues every failed or abandoned delivery of the endpoint created since a time: each gets one new attempt now.</summary>
    public static async Task<Results<Ok<RecoverDeliveriesResponse>, ApiError>> Recover(string id, RecoverDeliveriesRequest request, OrderCoreDbContext db,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!await db.WebhookEndpoints.AnyAsync(e => e.Id == id, cancellationToken))
        {
            return NotFound(id);
        }

        var now = clock.GetUtcNow();
        var since = request.Since!.Value;
        var requeued = await db.WebhookDeliveries
            .Where(d => d.EndpointId == id && d.CreatedAt >= since && (d.Status == DeliveryStatus.Failed || d.Status == DeliveryStatus.Abandoned))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeliveryStatus.Pending).SetProperty(d => d.NextAttemptAt, now)
                .SetProperty(d => d.UpdatedAt, now), cancellationToken);
        return TypedResults.Ok(new RecoverDeliveriesResponse(id, requeued));
    }

    internal static ApiError NotFound(string id) => ApiError.NotFound($"No webhook endpoint with id {id}");

    private static List<string> NormalizeEvents(IEnumerable<string> events) =>
        events.Select(Subscriptions.Normalize).Distinct(StringComparer.Ordinal).ToList();
}
