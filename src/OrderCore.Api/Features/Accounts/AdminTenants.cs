namespace OrderCore.Api.Features.Accounts;

internal sealed record UpdateTenantRequest
{
    public string? Name { get; init; }

    public TenantPlan? Plan { get; init; }

    [Description("active or suspended: a suspended tenant's keys answer 403 tenant_suspended.")]
    public TenantStatus? Status { get; init; }

    public DateTimeOffset? TrialEndsAt { get; init; }

    [Description("The default requests per minute of keys that set none.")]
    public int? RateLimitPerMinute { get; init; }
}

internal sealed class UpdateTenantValidator : AbstractValidator<UpdateTenantRequest>
{
    public UpdateTenantValidator()
    {
        RuleFor(r => r.Name).MaximumLength(200).WithMessage("must be at most 200 characters");
        RuleFor(r => r.RateLimitPerMinute).InclusiveBetween(1, 1_000_000).WithMessage("must be between 1 and 1000000");
    }
}

/// <summary>The operator's view of tenants: list, change plan and status, issue keys.</summary>
internal static class AdminTenants
{
    public static async Task<Ok<Paged<TenantResponse>>> List([AsParameters] PageRequest page, OrderCoreDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Set<Tenant>().AsNoTracking().ToPageAsync(page, TenantResponse.From, cancellationToken));

    public static async Task<Results<Ok<TenantResponse>, ApiError>> Patch(string id, UpdateTenantRequest patch, SentFields sent, OrderCoreDbContext db,
        ApiKeyCache keyCache, UnitOfWork work, CancellationToken cancellationToken)
    {
        var tenant = await db.Set<Tenant>().SingleOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (tenant is null)
        {
            return NotFound(id);
        }

        (string Field, bool IsNull)[] notNullable =
            [("name", patch.Name is null), ("plan", patch.Plan is null), ("status", patch.Status is null), ("rate_limit_per_minute", patch.RateLimitPerMinute is null)];
        foreach (var (field, isNull) in notNullable)
        {
            if (sent.Has(field) && isNull)
            {
                return ApiError.Validation(field, "cannot be null");
            }
        }

        if (sent.Has("name")) tenant.Name = patch.Name!.Trim();
        if (sent.Has("plan")) tenant.Plan = patch.Plan!.Value;
        if (sent.Has("status")) tenant.Status = patch.Status!.Value;
        if (sent.Has("trial_ends_at")) tenant.TrialEndsAt = patch.TrialEndsAt?.ToUniversalTime();
        if (sent.Has("rate_limit_per_minute")) tenant.RateLimitPerMinute = patch.RateLimitPerMinute!.Value;
        await keyCache.InvalidateEverywhereAsync(work, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(TenantResponse.From(tenant));
    }

    /// <summary>The operator may issue any scopes (there is no creator key to limit them).</summary>
    public static async Task<Results<Created<NewApiKeyResponse>, ApiError>> CreateApiKey(string id, CreateApiKeyRequest request, OrderCoreDbContext db,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var tenant = await db.Set<Tenant>().AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (tenant is null)
        {
            return NotFound(id);
        }

        var now = clock.GetUtcNow();
        var (key, plainKey) = ApiKeyManagement.Issue(db, tenant.Id, request, now);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/admin/v1/tenants/{id}/api-keys/{key.Id}", NewApiKeyResponse.From(key, plainKey, tenant.RateLimitPerMinute, now));
    }

    private static ApiError NotFound(string id) => ApiError.NotFound($"No tenant with id {id}");
}
