using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrderCore.Api.Platform.Health;

public sealed record ProbeCheck(string Name, string Status, string? Detail);

/// <summary>A probe's answer: <c>status</c> is <c>pass</c> or <c>fail</c>, with each check.</summary>
public sealed record ProbeResponse(string Status, IReadOnlyList<ProbeCheck> Checks);

public sealed class HealthOptions
{
    /// <summary>A worker that has not finished a pass for this long is reported dead (<c>Health__WorkerStaleAfter</c>).</summary>
    public TimeSpan WorkerStaleAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a readiness check may take before it counts as failed.</summary>
    public TimeSpan CheckTimeout { get; set; } = TimeSpan.FromSeconds(3);
}

/// <summary>
/// Kubernetes-style probes on ASP.NET Core health checks: <c>/health/live</c> (the process answers; no
/// dependency, so a database outage never restarts it) and <c>/health/ready</c> (the database answers, every
/// migration is applied, and the background workers that beat <see cref="WorkerHeartbeats"/> are alive). Both
/// are public and unlimited; <c>GET /health</c> keeps its own answer.
/// </summary>
public static class HealthProbes
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    private const string Live = "live";
    private const string Ready = "ready";

    public static void AddHealthProbes(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<HealthOptions>(configuration.GetSection("Health"));
        services.AddSingleton<WorkerHeartbeats>();
        services.AddHealthChecks()
            .AddCheck("process", () => HealthCheckResult.Healthy("answering"), tags: [Live])
            .AddCheck<DatabaseReadyCheck>("database", tags: [Ready])
            .AddCheck<WorkersAliveCheck>("workers", tags: [Ready]);
    }

    public static void MapHealthProbes(this IEndpointRouteBuilder app)
    {
        app.MapGet(LivePath, (HealthCheckService health, CancellationToken cancellationToken) => ProbeAsync(health, Live, cancellationToken))
            .AllowAnonymous().WithTags("Health").WithName("Liveness")
            .WithSummary("Liveness probe: the process answers (no database check, no auth)")
            .Produces<ProbeResponse>(StatusCodes.Status503ServiceUnavailable);
        app.MapGet(ReadyPath, (HealthCheckService health, CancellationToken cancellationToken) => ProbeAsync(health, Ready, cancellationToken))
            .AllowAnonymous().WithTags("Health").WithName("Readiness")
            .WithSummary("Readiness probe: database reachable, migrations applied, delivery worker alive (no auth)")
            .Produces<ProbeResponse>(StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<Results<Ok<ProbeResponse>, JsonHttpResult<ProbeResponse>>> ProbeAsync(HealthCheckService health, string tag,
        CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(check => check.Tags.Contains(tag), cancellationToken);
        var checks = report.Entries.Select(e => new ProbeCheck(e.Key, e.Value.Status == HealthStatus.Healthy ? "pass" : "fail", e.Value.Description))
            .ToList();
        var body = new ProbeResponse(report.Status == HealthStatus.Healthy ? "pass" : "fail", checks);
        return report.Status == HealthStatus.Healthy
            ? TypedResults.Ok(body)
            : TypedResults.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}

/// <summary>The database answers within the timeout and has every migration this build knows.</summary>
public sealed class DatabaseReadyCheck(OrderCoreDbContext db, IOptions<HealthOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.CheckTimeout);
        try
        {
            var pending = (await db.Database.GetPendingMigrationsAsync(timeout.Token)).ToList();
            return pending.Count == 0
                ? HealthCheckResult.Healthy("reachable, migrations applied")
                : HealthCheckResult.Unhealthy($"{pending.Count} migration(s) not applied: {string.Join(", ", pending)}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The type only: a message may name hosts or users.
            return HealthCheckResult.Unhealthy($"unreachable ({ex.GetType().Name})");
        }
    }
}

/// <summary>
/// When each background worker last finished a pass of its loop. A worker beats once per pass (also a failed
/// one: a database outage is the database check's business), so only a stuck or dead loop goes stale.
/// </summary>
public sealed class WorkerHeartbeats(TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _beats = new(StringComparer.Ordinal);

    public void Beat(string worker) => _beats[worker] = clock.GetUtcNow();

    public IReadOnlyList<(string Worker, TimeSpan Since)> Ages()
    {
        var now = clock.GetUtcNow();
        return _beats.Select(b => (b.Key, now - b.Value)).OrderBy(b => b.Key, StringComparer.Ordinal).ToList();
    }
}

public sealed class WorkersAliveCheck(WorkerHeartbeats heartbeats, IOptions<HealthOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var ages = heartbeats.Ages();
        var stale = ages.Where(a => a.Since > options.Value.WorkerStaleAfter).Select(a => $"{a.Worker} ({(int)a.Since.TotalSeconds} s)").ToList();
        var names = string.Join(", ", ages.Select(a => a.Worker));
        return Task.FromResult(stale.Count == 0
            ? HealthCheckResult.Healthy(ages.Count == 0 ? "no worker has reported yet" : $"alive: {names}")
            : HealthCheckResult.Unhealthy($"no pass for longer than {options.Value.WorkerStaleAfter}: {string.Join(", ", stale)}"));
    }
}
