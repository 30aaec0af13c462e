namespace OrderCore.Api.Features.Catalog;

public enum ProductStatus
{
    Active,
    Draft,
    Archived,
}

public sealed class Product : TenantResource
{
    public required string Name { get; set; }
    public string? Description { get; set; }
    public ProductStatus Status { get; set; } = ProductStatus.Active;
    public string? ExternalId { get; set; }
    public JsonObject? Metadata { get; set; }
    public List<Sku> Skus { get; init; } = [];
}

internal sealed class ProductConfiguration : IEntityTypeConfiguration<Product>
{
    public void Configure(EntityTypeBuilder<Product> builder)
    {
        builder.ToTenantTable("products");
        builder.Property(p => p.Name).HasMaxLength(500);
        builder.Property(p => p.Status).HasConversion<SnakeCaseEnumConverter<ProductStatus>>().HasMaxLength(16);
        builder.Property(p => p.ExternalId).HasMaxLength(255);
        builder.Property(p => p.Metadata).HasJsonbObject();
        builder.HasIndex(p => new { p.TenantId, p.Status, p.Id });
        builder.HasMany(p => p.Skus).WithOne().HasForeignKey(s => new { s.TenantId, s.ProductId }).OnDelete(DeleteBehavior.Cascade);
    }
}

public enum SkuStatus
{
    Active,
    Inactive,
}

public sealed class Sku : TenantResource
{
    public required string ProductId { get; set; }
    public required string SkuCode { get; set; }
    public string? Name { get; set; }
    public SkuStatus Status { get; set; } = SkuStatus.Active;

    /// <summary>Untracked SKUs (services, digital goods) never block an order on stock.</summary>
    public bool TrackInventory { get; set; } = true;
}

internal sealed class SkuConfiguration : IEntityTypeConfiguration<Sku>
{
    public void Configure(EntityTypeBuilder<Sku> builder)
    {
        builder.ToTenantTable("skus");
        builder.Property(s => s.SkuCode).HasMaxLength(128);
        builder.Property(s => s.Name).HasMaxLength(500);
        builder.Property(s => s.Status).HasConversion<SnakeCaseEnumConverter<SkuStatus>>().HasMaxLength(16);
        builder.HasIndex(s => new { s.TenantId, s.SkuCode }).IsUnique();
        builder.HasIndex(s => new { s.TenantId, s.ProductId });
    }
}

public static class CatalogTables
{
    extension(OrderCoreDbContext db)
    {
        public DbSet<Product> Products => db.Set<Product>();
        public DbSet<Sku> Skus => db.Set<Sku>();
    }
}
