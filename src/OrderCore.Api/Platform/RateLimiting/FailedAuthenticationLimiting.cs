using System.Threading.RateLimiting;

namespace OrderCore.Api.Platform.RateLimiting;

public sealed class FailedAuthenticationOptions
{
    /// <summary>Failed authentications (a wrong, revoked or expired key or admin token) one client address may make per window; 0 turns the limit off.</summary>
    public int AttemptsPerMinute { get; set; } = 60;

    /// <summary>One minute except in tests, which shorten it.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Limits failed authentication per client address (<see cref="ConnectionInfo.RemoteIpAddress"/>) with ASP.NET Core's
/// rate limiter: a fixed window per address, taken from only when a presented credential is refused. Past the limit the
/// refusal is 429 <c>rate_limited</c> with <c>Retry-After</c> instead of 401. A valid key is authenticated as always, so
/// it is never slowed by guesses from the same address. The counters live in this process, like the per-key limits.
/// </summary>
public sealed class FailedAuthenticationLimiter : IDisposable
{
    private readonly FailedAuthenticationOptions _options;
    private readonly PartitionedRateLimiter<string> _limiter;

    public FailedAuthenticationLimiter(IOptions<FailedAuthenticationOptions> options)
    {
        _options = options.Value;
        _limiter = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address,
            _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = Math.Max(1, _options.AttemptsPerMinute),
                Window = _options.Window,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    /// <summary>Counts a refused credential from the request's address; the refusal to answer: 401 <paramref name="failure"/>, or 429 past the limit.</summary>
    public ApiError Refuse(HttpContext context, ApiError failure)
    {
        if (_options.AttemptsPerMinute <= 0)
        {
            return failure;
        }

        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        using var lease = _limiter.AttemptAcquire(address);
        if (lease.IsAcquired)
        {
            return failure;
        }

        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : _options.Window;
        OrderCoreTelemetry.RateLimited();
        return new ApiError(StatusCodes.Status429TooManyRequests, "rate_limited", "Too many failed authentication attempts from this address")
            .With("retry_after", Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)));
    }

    public void Dispose() => _limiter.Dispose();
}
