namespace OrderCore.Api.Platform.Auth;

public enum TenantPlan
{
    Trial,
    Starter,
    Growth,
    Enterprise,
}

public enum TenantStatus
{
    Active,
    Suspended,
}

public static class TenantStatusText
{
    /// <summary>The value of the tenant status claim of a suspended tenant's keys.</summary>
    public const string Suspended = "suspended";
}

public sealed class Tenant : Pagination.IHasId
{
    public const int DefaultRateLimitPerMinute = 1000;

    public required string Id { get; init; }
    public required string Name { get; set; }

    /// <summary>The default for keys that set no limit of their own.</summary>
    public int RateLimitPerMinute { get; set; } = DefaultRateLimitPerMinute;

    public TenantPlan Plan { get; set; } = TenantPlan.Trial;
    public TenantStatus Status { get; set; } = TenantStatus.Active;
    public DateTimeOffset? TrialEndsAt { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
}

public sealed class TenantConfiguration : IEntityTypeConfiguration<Tenant>
{
    public void Configure(EntityTypeBuilder<Tenant> builder)
    {
        builder.ToTable("tenants");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Name).HasMaxLength(200);
        builder.Property(t => t.Plan).HasConversion<SnakeCaseEnumConverter<TenantPlan>>().HasMaxLength(16).HasDefaultValue(TenantPlan.Trial);
        builder.Property(t => t.Status).HasConversion<SnakeCaseEnumConverter<TenantStatus>>().HasMaxLength(16).HasDefaultValue(TenantStatus.Active);
    }
}

/// <summary>
/// An API key. Only a SHA-256 hash and a short display prefix are kept; the key itself is shown once.
/// </summary>
public sealed class ApiKey : ITenantOwned, Pagination.IHasId
{
    public required string TenantId { get; set; }
    public required string Id { get; init; }
    public required string Name { get; set; }
    public required string Prefix { get; init; }
    public required byte[] KeyHash { get; init; }
    public List<string> Scopes { get; set; } = [];
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>Requests per minute for this key; null takes the tenant's default.</summary>
    public int? RateLimitPerMinute { get; set; }
}

public sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("api_keys");
        builder.HasKey(k => new { k.TenantId, k.Id });
        builder.HasIndex(k => k.KeyHash).IsUnique();
        builder.Property(k => k.Name).HasMaxLength(200);
        builder.Property(k => k.Prefix).HasMaxLength(32);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(k => k.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
