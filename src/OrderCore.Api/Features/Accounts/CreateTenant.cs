namespace OrderCore.Api.Features.Accounts;

internal sealed record CreateTenantRequest
{
    [Required]
    public string? Name { get; init; }

    [Description("Requests per minute per API key; default 1000.")]
    public int? RateLimitPerMinute { get; init; }

    [Description("trial (default, ends after 14 days), starter, growth or enterprise.")]
    public TenantPlan? Plan { get; init; }
}

internal sealed class CreateTenantValidator : AbstractValidator<CreateTenantRequest>
{
    public CreateTenantValidator()
    {
        RuleFor(r => r.Name).NotEmpty().WithMessage("is required").MaximumLength(200).WithMessage("must be at most 200 characters");
        RuleFor(r => r.RateLimitPerMinute).InclusiveBetween(1, 1_000_000).WithMessage("must be between 1 and 1000000");
    }
}

internal sealed record TenantResponse(
    string Id,
    string Name,
    TenantPlan Plan,
    TenantStatus Status,
    DateTimeOffset? TrialEndsAt,
    int RateLimitPerMinute,
    DateTimeOffset CreatedAt)
{
    public static TenantResponse From(Tenant t) => new(t.Id, t.Name, t.Plan, t.Status, t.TrialEndsAt, t.RateLimitPerMinute, t.CreatedAt);
}

internal sealed record CreatedApiKeyResponse(
    string Id,
    [property: Description("The full key. It is shown only in this answer; store it now.")] string Key,
    string Prefix,
    IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt);

internal sealed record CreateTenantResponse(TenantResponse Tenant, CreatedApiKeyResponse ApiKey);

internal static class CreateTenant
{
    public static async Task<Created<CreateTenantResponse>> Handle(CreateTenantRequest request, OrderCoreDbContext db, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var (tenant, key, plainKey) = await TenantProvisioning.ProvisionAsync(db, request.Name!.Trim(),
            request.RateLimitPerMinute ?? Tenant.DefaultRateLimitPerMinute, clock.GetUtcNow(), cancellationToken, plan: request.Plan ?? TenantPlan.Trial);
        return TypedResults.Created($"/admin/v1/tenants/{tenant.Id}", new CreateTenantResponse(
            TenantResponse.From(tenant),
            new CreatedApiKeyResponse(key.Id, plainKey, key.Prefix, key.Scopes, key.CreatedAt)));
    }
}
