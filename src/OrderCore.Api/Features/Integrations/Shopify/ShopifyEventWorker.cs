using OrderCore.Api.Features.Orders;

namespace OrderCore.Api.Features.Integrations;

internal sealed record ClaimedShopifyEvent(string TenantId, string Id);

/// <summary>
/// Processes accepted Shopify events after their webhook was answered, on every instance at once. Due events of every
/// tenant are claimed in one statement (<c>FOR UPDATE SKIP LOCKED</c>) and each is processed in a savepoint of the
/// claiming transaction, so an event is either fully applied and marked processed, or left as it was and marked failed
/// (or due again): a crash before the commit leaves it pending for the next pass, never half done.
/// </summary>
internal sealed class ShopifyEventWorker(UnitOfWorkFactory units, ShopifyWakeup wakeup, IOptions<ShopifyOptions> options, TimeProvider clock, OrderChangeChecks checks,
    ILogger<ShopifyEventWorker> logger) : BackgroundService
{
    private const int Batch = 20;
    private const string Savepoint = "shopify_event";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.ProcessEvents)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var busy = false;
            try
            {
                busy = await RunOnceAsync(stoppingToken) > 0;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Shopify event pass failed; retrying shortly");
            }

            if (!busy)
            {
                try
                {
                    await wakeup.WaitAsync(options.Value.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Processes up to one batch of due events; answers how many it took.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var work = await units.BeginAsync(cancellationToken);
        var now = clock.GetUtcNow();
        // The rows stay locked until the commit: another instance skips them, so each event is processed once at a time.
        var claimed = await work.Db.Database.SqlQuery<ClaimedShopifyEvent>($"""
            SELECT tenant_id, id FROM shopify_webhook_events
            WHERE status = 'pending' AND next_attempt_at <= {now}
            ORDER BY id LIMIT {Batch}
            FOR UPDATE SKIP LOCKED
            """).ToListAsync(cancellationToken);

        foreach (var item in claimed)
        {
            await work.SavepointAsync(Savepoint, cancellationToken);
            try
            {
                await work.RunAsTenantAsync(item.TenantId, ct => ShopifyEventProcessing.ProcessAsync(work.Db, checks, item.TenantId, item.Id, clock.GetUtcNow(), ct),
                    cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Nothing of the attempt stays (no order, no reservation): only its outcome is recorded.
                await work.RollbackToSavepointAsync(Savepoint, cancellationToken);
                if (ex is not ApiException)
                {
                    logger.LogWarning(ex, "Shopify event {EventId} could not be processed", item.Id);
                }

                await work.RunAsTenantAsync(item.TenantId, ct => ShopifyEventProcessing.RecordFailureAsync(work.Db, item.Id, ex, clock.GetUtcNow(), ct),
                    cancellationToken);
            }
        }

        await work.CommitAsync(cancellationToken);
        return claimed.Count;
    }
}
