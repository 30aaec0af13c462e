using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using OrderCore.Api.Platform.RateLimiting;

namespace OrderCore.Api.Platform.Auth;

/// <summary>
/// Authenticates <c>X-API-Key: oc_live_...</c> or <c>Authorization: Bearer oc_live_...</c>. The key is
/// looked up by its SHA-256 hash (the key itself is never stored) and the hashes are compared in constant
/// time; the tenant it belongs to becomes the request's <see cref="CurrentTenant"/>. Lookups are cached
/// by <see cref="ApiKeyCache"/>, which every change to a key or tenant empties on every instance.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    OrderCoreDbContext db,
    CurrentTenant currentTenant,
    ApiKeyCache cache,
    FailedAuthenticationLimiter failedAttempts,
    DatabaseRetry retry,
    TimeProvider clock) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string TenantIdClaim = "tenant_id";
    public const string ApiKeyIdClaim = "api_key_id";
    public const string ScopeClaim = "scope";
    public const string TenantStatusClaim = "tenant_status";
    public const string RateLimitClaim = "rate_limit_per_minute";

    private ApiError? _failure;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = ReadPresentedKey(Request);
        if (presented is null)
        {
            return AuthenticateResult.NoResult();
        }

        if (!ApiKeys.IsWellFormed(presented))
        {
            return Fail(ApiError.Unauthorized("Invalid API key"));
        }

        var hash = ApiKeys.Hash(presented);
        var match = await FindAsync(hash);
        if (match is null || match.Revoked)
        {
            return Fail(ApiError.Unauthorized("Invalid API key"));
        }

        if (match.ExpiresAt <= clock.GetUtcNow())
        {
            return Fail(ApiError.Unauthorized("API key expired", "expired_api_key"));
        }

        currentTenant.Resolve(match.TenantId, match.TenantName, match.KeyId, match.Scopes);
        var claims = new List<Claim>
        {
            new(TenantIdClaim, match.TenantId),
            new(ApiKeyIdClaim, match.KeyId),
            new(TenantStatusClaim, match.TenantStatus == TenantStatus.Suspended ? TenantStatusText.Suspended : "active"),
            new(RateLimitClaim, match.RateLimitPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        claims.AddRange(match.Scopes.Select(s => new Claim(ScopeClaim, s)));
        var identity = new ClaimsIdentity(claims, SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>401; a refused key also counts against the client address, whose limit answers 429 (<see cref="FailedAuthenticationLimiter"/>).</summary>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ProblemWriter.WriteAsync(Context, _failure is null ? ApiError.Unauthorized("Missing API key") : failedAttempts.Refuse(Context, _failure));

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ProblemWriter.WriteAsync(Context, ApiError.ForStatus(StatusCodes.Status403Forbidden));

    /// <summary>From the cache, or one indexed lookup (cached for the next request unless a change raced it).</summary>
    private async Task<ApiKeyMatch?> FindAsync(byte[] hash)
    {
        if (cache.TryGet(hash, out var cached))
        {
            return cached;
        }

        var generation = cache.Generation;
        // A read: retried across a database blip, within the request's budget.
        var row = await retry.ExecuteAsync(Context, db, ct => ApiKeys.WithHash(db, hash)
            .Join(db.Set<Tenant>(), k => k.TenantId, t => t.Id, (k, t) => new { Key = k, TenantName = t.Name, t.Status, TenantRateLimit = t.RateLimitPerMinute })
            .AsNoTracking()
            .SingleOrDefaultAsync(ct));
        if (row is null || !CryptographicOperations.FixedTimeEquals(row.Key.KeyHash, hash))
        {
            return null;
        }

        var key = row.Key;
        var match = new ApiKeyMatch(key.Id, key.TenantId, row.TenantName, row.Status, key.Scopes, key.ExpiresAt, key.RevokedAt is not null,
            key.RateLimitPerMinute ?? row.TenantRateLimit);
        cache.Store(hash, match, generation);
        return match;
    }

    private AuthenticateResult Fail(ApiError error)
    {
        _failure = error;
        return AuthenticateResult.Fail(error.Message);
    }

    private static string? ReadPresentedKey(HttpRequest request)
    {
        var header = request.Headers["X-API-Key"].ToString();
        if (header.Length > 0)
        {
            return header.Trim();
        }

        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : null;
    }
}
