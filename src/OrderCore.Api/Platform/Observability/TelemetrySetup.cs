using System.Net;
using System.Reflection;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace OrderCore.Api.Platform.Observability;

public sealed class MetricsOptions
{
    /// <summary>Where Prometheus scrapes (<c>Metrics__Path</c>).</summary>
    public string Path { get; set; } = "/metrics";

    /// <summary>Answer scrapes from other hosts too (<c>Metrics__AllowRemote</c>); by default only loopback callers get the series.</summary>
    public bool AllowRemote { get; set; }

    /// <summary>How often the outbox backlog is counted (<c>Metrics__BacklogSampleInterval</c>).</summary>
    public TimeSpan BacklogSampleInterval { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// OpenTelemetry: traces of requests, database commands, outgoing HTTP (webhook sends) and OrderCore's own spans;
/// metrics of ASP.NET Core (request rate and latency by route), HttpClient and <see cref="OrderCoreTelemetry"/>, on a
/// Prometheus scrape endpoint, and over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
public static class TelemetrySetup
{
    public static string ServiceVersion { get; } =
        typeof(TelemetrySetup).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    public static void AddTelemetry(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<MetricsOptions>(builder.Configuration.GetSection("Metrics"));
        services.AddHostedService<OutboxBacklogSampler>();

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("ordercore", serviceVersion: ServiceVersion))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddMeter(OrderCoreTelemetry.Name)
                // Every scrape sees the counters as they are (the exporter's default caches answers briefly).
                .AddPrometheusExporter(options => options.ScrapeResponseCacheDurationMilliseconds = 0))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsOperational(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddSource(OrderCoreTelemetry.Name));
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }
    }

    /// <summary>
    /// The Prometheus scrape endpoint (loopback callers only unless <see cref="MetricsOptions.AllowRemote"/>; others get
    /// the usual 404), and the count of idempotent replays (whichever component answers them).
    /// </summary>
    public static void UseTelemetry(this IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<IOptions<MetricsOptions>>().Value;
        app.UseOpenTelemetryPrometheusScrapingEndpoint(context => IsScrape(context, options));
        app.Use(async (context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                if (context.Response.Headers.ContainsKey(ApiHeaders.IdempotentReplayed))
                {
                    OrderCoreTelemetry.IdempotentReplay();
                }

                return Task.CompletedTask;
            });
            await next(context);
        });
    }

    public static bool IsScrape(HttpContext context, MetricsOptions options) =>
        context.Request.Path.Equals(options.Path, StringComparison.OrdinalIgnoreCase)
        && (options.AllowRemote || (context.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)));

    /// <summary>Probes and scrapes: polled all the time, not worth a trace each.</summary>
    private static bool IsOperational(PathString path) =>
        path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Counts committed events not yet dispatched to webhooks: those past the dispatch cursor (an index range, kept cheap).</summary>
public sealed class OutboxBacklogSampler(IServiceScopeFactory scopes, IOptions<MetricsOptions> options, TimeProvider clock,
    ILogger<OutboxBacklogSampler> logger) : PeriodicJob(clock, logger)
{
    private bool _migrated;

    protected override TimeSpan Interval => options.Value.BacklogSampleInterval;

    public override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrderCoreDbContext>();
        // At start the migrator may still be creating the table.
        _migrated = _migrated || !(await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any();
        if (!_migrated)
        {
            return;
        }

        // Every tenant's backlog: one statement across tenants (the query filter would see none).
        var backlog = await OutboxCursor.BacklogAsync(db, OutboxCursor.Webhooks, cancellationToken);
        OrderCoreTelemetry.OutboxBacklog(backlog);
    }
}
