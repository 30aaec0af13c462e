using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OrderCore.Api.Platform.Errors;
using OrderCore.Api.Platform.Persistence;

namespace OrderCore.Api.Platform.Auth;

/// <summary>
/// Authenticates <c>X-API-Key: oc_live_...</c> or <c>Authorization: Bearer oc_live_...</c>. The key is
/// looked up by its SHA-256 hash (the key itself is never stored) and the hashes are compared in constant
/// time; the tenant it belongs to becomes the request's <see cref="CurrentTenant"/>.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    OrderCoreDbContext db,
    CurrentTenant currentTenant,
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
        // No cache: one indexed lookup per request, so a revocation is effective at once on every instance.
        var match = await db.Set<ApiKey>()
            .IgnoreQueryFilters()
            .Where(k => k.KeyHash == hash)
            .Join(db.Set<Tenant>(), k => k.TenantId, t => t.Id, (k, t) => new { Key = k, TenantName = t.Name, t.Status, TenantRateLimit = t.RateLimitPerMinute })
            .AsNoTracking()
            .SingleOrDefaultAsync(Context.RequestAborted);

        if (match is null || !CryptographicOperations.FixedTimeEquals(match.Key.KeyHash, hash) || match.Key.RevokedAt is not null)
        {
            return Fail(ApiError.Unauthorized("Invalid API key"));
        }

        if (match.Key.ExpiresAt <= clock.GetUtcNow())
        {
            return Fail(ApiError.Unauthorized("API key expired", "expired_api_key"));
        }

        var key = match.Key;
        currentTenant.Resolve(key.TenantId, match.TenantName, key.Id, key.Scopes);
        var claims = new List<Claim>
        {
            new(TenantIdClaim, key.TenantId),
            new(ApiKeyIdClaim, key.Id),
            new(TenantStatusClaim, match.Status == TenantStatus.Suspended ? TenantStatusText.Suspended : "active"),
            new(RateLimitClaim, (key.RateLimitPerMinute ?? match.TenantRateLimit).ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        claims.AddRange(key.Scopes.Select(s => new Claim(ScopeClaim, s)));
        var identity = new ClaimsIdentity(claims, SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ProblemWriter.WriteAsync(Context, _failure ?? ApiError.Unauthorized("Missing API key"));

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ProblemWriter.WriteAsync(Context, ApiError.ForStatus(StatusCodes.Status403Forbidden));

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
