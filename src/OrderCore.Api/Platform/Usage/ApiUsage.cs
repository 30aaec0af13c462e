using System.Collections.Concurrent;

namespace OrderCore.Api.Platform.Usage;

/// <summary>Authenticated API requests of a tenant in one calendar month (UTC), as flushed so far.</summary>
public sealed class ApiUsage : ITenantOwned
{
    public required string TenantId { get; set; }
    public DateOnly Month { get; init; }
    public long ApiRequests { get; set; }
}

public sealed class ApiUsageConfiguration : IEntityTypeConfiguration<ApiUsage>
{
    public void Configure(EntityTypeBuilder<ApiUsage> builder)
    {
        builder.ToTable("api_usage");
        builder.HasKey(u => new { u.TenantId, u.Month });
        builder.HasOne<Tenant>().WithMany().HasForeignKey(u => u.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class ApiUsageOptions
{
    /// <summary>How often counted requests are written to the database.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// Counts authenticated requests per tenant and month in memory, so that counting adds no database write to
/// a request; <see cref="ApiUsageFlusher"/> adds the counts to <c>api_usage</c> in batches.
/// </summary>
public sealed class ApiRequestCounter(TimeProvider clock)
{
    private readonly ConcurrentDictionary<(string TenantId, DateOnly Month), StrongBox> _counts = new();

    public static DateOnly MonthOf(DateTimeOffset instant) => new(instant.UtcDateTime.Year, instant.UtcDateTime.Month, 1);

    public void Increment(string tenantId) =>
        Interlocked.Increment(ref _counts.GetOrAdd((tenantId, MonthOf(clock.GetUtcNow())), _ => new StrongBox()).Value);

    /// <summary>Counted on this instance and not yet flushed.</summary>
    public long Pending(string tenantId, DateOnly month) => _counts.TryGetValue((tenantId, month), out var box) ? Interlocked.Read(ref box.Value) : 0;

    /// <summary>Takes every non-zero count, leaving zero behind; increments meanwhile land in the next batch.</summary>
    public List<(string TenantId, DateOnly Month, long Count)> Drain()
    {
        var batch = new List<(string, DateOnly, long)>();
        foreach (var (key, box) in _counts)
        {
            var count = Interlocked.Exchange(ref box.Value, 0);
            if (count > 0)
            {
                batch.Add((key.TenantId, key.Month, count));
            }
        }

        return batch;
    }

    /// <summary>Gives back a batch whose write failed, so that the next flush retries it.</summary>
    public void Restore(IEnumerable<(string TenantId, DateOnly Month, long Count)> batch)
    {
        foreach (var (tenantId, month, count) in batch)
        {
            Interlocked.Add(ref _counts.GetOrAdd((tenantId, month), _ => new StrongBox()).Value, count);
        }
    }

    private sealed class StrongBox
    {
        public long Value;
    }
}

/// <summary>Counts every request that authenticated with an API key (after the rate limiter: rejected ones are not counted).</summary>
public sealed class ApiRequestCountingMiddleware(RequestDelegate next, ApiRequestCounter counter)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.User.FindFirst(ApiKeyAuthenticationHandler.TenantIdClaim)?.Value is { } tenantId)
        {
            counter.Increment(tenantId);
        }

        return next(context);
    }
}

/// <summary>
/// Writes the in-memory request counts every <see cref="ApiUsageOptions.FlushInterval"/> and once more at
/// shutdown. A crash loses at most the counts since the last flush (documented in the README).
/// </summary>
public sealed class ApiUsageFlusher(IServiceScopeFactory scopes, ApiRequestCounter counter, Microsoft.Extensions.Options.IOptions<ApiUsageOptions> options,
    TimeProvider clock, ILogger<ApiUsageFlusher> logger) : PeriodicJob(clock, logger)
{
    protected override TimeSpan Interval => options.Value.FlushInterval;

    public override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var batch = counter.Drain();
        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OrderCoreDbContext>();
            // One statement for the whole batch; adding (not setting) keeps several instances' counts.
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO api_usage (tenant_id, month, api_requests)
                SELECT t, m, c FROM unnest({batch.Select(b => b.TenantId).ToArray()}, {batch.Select(b => b.Month).ToArray()}, {batch.Select(b => b.Count).ToArray()}) AS x(t, m, c)
                WHERE EXISTS (SELECT 1 FROM tenants WHERE id = t)
                ON CONFLICT (tenant_id, month) DO UPDATE SET api_requests = api_usage.api_requests + EXCLUDED.api_requests
                """, cancellationToken);
        }
        catch
        {
            counter.Restore(batch);
            throw;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            // Its own few seconds, not the host's shutdown token: when stopping the other services used up the
            // shutdown time (a loaded machine), that token is already cancelled and the counts would be lost.
            using var lastFlush = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await RunOnceAsync(lastFlush.Token);
        }
        catch (Exception ex)
        {
            Logger.LogWarning(ex, "Could not flush the last API request counts at shutdown");
        }
    }
}

public static class ApiUsageSetup
{
    public static void AddApiUsage(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ApiUsageOptions>(configuration.GetSection("Usage"));
        services.AddSingleton<ApiRequestCounter>();
        services.AddSingleton<ApiUsageFlusher>();
        services.AddHostedService(sp => sp.GetRequiredService<ApiUsageFlusher>());
    }
}
