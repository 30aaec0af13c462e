using OrderCore.Api.Features.Orders;

namespace OrderCore.Api.Features.Accounts;

internal sealed record ProvisionedTenant(Tenant Tenant, ApiKey ApiKey, string PlainKey);

/// <summary>Creates tenants and their first API key (operator route and the local demo tenant).</summary>
internal static class TenantProvisioning
{
    public static readonly TimeSpan TrialLength = TimeSpan.FromDays(14);

    /// <summary>
    /// Saves a tenant and a full-access key, and creates the tenant's order-number sequence.
    /// <paramref name="plainKey"/> defaults to a new key.
    /// </summary>
    public static async Task<ProvisionedTenant> ProvisionAsync(OrderCoreDbContext db, string name, int rateLimitPerMinute, DateTimeOffset now,
        CancellationToken cancellationToken, string? plainKey = null, string keyName = "Default key", TenantPlan plan = TenantPlan.Trial)
    {
        var tenant = new Tenant
        {
            Id = Ids.New(Ids.Tenant), Name = name, RateLimitPerMinute = rateLimitPerMinute, Plan = plan,
            TrialEndsAt = plan == TenantPlan.Trial ? now + TrialLength : null, CreatedAt = now,
        };
        plainKey ??= ApiKeys.Generate();
        var apiKey = new ApiKey
        {
            TenantId = tenant.Id,
            Id = Ids.New(Ids.ApiKey),
            Name = keyName,
            Prefix = ApiKeys.DisplayPrefix(plainKey),
            KeyHash = ApiKeys.Hash(plainKey),
            Scopes = [ApiKeys.AllScopes],
            CreatedAt = now,
        };
        db.Set<Tenant>().Add(tenant);
        db.Set<ApiKey>().Add(apiKey);
        await db.SaveChangesAsync(cancellationToken);
        await OrderNumbers.CreateSequenceAsync(db, tenant.Id, cancellationToken);
        return new ProvisionedTenant(tenant, apiKey, plainKey);
    }

    public static Task<bool> KeyExistsAsync(OrderCoreDbContext db, string plainKey, CancellationToken cancellationToken) =>
        ApiKeys.WithHash(db, ApiKeys.Hash(plainKey)).AnyAsync(cancellationToken);
}
