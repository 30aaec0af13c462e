namespace OrderCore.Api.Features.Webhooks;

/// <summary>Which events an endpoint receives: exact names, <c>prefix.*</c>, or <c>*</c>.</summary>
internal static class Subscriptions
{
    /// <summary>The event the go-live check, the metrics and the smoke test centre on; the smoke route emits a synthetic one.</summary>
    public const string CheckoutCompleted = "checkout.completed";

    public const string Rule = "must be a known event name (e.g. order.created), a prefix pattern such as order.*, or *";

    public static string Normalize(string pattern) => pattern.Trim().ToLowerInvariant();

    public static bool IsValid(EventCatalog events, string? pattern)
    {
        if (pattern is null)
        {
            return false;
        }

        var p = Normalize(pattern);
        return p == "*"
            || events.IsKnown(p)
            || (p.EndsWith(".*", StringComparison.Ordinal) && events.All.Any(t => t.StartsWith(p[..^1], StringComparison.Ordinal)));
    }

    public static bool Matches(IEnumerable<string> patterns, string eventType) =>
        patterns.Any(p => p == "*" || p == eventType || (p.EndsWith(".*", StringComparison.Ordinal) && eventType.StartsWith(p[..^1], StringComparison.Ordinal)));
}

internal record WebhookEndpointResponse(
    string Id,
    string Url,
    string? Description,
    IReadOnlyList<string> Events,
    bool Active,
    DateTimeOffset? DeactivatedAt,
    string? DeactivatedReason,
    DateTimeOffset? PreviousSecretExpiresAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static WebhookEndpointResponse From(WebhookEndpoint e, DateTimeOffset now) => new(
        e.Id, e.Url, e.Description, e.Events, e.Active, e.DeactivatedAt, e.DeactivatedReason,
        e.PreviousSecretExpiresAt > now ? e.PreviousSecretExpiresAt : null, e.CreatedAt, e.UpdatedAt);
}

/// <summary>The answer of create and rotate-secret: the only place the secret is ever shown.</summary>
internal sealed record WebhookEndpointWithSecretResponse : WebhookEndpointResponse
{
    private WebhookEndpointWithSecretResponse(WebhookEndpointResponse endpoint, string secret)
        : base(endpoint) => Secret = secret;

    [Description("whsec_...: shown only in this answer; store it now.")]
    public string Secret { get; }

    public static WebhookEndpointWithSecretResponse From(WebhookEndpoint e, string secret, DateTimeOffset now) =>
        new(WebhookEndpointResponse.From(e, now), secret);
}

/// <summary>POST /v1/webhooks/endpoints.</summary>
internal sealed record CreateWebhookEndpointRequest
{
    [Required]
    [Description("https:// URL that receives the deliveries.")]
    public string? Url { get; init; }

    [Required]
    [Description("Event names (lower-cased), prefix patterns such as order.*, or *.")]
    public List<string>? Events { get; init; }

    public string? Description { get; init; }
}

/// <summary>PATCH /v1/webhooks/endpoints/{id}: only the fields sent change; <c>active: true</c> reactivates.</summary>
internal sealed record UpdateWebhookEndpointRequest
{
    public string? Url { get; init; }
    public List<string>? Events { get; init; }
    public string? Description { get; init; }
    public bool? Active { get; init; }
}

internal sealed class CreateWebhookEndpointRequestValidator : AbstractValidator<CreateWebhookEndpointRequest>
{
    public CreateWebhookEndpointRequestValidator(EventCatalog events)
    {
        RuleFor(r => r.Url).NotEmpty().WithMessage("is required").MaximumLength(2048).WithMessage("must be at most 2048 characters");
        RuleFor(r => r.Events).NotEmpty().WithMessage("must list at least one event");
        RuleForEach(r => r.Events).Must(e => Subscriptions.IsValid(events, e)).WithMessage(Subscriptions.Rule);
        RuleFor(r => r.Description).MaximumLength(500).WithMessage("must be at most 500 characters");
    }
}

