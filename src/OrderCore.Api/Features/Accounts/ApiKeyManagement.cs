namespace OrderCore.Api.Features.Accounts;

internal enum ApiKeyStatus
{
    Active,
    ExpiringSoon,
    Expired,
    Revoked,
}

/// <summary>The expiry rules of a key, in one place: <c>expiring_soon</c> is less than 7 days before <c>expires_at</c>.</summary>
internal static class ApiKeyExpiry
{
    public static readonly TimeSpan SoonWindow = TimeSpan.FromDays(7);

    public static ApiKeyStatus StatusOf(ApiKey key, DateTimeOffset now) => key switch
    {
        { RevokedAt: not null } => ApiKeyStatus.Revoked,
        { ExpiresAt: null } => ApiKeyStatus.Active,
        { ExpiresAt: { } at } when at <= now => ApiKeyStatus.Expired,
        { ExpiresAt: { } at } when at - now < SoonWindow => ApiKeyStatus.ExpiringSoon,
        _ => ApiKeyStatus.Active,
    };

    /// <summary>Whole days left (rounded down, never negative); null for a key without expiry.</summary>
    public static int? DaysLeft(ApiKey key, DateTimeOffset now) =>
        key.ExpiresAt is { } at ? Math.Max(0, (int)Math.Floor((at - now).TotalDays)) : null;
}

internal sealed record ApiKeyResponse(
    string Id,
    string Name,
    string Prefix,
    IReadOnlyList<string> Scopes,
    [property: Description("Requests per minute; the tenant's default when the key sets none.")] int RateLimitPerMinute,
    ApiKeyStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    int? ExpiresInDays,
    DateTimeOffset? RevokedAt)
{
    public static ApiKeyResponse From(ApiKey key, int tenantRateLimit, DateTimeOffset now) => new(
        key.Id, key.Name, key.Prefix, key.Scopes, key.RateLimitPerMinute ?? tenantRateLimit, ApiKeyExpiry.StatusOf(key, now), key.CreatedAt,
        key.ExpiresAt, ApiKeyExpiry.DaysLeft(key, now), key.RevokedAt);
}

internal sealed record NewApiKeyResponse(
    string Id,
    [property: Description("The full key. It is shown only in this answer; store it now.")] string Key,
    string Name,
    string Prefix,
    IReadOnlyList<string> Scopes,
    int RateLimitPerMinute,
    ApiKeyStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt)
{
    public static NewApiKeyResponse From(ApiKey key, string plainKey, int tenantRateLimit, DateTimeOffset now) => new(
        key.Id, plainKey, key.Name, key.Prefix, key.Scopes, key.RateLimitPerMinute ?? tenantRateLimit, ApiKeyExpiry.StatusOf(key, now),
        key.CreatedAt, key.ExpiresAt);
}

internal sealed record CreateApiKeyRequest
{
    public string? Name { get; init; }

    [Description("Scopes of the key, e.g. [\"orders:read\", \"orders:write\"], or [\"*\"] for all. A key can grant only scopes its creator holds.")]
    public List<string>? Scopes { get; init; }

    [Description("When the key stops working. Give this or ttl_days, not both; neither means no expiry.")]
    public DateTimeOffset? ExpiresAt { get; init; }

    [Description("Days from now until the key stops working (1 to 3650).")]
    public int? TtlDays { get; init; }

    [Description("Requests per minute for this key; default the tenant's (1000).")]
    public int? RateLimitPerMinute { get; init; }
}

internal sealed class CreateApiKeyValidator : AbstractValidator<CreateApiKeyRequest>
{
    public CreateApiKeyValidator(TimeProvider clock, ScopeCatalog scopes)
    {
        RuleFor(r => r.Name).NotEmpty().WithMessage("is required").MaximumLength(200).WithMessage("must be at most 200 characters");
        RuleFor(r => r.Scopes).NotEmpty().WithMessage("must list at least one scope");
        RuleForEach(r => r.Scopes).Must(s => s is not null && scopes.IsKnown(s))
            .WithMessage(_ => $"must be one of {string.Join(", ", scopes.All)} or *");
        RuleFor(r => r.TtlDays).InclusiveBetween(1, 3650).WithMessage("must be between 1 and 3650");
        RuleFor(r => r.ExpiresAt).Must(at => at is null || at > clock.GetUtcNow()).WithMessage("must be in the future");
        RuleFor(r => r.ExpiresAt).Null().When(r => r.TtlDays is not null).WithMessage("give expires_at or ttl_days, not both");
        RuleFor(r => r.RateLimitPerMinute).InclusiveBetween(1, 1_000_000).WithMessage("must be between 1 and 1000000");
    }
}

internal sealed record RollApiKeyRequest
{
    [Description("Hours the old key keeps working (0 to 720, default 24).")]
    public int? GraceHours { get; init; }
}

internal sealed class RollApiKeyValidator : AbstractValidator<RollApiKeyRequest>
{
    public RollApiKeyValidator() =>
        RuleFor(r => r.GraceHours).InclusiveBetween(0, 720).WithMessage("must be between 0 and 720");
}

internal sealed record RolledApiKeyResponse(NewApiKeyResponse ApiKey, ApiKeyResponse RolledKey);

