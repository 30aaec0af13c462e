namespace OrderCore.Api.Platform.Persistence;

public sealed class DatabaseOptions
{
    /// <summary>Apply EF Core migrations at start (default). Several instances may start at once: EF Core serialises them.</summary>
    public bool MigrateOnStartup { get; set; } = true;
}

/// <summary>Applies pending migrations before the server starts taking requests.</summary>
public sealed class DatabaseMigrator(IServiceScopeFactory scopes, Microsoft.Extensions.Options.IOptions<DatabaseOptions> options,
    ILogger<DatabaseMigrator> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.MigrateOnStartup)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrderCoreDbContext>();
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0)
        {
            logger.LogInformation("Applying {Count} database migration(s): {Migrations}", pending.Count, string.Join(", ", pending));
            await db.Database.MigrateAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
