using System.Text.Json.Serialization;

namespace OrderCore.Api.Features.Notifications;

/// <summary>The fields a notification and a hook are created with alike.</summary>
internal abstract record OrderSubscriptionRequest
{
    [Description("The adapter (integration) this belongs to: its own changes (x-adapterid) do not trigger it, and {configuration.adapter.<key>} reads its configuration. adapterId is accepted as an alias.")]
    public string? AdapterId { get; init; }

    [JsonPropertyName("adapterId")]
    [Description("Alias of adapter_id, as the reference spells it.")]
    public string? AdapterIdAlias { get; init; }

    public string? Description { get; init; }

    [Required]
    [Description("JSON Pointer (RFC 6901) into the order as the API shows it, e.g. /status; not into an array.")]
    public string? Scope { get; init; }

    [Description("JSON Schema 2020-12 the new value at scope must satisfy; without one, any change of the value triggers.")]
    public JsonNode? Schema { get; init; }

    [Required]
    [Description("URL to call; may contain {order.<path>} and {configuration.adapter.<key>}.")]
    public string? Invoke { get; init; }

    public string? Adapter() => AdapterId ?? AdapterIdAlias;
}

/// <summary>POST /v1/orders/{order_id}/notifications.</summary>
internal sealed record CreateNotificationRequest : OrderSubscriptionRequest
{
    [Description("Optional client-chosen id ([A-Za-z0-9._:-], 1 to 128 characters), unique within the tenant.")]
    public string? Id { get; init; }

    [Description("Your reference, to track one kind of notification across orders.")]
    public string? Reference { get; init; }

    [Description("v1 (default): the order as the API shows it; v0: the order as it is stored.")]
    public NotificationVersion? Version { get; init; }

    [Description("Milliseconds between the change and the call: 0 (default) to 3,600,000.")]
    public int? Delay { get; init; }
}

/// <summary>POST /v1/orders/{order_id}/hooks.</summary>
internal sealed record CreateHookRequest : OrderSubscriptionRequest
{
    [Description("How long the change waits for the answer: 100 to 5000 ms (default 2000).")]
    public int? TimeoutMs { get; init; }

    [Description("reject (default): a timeout, 5xx or unreachable hook refuses the change with 503 hook_unavailable; allow: the change proceeds.")]
    public HookErrorPolicy? OnError { get; init; }
}

internal abstract class OrderSubscriptionRequestValidator<T> : AbstractValidator<T> where T : OrderSubscriptionRequest
{
    protected OrderSubscriptionRequestValidator()
    {
        RuleFor(r => r.AdapterId).ValidWritableId();
        RuleFor(r => r.AdapterIdAlias).ValidWritableId().OverridePropertyName("adapterId");
        RuleFor(r => r.AdapterIdAlias).Must((r, alias) => alias is null || r.AdapterId is null || alias == r.AdapterId)
            .WithMessage("must equal adapter_id when both are given").OverridePropertyName("adapterId");
        RuleFor(r => r.Description).MaximumLength(500).WithMessage("must be at most 500 characters");
        RuleFor(r => r.Scope).NotNull().WithMessage("is required").MaximumLength(1024).WithMessage("must be at most 1024 characters");
        RuleFor(r => r.Invoke).NotEmpty().WithMessage("is required").MaximumLength(2048).WithMessage("must be at most 2048 characters");
    }
}

internal sealed class CreateNotificationRequestValidator : OrderSubscriptionRequestValidator<CreateNotificationRequest>
{
    public CreateNotificationRequestValidator()
    {
        RuleFor(r => r.Id).ValidWritableId();
        RuleFor(r => r.Reference).MaximumLength(255).WithMessage("must be at most 255 characters");
        RuleFor(r => r.Delay).InclusiveBetween(0, OrderNotifications.MaxDelayMs).WithMessage("must be between 0 and 3600000 (ms)");
    }
}

internal sealed class CreateHookRequestValidator : OrderSubscriptionRequestValidator<CreateHookRequest>
{
    public CreateHookRequestValidator() =>
        RuleFor(r => r.TimeoutMs).InclusiveBetween(OrderHooks.MinTimeoutMs, OrderHooks.MaxTimeoutMs).WithMessage("must be between 100 and 5000 (ms)");
}

internal record NotificationResponse(
    string Id,
    string OrderId,
    string? AdapterId,
    string? Reference,
    string? Description,
    string Scope,
    JsonNode? Schema,
    string Invoke,
    NotificationVersion Version,
    [property: Description("Milliseconds between the change and the call.")] int Delay,
    DateTimeOffset CreatedAt)
{
    public static NotificationResponse From(OrderNotification n) => new(n.Id, n.OrderId, n.AdapterId, n.Reference, n.Description, n.Scope,
        OrderSubscriptions.SchemaNode(n), n.Invoke, n.Version, n.DelayMs, n.CreatedAt);
}

/// <summary>The answer of create: the only place the signing secret is ever shown.</summary>
internal sealed record NotificationWithSecretResponse : NotificationResponse
{
    public NotificationWithSecretResponse(OrderNotification notification, string secret)
        : base(From(notification)) => Secret = secret;

    [Description("whsec_...: signs every call of this notification; shown only in this answer.")]
    public string Secret { get; }
}

internal record HookResponse(
    string Id,
    string OrderId,
    string? AdapterId,
    string? Description,
    string Scope,
    JsonNode? Schema,
    string Invoke,
    int TimeoutMs,
    HookErrorPolicy OnError,
    DateTimeOffset CreatedAt)
{
    public static HookResponse From(OrderHook h) => new(h.Id, h.OrderId, h.AdapterId, h.Description, h.Scope, OrderSubscriptions.SchemaNode(h), h.Invoke,
        h.TimeoutMs, h.OnError, h.CreatedAt);
}

/// <summary>The answer of create: the only place the signing secret is ever shown.</summary>
internal sealed record HookWithSecretResponse : HookResponse
{
    public HookWithSecretResponse(OrderHook hook, string secret)
        : base(From(hook)) => Secret = secret;

    [Description("whsec_...: signs every call of this hook; shown only in this answer.")]
    public string Secret { get; }
}

/// <summary>What a notification's call carries.</summary>
internal sealed record NotificationBody(string NotificationId, string? Reference, string OrderId, string Scope, JsonNode? Value, JsonNode Order);

/// <summary>What a hook's call carries: the order as it would be after the change.</summary>
internal sealed record HookCallBody(string HookId, string OrderId, string Scope, JsonNode? Value, JsonNode Order);

/// <summary>GET and PUT /v1/adapters/{adapter_id}/configuration.</summary>
internal sealed record AdapterConfigurationResponse(
    string AdapterId,
    [property: Description("The keys {configuration.adapter.<key>} reads, as they were PUT.")] JsonObject Configuration,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static AdapterConfigurationResponse From(AdapterConfiguration c) => new(c.AdapterId, c.Values ?? [], c.CreatedAt, c.UpdatedAt);
}