/// <summary>Creating, listing, revoking and rolling the keys of the current tenant.</summary>
internal static class ApiKeyManagement
{
    /// <summary>Adds a key to the context (the caller saves). Used by the tenant's own routes and the operator's.</summary>
    public static (ApiKey Key, string PlainKey) Issue(OrderCoreDbContext db, string tenantId, CreateApiKeyRequest request, DateTimeOffset now)
    {
        var plainKey = ApiKeys.Generate();
        var key = new ApiKey
        {
            TenantId = tenantId,
            Id = Ids.New(Ids.ApiKey),
            Name = request.Name!.Trim(),
            Prefix = ApiKeys.DisplayPrefix(plainKey),
            KeyHash = ApiKeys.Hash(plainKey),
            Scopes = [.. request.Scopes!.Distinct(StringComparer.Ordinal)],
            CreatedAt = now,
            ExpiresAt = request.TtlDays is { } days ? now.AddDays(days) : request.ExpiresAt?.ToUniversalTime(),
            RateLimitPerMinute = request.RateLimitPerMinute,
        };
        db.Set<ApiKey>().Add(key);
        return (key, plainKey);
    }

    /// <summary>A key cannot hand out a scope its creator lacks: 403 <c>forbidden</c> naming them.</summary>
    public static ApiError? CheckCreatorHolds(CurrentTenant creator, IEnumerable<string> scopes)
    {
        var missing = Scopes.Missing(creator.Scopes, scopes);
        return missing.Length == 0
            ? null
            : new ApiError(StatusCodes.Status403Forbidden, "forbidden", $"This API key cannot grant scopes it lacks: {string.Join(", ", missing)}")
                .With("missing_scopes", missing);
    }

    public static async Task<Ok<Paged<ApiKeyResponse>>> List([AsParameters] PageRequest page, OrderCoreDbContext db,
        CurrentTenant tenant, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var rateLimit = await TenantRateLimitAsync(db, tenant.RequiredId, cancellationToken);
        return TypedResults.Ok(await db.Set<ApiKey>().AsNoTracking().ToPageAsync(page,
            key => ApiKeyResponse.From(key, rateLimit, now), cancellationToken));
    }

    public static async Task<Results<Created<NewApiKeyResponse>, ApiError>> Create(CreateApiKeyRequest request, OrderCoreDbContext db,
        CurrentTenant tenant, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (CheckCreatorHolds(tenant, request.Scopes!) is { } forbidden)
        {
            return forbidden;
        }

        var now = clock.GetUtcNow();
        var (key, plainKey) = Issue(db, tenant.RequiredId, request, now);
        await db.SaveChangesAsync(cancellationToken);
        var rateLimit = await TenantRateLimitAsync(db, tenant.RequiredId, cancellationToken);
        return TypedResults.Created($"/v1/account/api-keys/{key.Id}", NewApiKeyResponse.From(key, plainKey, rateLimit, now));
    }

    /// <summary>Revokes at once, on every instance (see <see cref="ApiKeyCache"/>).</summary>
    public static async Task<Results<NoContent, ApiError>> Revoke(string id, OrderCoreDbContext db, ApiKeyCache keyCache, UnitOfWork work,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var key = await db.Set<ApiKey>().SingleOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null)
        {
            return NotFound(id);
        }

        key.RevokedAt ??= now;
        await keyCache.InvalidateEverywhereAsync(work, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>A new key with the same name, scopes, limit and lifetime; the old one works until the grace period ends.</summary>
    public static async Task<Results<Created<RolledApiKeyResponse>, ApiError>> Roll(string id, RollApiKeyRequest request, OrderCoreDbContext db,
        CurrentTenant tenant, ApiKeyCache keyCache, UnitOfWork work, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var old = await db.Set<ApiKey>().SingleOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (old is null)
        {
            return NotFound(id);
        }

        if (ApiKeyExpiry.StatusOf(old, now) is ApiKeyStatus.Revoked or ApiKeyStatus.Expired)
        {
            return ApiError.Conflict("api_key_inactive", $"API key {id} is revoked or expired; create a new key instead");
        }

        if (CheckCreatorHolds(tenant, old.Scopes) is { } forbidden)
        {
            return forbidden;
        }

        var (key, plainKey) = Issue(db, old.TenantId, new CreateApiKeyRequest
        {
            Name = old.Name,
            Scopes = old.Scopes,
            ExpiresAt = old.ExpiresAt is { } at ? now + (at - old.CreatedAt) : null,
            RateLimitPerMinute = old.RateLimitPerMinute,
        }, now);
        var graceEnds = now.AddHours(request.GraceHours ?? 24);
        old.ExpiresAt = old.ExpiresAt is { } current && current < graceEnds ? current : graceEnds;
        await keyCache.InvalidateEverywhereAsync(work, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        var rateLimit = await TenantRateLimitAsync(db, tenant.RequiredId, cancellationToken);
        return TypedResults.Created($"/v1/account/api-keys/{key.Id}",
            new RolledApiKeyResponse(NewApiKeyResponse.From(key, plainKey, rateLimit, now), ApiKeyResponse.From(old, rateLimit, now)));
    }

    public static Task<int> TenantRateLimitAsync(OrderCoreDbContext db, string tenantId, CancellationToken cancellationToken) =>
        db.Set<Tenant>().Where(t => t.Id == tenantId).Select(t => t.RateLimitPerMinute).SingleAsync(cancellationToken);

    private static ApiError NotFound(string id) => ApiError.NotFound($"No API key with id {id}");
}
