using System.Buffers.Text;
using System.Linq.Expressions;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using OrderCore.Api.Platform.RateLimiting;

namespace OrderCore.Api.Features.Checkout;

/// <summary>Minting checkout access tokens (<c>cat_...</c>): short-lived, bound to the tenant and the minting key.</summary>
internal static class CheckoutAccessTokens
{
    public const string Prefix = "cat_";
    public const string IdPrefix = "catk";
    public const int DefaultTtlMinutes = 15;

    public static async Task<Created<CheckoutAccessTokenResponse>> Create(CreateCheckoutAccessTokenRequest request, OrderCoreDbContext db,
        CurrentTenant tenant, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        // Same shape of secret as an API key (32 random bytes); only its SHA-256 is stored.
        var token = Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var row = new CheckoutAccessToken
        {
            Id = Ids.New(IdPrefix),
            TokenHash = ApiKeys.Hash(token),
            ApiKeyId = tenant.ApiKeyId!,
            AllowedSkus = request.AllowedSkus?.Distinct(StringComparer.Ordinal).ToList(),
            MaxQuantity = request.MaxQuantity,
            ExpiresAt = now.AddMinutes(request.TtlMinutes ?? DefaultTtlMinutes),
            CreatedAt = now,
        };
        db.CheckoutAccessTokens.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created((string?)null,
            new CheckoutAccessTokenResponse(row.Id, token, "Bearer", row.ExpiresAt, row.AllowedSkus, row.MaxQuantity, row.ApiKeyId, row.CreatedAt));
    }

    /// <summary>The token's limits on what a session may hold: allowed SKUs (by id or code) and units in total.</summary>
    public static ApiError? CheckLimits(CheckoutAccessToken token, IReadOnlyList<CheckoutLine> lines)
    {
        if (token.AllowedSkus is { } allowed && lines.FirstOrDefault(l => !allowed.Contains(l.SkuId) && !allowed.Contains(l.SkuCode)) is { } outside)
        {
            return new ApiError(StatusCodes.Status403Forbidden, "sku_not_allowed", $"This checkout token may not buy SKU {outside.SkuCode}")
                .With("sku_id", outside.SkuId);
        }

        var units = lines.Sum(l => l.Quantity);
        return token.MaxQuantity is { } max && units > max
            ? new ApiError(StatusCodes.Status403Forbidden, "quantity_not_allowed", $"This checkout token allows at most {max} units; {units} requested")
                .With("max_quantity", max)
            : null;
    }
}

