using Microsoft.EntityFrameworkCore;
using OrderCore.Api.Platform.Persistence;

namespace OrderCore.Api.Platform.Idempotency;

/// <summary>Deletes expired idempotency records in small batches so that the table stays the size of the retention window.</summary>
public sealed class IdempotencyRecordSweeper(IServiceScopeFactory scopes, TimeProvider clock, ILogger<IdempotencyRecordSweeper> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<OrderCoreDbContext>();
                var now = clock.GetUtcNow();
                int deleted;
                do
                {
                    deleted = await db.Database.ExecuteSqlAsync($"""
                        DELETE FROM idempotency_records
                        WHERE ctid = ANY (ARRAY(SELECT ctid FROM idempotency_records WHERE expires_at <= {now} LIMIT 1000))
                        """, stoppingToken);
                }
                while (deleted == 1000);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Sweeping expired idempotency records failed; will retry");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
