namespace OrderCore.Api.Features.Accounts;

internal sealed record AccountAuthResponse(
    string TenantId,
    string TenantName,
    string AuthMode,
    string ApiKeyId,
    string ApiKeyPrefix,
    IReadOnlyList<string> ApiKeyScopes,
    int RateLimitPerMinute,
    DateTimeOffset? ApiKeyExpiresAt,
    int? ApiKeyExpiresInDays,
    ApiKeyStatus? ApiKeyExpiryStatus);

internal sealed record ApiKeyCounts(int Active, int ExpiringSoon, int Expired, int Revoked);

internal sealed record AccountStatusResponse(
    string TenantId,
    string TenantName,
    TenantPlan Plan,
    TenantStatus PlanStatus,
    DateTimeOffset? TrialEndsAt,
    int RateLimitPerMinute,
    ApiKeyCounts ApiKeys);

/// <summary><c>GET /v1/account/auth</c> and <c>GET /v1/account/status</c>.</summary>
internal static class AccountInfo
{
    public static async Task<Ok<AccountAuthResponse>> Auth(OrderCoreDbContext db, CurrentTenant tenant, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var key = await db.Set<ApiKey>().AsNoTracking().SingleAsync(k => k.Id == tenant.ApiKeyId, cancellationToken);
        var rateLimit = key.RateLimitPerMinute ?? await ApiKeyManagement.TenantRateLimitAsync(db, tenant.RequiredId, cancellationToken);
        return TypedResults.Ok(new AccountAuthResponse(
            tenant.RequiredId, tenant.Name!, "api_key", key.Id, key.Prefix, key.Scopes, rateLimit,
            key.ExpiresAt, ApiKeyExpiry.DaysLeft(key, now), key.ExpiresAt is null ? null : ApiKeyExpiry.StatusOf(key, now)));
    }

    public static async Task<Ok<AccountStatusResponse>> Status(OrderCoreDbContext db, CurrentTenant tenant, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var account = await db.Set<Tenant>().AsNoTracking().SingleAsync(t => t.Id == tenant.Id, cancellationToken);
        var statuses = (await db.Set<ApiKey>().AsNoTracking().ToListAsync(cancellationToken)).Select(k => ApiKeyExpiry.StatusOf(k, now)).ToList();
        return TypedResults.Ok(new AccountStatusResponse(
            account.Id, account.Name, account.Plan, account.Status, account.TrialEndsAt, account.RateLimitPerMinute,
            new ApiKeyCounts(
                statuses.Count(s => s == ApiKeyStatus.Active),
                statuses.Count(s => s == ApiKeyStatus.ExpiringSoon),
                statuses.Count(s => s == ApiKeyStatus.Expired),
                statuses.Count(s => s == ApiKeyStatus.Revoked))));
    }
}
