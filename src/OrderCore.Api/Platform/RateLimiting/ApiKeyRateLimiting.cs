using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace OrderCore.Api.Platform.RateLimiting;

public sealed class RateLimitOptions
{
    /// <summary>The window of <c>rate_limit_per_minute</c>; one minute except in tests, which shorten it.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Per-key rate limiting with ASP.NET Core's rate limiter: a fixed window per API key id, of the key's
/// <c>rate_limit_per_minute</c>. Requests without a key (/health, OpenAPI, Swagger, admin) are not limited.
/// The counters live in this process: with N instances behind a balancer a key gets up to N times its limit.
/// </summary>
public static class ApiKeyRateLimiting
{
    public const string PolicyName = "per-key";

    public static void AddApiKeyRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<RateLimitOptions>(configuration.GetSection("RateLimiting"));
        services.Configure<FailedAuthenticationOptions>(configuration.GetSection("FailedAuthentication"));
        services.AddSingleton<FailedAuthenticationLimiter>();
        services.AddSingleton<KeyWindows>();
        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var user = context.User;
                var keyId = user.FindFirst(ApiKeyAuthenticationHandler.ApiKeyIdClaim)?.Value;
                if (keyId is null || !int.TryParse(user.FindFirst(ApiKeyAuthenticationHandler.RateLimitClaim)?.Value, CultureInfo.InvariantCulture, out var limit))
                {
                    return RateLimitPartition.GetNoLimiter("anonymous");
                }

                var windows = context.RequestServices.GetRequiredService<KeyWindows>();
                var window = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.Window;
                // The limit is part of the partition: a changed limit starts a fresh window.
                var partition = $"{keyId}:{limit}";
                context.Items[KeyWindows.PartitionItem] = (partition, limit, window);
                context.Response.OnStarting(() =>
                {
                    windows.WriteHeaders(context.Response, partition, limit, window);
                    return Task.CompletedTask;
                });
                return RateLimitPartition.Get(partition, p => windows.Create(p, limit, window));
            });
            options.OnRejected = async (rejected, cancellationToken) =>
            {
                // The limiter's own RetryAfter is always the whole window; the RateLimit header's t is when this window ends.
                var retryAfter = rejected.HttpContext.Items[KeyWindows.PartitionItem] is (string partition, int limit, TimeSpan window)
                    ? rejected.HttpContext.RequestServices.GetRequiredService<KeyWindows>().SecondsToReset(rejected.HttpContext, partition, limit, window, rejected: true)
                    : 1;
                OrderCoreTelemetry.RateLimited();
                await ProblemWriter.WriteAsync(rejected.HttpContext, ApiError.ForStatus(StatusCodes.Status429TooManyRequests).With("retry_after", retryAfter));
            };
        });
    }
}

/// <summary>
/// The fixed-window limiter of each key, kept so that the answer can report what remains and when the window resets.
/// The framework's limiter measures its windows on the system's monotonic clock, not on the injected
/// <see cref="TimeProvider"/>, so the reset time here is measured on that same clock.
/// </summary>
public sealed class KeyWindows
{
    private static readonly TimeProvider LimiterClock = TimeProvider.System;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public RateLimiter Create(string partition, int limit, TimeSpan window)
    {
        var limiter = new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit,
            Window = window,
            QueueLimit = 0,
            AutoReplenishment = false,
        });
        _entries[partition] = new Entry(limiter, LimiterClock.GetTimestamp());
        return limiter;
    }

    /// <summary>The request's partition, limit and window, for the answer's headers and a rejection's Retry-After.</summary>
    public const string PartitionItem = "ratelimit.partition";

    private const string ResetItem = "ratelimit.reset";

    /// <summary><c>RateLimit-Policy: "per-key";q=1000;w=60</c> and <c>RateLimit: "per-key";r=&lt;remaining&gt;;t=&lt;seconds&gt;</c>.</summary>
    public void WriteHeaders(HttpResponse response, string partition, int limit, TimeSpan window)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(window.TotalSeconds));
        response.Headers["RateLimit-Policy"] = $"\"{ApiKeyRateLimiting.PolicyName}\";q={limit};w={seconds}";
        var remaining = _entries.TryGetValue(partition, out var entry) ? Remaining(entry, limit) : limit;
        response.Headers["RateLimit"] = $"\"{ApiKeyRateLimiting.PolicyName}\";r={remaining};t={SecondsToReset(response.HttpContext, partition, limit, window, rejected: false)}";
    }

    /// <summary>
    /// Seconds until the window of <paramref name="partition"/> resets, measured once per request: the <c>t</c> of the
    /// <c>RateLimit</c> header and the <c>Retry-After</c> of a 429 are the same number. At least 1 on a rejection.
    /// </summary>
    public int SecondsToReset(HttpContext context, string partition, int limit, TimeSpan window, bool rejected)
    {
        if (context.Items[ResetItem] is int measured)
        {
            return measured;
        }

        int seconds;
        if (!_entries.TryGetValue(partition, out var entry))
        {
            seconds = Math.Max(1, (int)Math.Ceiling(window.TotalSeconds));
        }
        else
        {
            var remaining = Remaining(entry, limit);
            var reset = entry.WindowEndsAfter(LimiterClock.GetTimestamp(), window, remaining == limit - 1 && !rejected);
            seconds = Math.Max(rejected ? 1 : 0, (int)Math.Ceiling(reset.TotalSeconds));
        }

        context.Items[ResetItem] = seconds;
        return seconds;
    }

    private static long Remaining(Entry entry, int limit)
    {
        try
        {
            return entry.Limiter.GetStatistics()?.CurrentAvailablePermits ?? limit;
        }
        catch (ObjectDisposedException)
        {
            return limit;
        }
    }

    private sealed class Entry(RateLimiter limiter, long createdAt)
    {
        private readonly Lock _gate = new();
        private long _windowStart = createdAt;

        public RateLimiter Limiter { get; } = limiter;

        /// <summary>
        /// The limiter does not expose its window start; the first permit taken in a window marks it. That is
        /// at or after the real start, so the reported reset is never earlier than the real one.
        /// </summary>
        public TimeSpan WindowEndsAfter(long now, TimeSpan window, bool firstOfWindow)
        {
            lock (_gate)
            {
                if (firstOfWindow || LimiterClock.GetElapsedTime(_windowStart, now) >= window)
                {
                    _windowStart = now;
                }

                return window - LimiterClock.GetElapsedTime(_windowStart, now);
            }
        }
    }
}
