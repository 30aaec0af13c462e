namespace OrderCore.Api.Platform.Idempotency;

/// <summary>Deletes expired idempotency records in small batches so that the table stays the size of the retention window.</summary>
public sealed class IdempotencyRecordSweeper(UnitOfWorkFactory units, TimeProvider clock, ILogger<IdempotencyRecordSweeper> logger)
    : PeriodicJob(clock, logger)
{
    private const int BatchSize = 1000;

    protected override TimeSpan Interval => TimeSpan.FromMinutes(5);

    public override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = Clock.GetUtcNow();
        int deleted;
        do
        {
            deleted = await units.RunAsync((work, ct) => work.Db.Database.ExecuteSqlAsync($"""
                DELETE FROM idempotency_records
                WHERE ctid = ANY (ARRAY(SELECT ctid FROM idempotency_records WHERE expires_at <= {now} LIMIT {BatchSize}))
                """, ct), cancellationToken);
        }
        while (deleted == BatchSize);
    }
}
