namespace OrderCore.Api.Platform.Events;

public sealed class EventOptions
{
    /// <summary>How long events stay in the feed (<c>Events__Retention</c>); never less than 30 days.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);
}

/// <summary>Deletes events older than the retention window, in small batches.</summary>
public sealed class EventRetentionSweeper(UnitOfWorkFactory units, IOptions<EventOptions> options, TimeProvider clock,
    ILogger<EventRetentionSweeper> logger) : PeriodicJob(clock, logger)
{
    private const int BatchSize = 1000;
    private static readonly TimeSpan MinimumRetention = TimeSpan.FromDays(30);

    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    public override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var retention = options.Value.Retention < MinimumRetention ? MinimumRetention : options.Value.Retention;
        var cutoff = Clock.GetUtcNow() - retention;
        int deleted;
        do
        {
            // By key, not ctid: a ctid match would silently skip a row updated meanwhile.
            deleted = await units.RunAsync((work, ct) => work.Db.Database.ExecuteSqlAsync($"""
                DELETE FROM events
                WHERE (tenant_id, id) IN (SELECT tenant_id, id FROM events WHERE created_at < {cutoff} LIMIT {BatchSize})
                """, ct), cancellationToken);
        }
        while (deleted == BatchSize);
    }
}
