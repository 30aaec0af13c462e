namespace OrderCore.Api.Features.Webhooks;

/// <summary>Section <c>Webhooks</c> (environment: <c>Webhooks__AllowHttp=true</c>, <c>Webhooks__RetryDelays__0=00:00:05</c>, ...).</summary>
internal sealed class WebhookOptions
{
    /// <summary>Allow <c>http://</c> endpoint URLs (local development only).</summary>
    public bool AllowHttp { get; set; }

    /// <summary>Allow targets that resolve to loopback, private, link-local or unique-local addresses (local development only).</summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>The wait before attempt 2, 3, ...; after the last one a delivery is abandoned. Each gets +/-10 % jitter.</summary>
    public List<TimeSpan> RetryDelays { get; set; } = [];

    /// <summary>The default schedule, used when <see cref="RetryDelays"/> is not configured (about 52 hours).</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultRetryDelays =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10), TimeSpan.FromHours(24),
    ];

    public IReadOnlyList<TimeSpan> EffectiveRetryDelays => RetryDelays.Count > 0 ? RetryDelays : DefaultRetryDelays;

    /// <summary>A receiver that has not answered within this is a retryable failure.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a claimed delivery stays reserved for its worker; well above <see cref="Timeout"/>.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Fallback polling when no notification arrives.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A <c>Retry-After</c> longer than this is shortened to it.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>An endpoint whose outcomes have all been failures for this long is deactivated.</summary>
    public TimeSpan DeactivateAfterFailingFor { get; set; } = TimeSpan.FromDays(5);

    /// <summary>How long a rotated-out secret keeps signing.</summary>
    public TimeSpan PreviousSecretLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Deliveries sent at once by one instance.</summary>
    public int Concurrency { get; set; } = 16;
}
