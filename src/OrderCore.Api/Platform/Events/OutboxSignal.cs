namespace OrderCore.Api.Platform.Events;

/// <summary>A row the outbox's readers wait for (an event, a webhook delivery): committing one wakes them (<see cref="OutboxSignal"/>).</summary>
public interface IOutboxRow;

/// <summary>
/// Wakes whoever reads the outbox (the webhook worker) when a unit of work commits outbox rows, without a <c>NOTIFY</c> in
/// the writing transaction: a <c>NOTIFY</c> there takes a database-wide lock through the commit's WAL flush and so serialises
/// every commit behind it.
/// <list type="bullet">
/// <item>This instance: its readers are called right after the commit (<see cref="Committed"/>).</item>
/// <item>Other instances: one <c>NOTIFY ordercore_outbox</c> per burst, sent outside any transaction by
/// <see cref="OutboxNotifier"/> at most every <see cref="CoalesceWindow"/>; they wake when it arrives, and whenever their
/// <c>LISTEN</c> (re)starts.</item>
/// <item>Polling by the readers stays the guarantee: a lost notification only delays.</item>
/// </list>
/// </summary>
public sealed class OutboxSignal : IPostgresNotificationHandler, IDisposable
{
    public const string ChannelName = "ordercore_outbox";

    /// <summary>The notifications sent to other instances are this far apart at least (a burst of commits sends one).</summary>
    public static readonly TimeSpan CoalesceWindow = TimeSpan.FromMilliseconds(20);

    private readonly List<Action> _readers = [];
    private readonly SemaphoreSlim _pending = new(0, 1);

    /// <summary>Names this instance in its notifications, so that it does not wake itself twice.</summary>
    public string InstanceId { get; } = Guid.NewGuid().ToString("N");

    public string Channel => ChannelName;

    /// <summary>Calls <paramref name="wake"/> whenever outbox rows may have been committed (it must return at once).</summary>
    public void Subscribe(Action wake)
    {
        lock (_readers)
        {
            _readers.Add(wake);
        }
    }

    /// <summary>Outbox rows were committed here: wakes this instance's readers now and schedules one notification for the others.</summary>
    public void Committed()
    {
        WakeReaders();
        Release(_pending);
    }

    public void OnNotification(string payload)
    {
        if (!string.Equals(payload, InstanceId, StringComparison.Ordinal))
        {
            WakeReaders();
        }
    }

    public void OnListeningChanged(bool listening)
    {
        if (listening)
        {
            WakeReaders();
        }
    }

    /// <summary>Waits until a notification to the other instances is due.</summary>
    internal Task WaitForPendingAsync(CancellationToken cancellationToken) => _pending.WaitAsync(cancellationToken);

    public void Dispose() => _pending.Dispose();

    private void WakeReaders()
    {
        Action[] readers;
        lock (_readers)
        {
            readers = [.. _readers];
        }

        foreach (var wake in readers)
        {
            wake();
        }
    }

    private static void Release(SemaphoreSlim signal)
    {
        try
        {
            signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: this burst sends one notification.
        }
    }
}

/// <summary>
/// Sends <see cref="OutboxSignal"/>'s notifications to the other instances: one autocommit <c>NOTIFY</c> (its own tiny
/// transaction, never an order's) per <see cref="OutboxSignal.CoalesceWindow"/> at most, whatever the commit rate.
/// </summary>
public sealed class OutboxNotifier(OutboxSignal signal, IDbContextFactory<OrderCoreDbContext> contexts, TimeProvider clock,
    ILogger<OutboxNotifier> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await signal.WaitForPendingAsync(stoppingToken);
                await using (var db = await contexts.CreateDbContextAsync(stoppingToken))
                {
                    await db.Database.ExecuteSqlAsync($"SELECT pg_notify({OutboxSignal.ChannelName}, {signal.InstanceId})", stoppingToken);
                }

                await Task.Delay(OutboxSignal.CoalesceWindow, clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The other instances' polling covers a lost notification.
                logger.LogDebug(ex, "Could not notify other instances of committed outbox rows");
            }
        }
    }
}
