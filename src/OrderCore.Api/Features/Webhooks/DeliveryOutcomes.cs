namespace OrderCore.Api.Features.Webhooks;

/// <summary>What an attempt's result means for its delivery.</summary>
internal sealed record DeliveryOutcome(DeliveryStatus Status, DateTimeOffset? NextAttemptAt, bool DeactivateEndpoint, string? DeactivationReason);

internal static class DeliveryOutcomes
{
    /// <summary>
    /// 2xx: succeeded. Timeout, connection error, 408, 429, 5xx: retried after the next delay of the schedule
    /// (+/-10 % jitter; at least the capped <c>Retry-After</c> of a 429/503), abandoned after the last.
    /// 410: failed, and the endpoint is deactivated. Any other status (3xx, 4xx) or a refused target: failed.
    /// </summary>
    public static DeliveryOutcome Decide(SendResult result, int attemptNumber, DateTimeOffset now, WebhookOptions options, double jitter)
    {
        switch (result.StatusCode)
        {
            case >= 200 and < 300:
                return new(DeliveryStatus.Succeeded, null, false, null);
            case 410:
                return new(DeliveryStatus.Failed, null, true, "the endpoint answered 410 Gone");
            case null when result.TargetRefused:
                return new(DeliveryStatus.Failed, null, false, null);
            case null or 408 or 429 or >= 500:
                return Retry(result, attemptNumber, now, options, jitter);
            default:
                return new(DeliveryStatus.Failed, null, false, null);
        }
    }

    /// <summary>The delay after attempt <paramref name="attemptNumber"/>, or null when the schedule is spent.</summary>
    public static TimeSpan? DelayAfter(int attemptNumber, WebhookOptions options, double jitter)
    {
        var delays = options.EffectiveRetryDelays;
        return attemptNumber >= 1 && attemptNumber <= delays.Count ? delays[attemptNumber - 1] * (1 + jitter) : null;
    }

    /// <summary>A jitter factor in [-0.1, 0.1].</summary>
    public static double NewJitter() => (Random.Shared.NextDouble() * 2 - 1) * 0.1;

    private static DeliveryOutcome Retry(SendResult result, int attemptNumber, DateTimeOffset now, WebhookOptions options, double jitter)
    {
        if (DelayAfter(attemptNumber, options, jitter) is not { } delay)
        {
            return new(DeliveryStatus.Abandoned, null, false, null);
        }

        if (result.RetryAfter is { } retryAfter)
        {
            var capped = retryAfter > options.MaxRetryAfter ? options.MaxRetryAfter : retryAfter;
            delay = capped > delay ? capped : delay;
        }

        return new(DeliveryStatus.Pending, now + delay, false, null);
    }
}