/// <summary>
/// Authenticates the public checkout routes with <c>Authorization: Bearer cat_...</c> only: an API key (in
/// either header) or no token answers 401. The token is looked up by its SHA-256 hash on every request,
/// with its minting key and tenant, so revoking the key or suspending the tenant ends it at once. Refused tokens count
/// against the client address's failed-authentication limit.
/// </summary>
internal sealed class CheckoutTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    OrderCoreDbContext db,
    CurrentTenant currentTenant,
    BuyerLinks links,
    BuyerLinkAccess access,
    FailedAuthenticationLimiter failedAttempts,
    TimeProvider clock) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "CheckoutToken";
    public const string PolicyName = "CheckoutToken";
    public const string TokenIdClaim = "checkout_token_id";

    /// <summary>The refusal (an <see cref="ApiError"/>) in <c>HttpContext.Items</c>, for the buyer page's own error page.</summary>
    public const string FailureItem = "checkout_token_failure";

    private ApiError? _failure;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var authorization = Request.Headers.Authorization.ToString();
        var bearer = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim()
            : Request.Path == BuyerLinks.PagePath ? Request.Query["token"].FirstOrDefault()
            : null;
        if (Request.Headers.ContainsKey("X-API-Key") || bearer?.StartsWith(ApiKeys.LivePrefix, StringComparison.Ordinal) == true)
        {
            return Fail(ApiError.Unauthorized("Public checkout routes take a checkout access token (Bearer cat_...), not an API key",
                "api_key_not_accepted"));
        }

        if (bearer is null)
        {
            return AuthenticateResult.NoResult();
        }

        if (bearer.StartsWith(BuyerLinks.Prefix, StringComparison.Ordinal))
        {
            return await AuthenticateLinkAsync(bearer);
        }

        if (!bearer.StartsWith(CheckoutAccessTokens.Prefix, StringComparison.Ordinal) || bearer.Length > 128)
        {
            return Fail(ApiError.Unauthorized("Invalid checkout access token"));
        }

        var hash = ApiKeys.Hash(bearer);
        var match = await FindAsync(t => t.TokenHash == hash);
        if (match is null || !CryptographicOperations.FixedTimeEquals(match.Token.TokenHash, hash))
        {
            return Fail(ApiError.Unauthorized("Invalid checkout access token"));
        }

        return Accept(match, match.Token.ExpiresAt);
    }

    /// <summary>
    /// A buyer link's token: its signature proves the scope; its row (by the signed id and tenant) carries the minting
    /// key and tenant checks of any token. A link whose session completed answers 410 buyer_link_consumed ever after.
    /// </summary>
    private async Task<AuthenticateResult> AuthenticateLinkAsync(string bearer)
    {
        var link = links.Read(bearer);
        var match = link is null ? null : await FindAsync(t => t.Id == link.LinkId && t.TenantId == link.TenantId);
        if (link is null || match is null)
        {
            return Fail(ApiError.Unauthorized("Invalid buyer checkout link", "invalid_buyer_link"));
        }

        var accepted = Accept(match, link.ExpiresAt);
        if (!accepted.Succeeded)
        {
            return accepted;
        }

        if (await db.CheckoutSessions.AnyAsync(s => s.AccessTokenId == link.LinkId && s.Status == CheckoutStatus.Completed, Context.RequestAborted))
        {
            return Fail(BuyerLinks.Consumed());
        }

        access.Link = link;
        return accepted;
    }

    private Task<TokenMatch?> FindAsync(Expression<Func<CheckoutAccessToken, bool>> which) =>
        db.CheckoutAccessTokens.IgnoreQueryFilters().AsNoTracking()
            .Where(which)
            .Join(db.Set<ApiKey>().IgnoreQueryFilters(), t => new { t.TenantId, Id = t.ApiKeyId }, k => new { k.TenantId, k.Id },
                (t, k) => new { Token = t, k.RevokedAt, KeyExpiresAt = k.ExpiresAt })
            .Join(db.Set<Tenant>(), x => x.Token.TenantId, t => t.Id, (x, t) => new TokenMatch(x.Token, x.RevokedAt, x.KeyExpiresAt, t.Name, t.Status))
            .SingleOrDefaultAsync(Context.RequestAborted);

    private AuthenticateResult Accept(TokenMatch match, DateTimeOffset expiresAt)
    {
        var now = clock.GetUtcNow();
        if (expiresAt <= now)
        {
            return Fail(ApiError.Unauthorized("Checkout access token expired", "expired_checkout_token"));
        }

        if (match.RevokedAt is not null || match.KeyExpiresAt <= now || match.Status == TenantStatus.Suspended)
        {
            return Fail(ApiError.Unauthorized("Checkout access token revoked", "revoked_checkout_token"));
        }

        // Idempotency keys of one buyer's token never replay another buyer's answer.
        currentTenant.Resolve(match.Token.TenantId, match.Name, match.Token.ApiKeyId, [], $"{match.Token.TenantId}/{match.Token.Id}");
        var identity = new ClaimsIdentity(
        [
            new Claim(ApiKeyAuthenticationHandler.TenantIdClaim, match.Token.TenantId),
            new Claim(TokenIdClaim, match.Token.Id),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ProblemWriter.WriteAsync(Context, _failure ?? ApiError.Unauthorized("Missing checkout access token (Authorization: Bearer cat_...)"));

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ProblemWriter.WriteAsync(Context, ApiError.ForStatus(StatusCodes.Status403Forbidden));

    /// <summary>
    /// A refused token counts against the client address like a refused API key, so tokens and buyer links cannot be
    /// guessed at leisure: past the limit the refusal is 429 (<see cref="FailedAuthenticationLimiter"/>). An API key sent
    /// here is a mistake, not a guess, and a consumed link is a real one: neither counts.
    /// </summary>
    private AuthenticateResult Fail(ApiError error)
    {
        if (error.Status == StatusCodes.Status401Unauthorized && error.Code != "api_key_not_accepted")
        {
            error = failedAttempts.Refuse(Context, error);
        }

        _failure = error;
        Context.Items[FailureItem] = error;
        return AuthenticateResult.Fail(error.Message);
    }

    private sealed record TokenMatch(CheckoutAccessToken Token, DateTimeOffset? RevokedAt, DateTimeOffset? KeyExpiresAt, string Name, TenantStatus Status);
}
