namespace OrderCore.Api.Platform.Events;

public sealed class EventOptions
{
    /// <summary>Events are kept at least this long, whatever <see cref="Retention"/> says.</summary>
    public static readonly TimeSpan MinimumRetention = TimeSpan.FromDays(30);

    /// <summary>How long events stay in the feed (<c>Events__Retention</c>); never less than <see cref="MinimumRetention"/>.</summary>
    public TimeSpan Retention { get; set; } = MinimumRetention;
}

/// <summary>Deletes events older than the retention window, in small batches.</summary>
public sealed class EventRetentionSweeper(UnitOfWorkFactory units, IOptions<EventOptions> options, TimeProvider clock,
    ILogger<EventRetentionSweeper> logger) : PeriodicJob(clock, logger)
{
    private const int BatchSize = 1000;

    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    public override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var retention = options.Value.Retention < EventOptions.MinimumRetention ? EventOptions.MinimumRetention : options.Value.Retention;
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
