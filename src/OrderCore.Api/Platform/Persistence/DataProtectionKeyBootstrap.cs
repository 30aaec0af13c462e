using Microsoft.AspNetCore.DataProtection.KeyManagement;

namespace OrderCore.Api.Platform.Persistence;

/// <summary>
/// Makes sure the shared Data Protection key ring has an active key before anything protects data, under
/// a database lock: instances starting together on an empty database would otherwise each create a key
/// of their own and, until their next key-ring refresh, fail to read what the others encrypted.
/// Runs after the migrator and before Data Protection loads its key ring.
/// </summary>
public sealed class DataProtectionKeyBootstrap(UnitOfWorkFactory units, IKeyManager keys, TimeProvider clock,
    ILogger<DataProtectionKeyBootstrap> logger) : IHostedService
{
    private static readonly TimeSpan KeyLifetime = TimeSpan.FromDays(90);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var work = await units.BeginAsync(cancellationToken);
            await work.Db.LockAsync("data-protection-first-key", cancellationToken);
            var now = clock.GetUtcNow();
            if (!keys.GetAllKeys().Any(k => !k.IsRevoked && k.ActivationDate <= now && k.ExpirationDate > now))
            {
                keys.CreateNewKey(now, now + KeyLifetime);
            }

            await work.CommitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not check the Data Protection key ring at start; it is created on first use");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