internal sealed class UpdateWebhookEndpointRequestValidator : AbstractValidator<UpdateWebhookEndpointRequest>
{
    public UpdateWebhookEndpointRequestValidator(EventCatalog events)
    {
        RuleFor(r => r.Url).MaximumLength(2048).WithMessage("must be at most 2048 characters");
        RuleFor(r => r.Events).Must(e => e is null || e.Count > 0).WithMessage("must list at least one event");
        RuleForEach(r => r.Events).Must(e => Subscriptions.IsValid(events, e)).WithMessage(Subscriptions.Rule);
        RuleFor(r => r.Description).MaximumLength(500).WithMessage("must be at most 500 characters");
    }
}

/// <summary>POST /v1/webhooks/endpoints/{id}/recover.</summary>
internal sealed record RecoverDeliveriesRequest
{
    [Required]
    [Description("Re-queue failed and abandoned deliveries created at or after this time.")]
    public DateTimeOffset? Since { get; init; }
}

internal sealed class RecoverDeliveriesRequestValidator : AbstractValidator<RecoverDeliveriesRequest>
{
    public RecoverDeliveriesRequestValidator() => RuleFor(r => r.Since).NotNull().WithMessage("is required");
}

internal sealed record RecoverDeliveriesResponse(string EndpointId, int Requeued);

internal enum SmokeMode
{
    Standard,
    Retryable,
}

/// <summary>POST /v1/webhooks/smoke.</summary>
internal sealed record SmokeRequest
{
    [Description("standard (default): one signed delivery; retryable: the first attempt is recorded as a simulated failure, the retry is sent.")]
    public SmokeMode? Mode { get; init; }

    [Description("Default checkout.completed.")]
    public string? EventType { get; init; }
}

internal sealed class SmokeRequestValidator : AbstractValidator<SmokeRequest>
{
    public SmokeRequestValidator(EventCatalog events) =>
        RuleFor(r => r.EventType).Must(t => t is null || events.IsKnown(Subscriptions.Normalize(t)))
            .WithMessage("must be a known event name");
}

internal sealed record SmokeResponse(string EventId, string EventType, SmokeMode Mode, IReadOnlyList<string> DeliveryIds);

internal record WebhookDeliveryResponse(
    string Id,
    string EventId,
    string EventType,
    [property: Description("The endpoint of an event delivery; null for a notification's call.")] string? EndpointId,
    [property: Description("The per-order notification whose call this is; null for an endpoint's delivery.")] string? NotificationId,
    DeliveryStatus Status,
    int Attempt,
    DateTimeOffset? NextRetryAt,
    int? LastStatusCode,
    string? LastError,
    int? LatencyMs,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DeliveredAt)
{
    public static WebhookDeliveryResponse From(WebhookDelivery d) => new(
        d.Id, d.EventId, d.EventType, d.EndpointId, d.NotificationId, d.Status, d.Attempt, d.Status == DeliveryStatus.Pending ? d.NextAttemptAt : null,
        d.LastStatusCode, d.LastError, d.LatencyMs, d.CreatedAt, d.DeliveredAt);
}

internal sealed record WebhookAttemptResponse(int Attempt, DateTimeOffset AttemptedAt, int? StatusCode, int DurationMs, string? Error, string? ResponseBody)
{
    public static WebhookAttemptResponse From(WebhookAttempt a) => new(a.Number, a.AttemptedAt, a.StatusCode, a.DurationMs, a.Error, a.ResponseBody);
}

/// <summary>A delivery as the list shows it, with every attempt.</summary>
internal sealed record WebhookDeliveryDetailResponse : WebhookDeliveryResponse
{
    public WebhookDeliveryDetailResponse(WebhookDeliveryResponse delivery, IReadOnlyList<WebhookAttemptResponse> attempts)
        : base(delivery) => Attempts = attempts;

    public IReadOnlyList<WebhookAttemptResponse> Attempts { get; }
}

internal sealed record WebhookMetricsResponse(
    string? EventType,
    int WindowHours,
    [property: Description("succeeded / (succeeded + failed + abandoned + retrying): every delivery whose last attempt failed counts; null when none was attempted.")]
    double? SuccessRate,
    long Succeeded,
    long Failed,
    [property: Description("Deliveries still to be sent, retrying ones included.")] long Pending,
    [property: Description("Pending deliveries whose last attempt failed (they will be retried); part of pending.")] long Retrying,
    long Abandoned,
    [property: Description("95th percentile (nearest rank) of the latency of succeeded deliveries.")] int? P95LatencyMs);
