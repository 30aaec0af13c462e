using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OrderCore.Api.Platform.Persistence;

namespace OrderCore.Api.Platform.Auth;

public sealed class Tenant
{
    public required string Id { get; init; }
    public required string Name { get; set; }
    public int RateLimitPerMinute { get; set; } = 1000;
    public DateTimeOffset CreatedAt { get; init; }
}

public sealed class TenantConfiguration : IEntityTypeConfiguration<Tenant>
{
    public void Configure(EntityTypeBuilder<Tenant> builder)
    {
        builder.ToTable("tenants");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Name).HasMaxLength(200);
    }
}

/// <summary>
/// An API key. Only a SHA-256 hash and a short display prefix are kept; the key itself is shown once.
/// </summary>
public sealed class ApiKey : ITenantOwned
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
