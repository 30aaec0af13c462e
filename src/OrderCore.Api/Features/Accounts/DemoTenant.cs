namespace OrderCore.Api.Features.Accounts;

internal sealed class DemoTenantOptions
{
    /// <summary>From <c>ORDERCORE_DEMO_API_KEY_FILE</c> (set by scripts/run.sh): the key of the local demo tenant.</summary>
    public string? KeyFile { get; set; }
}

/// <summary>
/// For local use: makes sure a "Demo" tenant exists whose key is the one in the key file, so the same
/// key works on every run. The file is written (mode 600) only when missing; the key is never logged.
/// </summary>
internal sealed class DemoTenant(IServiceScopeFactory scopes, IOptions<DemoTenantOptions> options, TimeProvider clock,
    ILogger<DemoTenant> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.KeyFile is not { Length: > 0 } path)
        {
            return;
        }

        string key;
        if (File.Exists(path))
        {
            key = (await File.ReadAllTextAsync(path, cancellationToken)).Trim();
            if (!ApiKeys.IsWellFormed(key))
            {
                throw new InvalidOperationException($"{path} does not hold an oc_live_ API key; delete it to get a new one.");
            }
        }
        else
        {
            key = ApiKeys.Generate();
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            await File.WriteAllTextAsync(path, key + "\n", cancellationToken);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrderCoreDbContext>();
        if (await TenantProvisioning.KeyExistsAsync(db, key, cancellationToken))
        {
            logger.LogInformation("Demo tenant ready (key in {KeyFile})", path);
            return;
        }

        try
        {
            var provisioned = await TenantProvisioning.ProvisionAsync(db, "Demo", 1000, clock.GetUtcNow(), cancellationToken, key, "Demo key");
            logger.LogInformation("Created demo tenant {TenantId} (key in {KeyFile})", provisioned.Tenant.Id, path);
        }
        catch (Exception ex) when (ex.IsUniqueViolation())
        {
            // Another instance created it at the same moment.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
