using Npgsql;

namespace OrderCore.Api.Platform.Persistence;

/// <summary>Reacts to <c>NOTIFY</c> on one channel; registered in DI, picked up by <see cref="PostgresListener"/>.</summary>
public interface IPostgresNotificationHandler
{
    string Channel { get; }

    void OnNotification(string payload);

    /// <summary>
    /// <c>true</c> once the channel is listened to (after a start or a reconnection: anything notified
    /// before may have been missed); <c>false</c> when the connection is lost (nothing arrives until it is back).
    /// </summary>
    void OnListeningChanged(bool listening);
}

/// <summary>
/// The instance's one <c>LISTEN</c> connection (unpooled, so no pooled connection ever carries a
/// subscription), shared by every <see cref="IPostgresNotificationHandler"/>. Reconnects every second
/// while the database is unreachable and tells the handlers when listening starts and stops.
/// </summary>
public sealed class PostgresListener(IEnumerable<IPostgresNotificationHandler> handlers, IDbContextFactory<OrderCoreDbContext> contexts, TimeProvider clock,
    ILogger<PostgresListener> logger) : BackgroundService
{
    private readonly ILookup<string, IPostgresNotificationHandler> _byChannel = handlers.ToLookup(h => h.Channel, StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_byChannel.Count == 0)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var listening = false;
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString());
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) => Dispatch(e.Channel, e.Payload);
                foreach (var channel in _byChannel)
                {
                    await using var listen = new NpgsqlCommand($"LISTEN {channel.Key}", connection);
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                listening = true;
                SetListening(true);
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "LISTEN connection lost; reconnecting");
            }
            finally
            {
                if (listening)
                {
                    SetListening(false);
                }
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private string ConnectionString()
    {
        using var db = contexts.CreateDbContext();
        var configured = db.Database.GetConnectionString()!;
        return new NpgsqlConnectionStringBuilder(configured) { KeepAlive = 30, Pooling = false }.ConnectionString;
    }

    private void Dispatch(string channel, string payload)
    {
        foreach (var handler in _byChannel[channel])
        {
            handler.OnNotification(payload);
        }
    }

    private void SetListening(bool listening)
    {
        foreach (var handler in _byChannel.SelectMany(c => c))
        {
            handler.OnListeningChanged(listening);
        }
    }
}
