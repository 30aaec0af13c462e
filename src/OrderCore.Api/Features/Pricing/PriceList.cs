using OrderCore.Api.Features.Catalog;
using OrderCore.Api.Features.Customers;

namespace OrderCore.Api.Features.Pricing;

/// <summary>When a price list or a price applies: from <c>valid_from</c> (inclusive) to <c>valid_to</c> (exclusive), open where null.</summary>
internal interface IValidityWindow
{
    DateTimeOffset? ValidFrom { get; set; }
    DateTimeOffset? ValidTo { get; set; }
}

/// <summary>A set of prices in one currency, optionally for one customer, optionally time-bounded.</summary>
public sealed class PriceList : TenantResource, IValidityWindow
{
    public required string Code { get; set; }
    public required string Name { get; set; }
    public required string Currency { get; set; }
    public int Priority { get; set; }
    public string? CustomerId { get; set; }
    public DateTimeOffset? ValidFrom { get; set; }
    public DateTimeOffset? ValidTo { get; set; }
    public bool Active { get; set; } = true;
}

internal sealed class PriceListConfiguration : IEntityTypeConfiguration<PriceList>
{
    public void Configure(EntityTypeBuilder<PriceList> builder)
    {
        builder.ToTenantTable("price_lists");
        builder.Property(l => l.Code).HasMaxLength(128);
        builder.Property(l => l.Name).HasMaxLength(200);
        builder.Property(l => l.Currency).HasMaxLength(3).IsFixedLength();
        builder.HasIndex(l => new { l.TenantId, l.Code }).IsUnique();
        builder.HasOne<Customer>().WithMany().HasForeignKey(l => new { l.TenantId, l.CustomerId }).OnDelete(DeleteBehavior.Restrict);
    }
}

/// <summary>The unit price of one SKU in one list, from <see cref="MinQuantity"/> units on (a tier).</summary>
public sealed class Price : TenantResource, IValidityWindow
{
    public required string SkuId { get; set; }
    public required string PriceListId { get; set; }
    public required string Currency { get; set; }
    public decimal UnitAmount { get; set; }
    public int MinQuantity { get; set; } = 1;
    public DateTimeOffset? ValidFrom { get; set; }
    public DateTimeOffset? ValidTo { get; set; }
    public bool Active { get; set; } = true;
}

internal sealed class PriceConfiguration : IEntityTypeConfiguration<Price>
{
    public void Configure(EntityTypeBuilder<Price> builder)
    {
        builder.ToTable("prices", table => table.HasCheckConstraint("ck_prices_amounts", "unit_amount >= 0 AND min_quantity >= 1"));
        builder.HasKey(p => new { p.TenantId, p.Id });
        builder.Property(p => p.Currency).HasMaxLength(3).IsFixedLength();
        builder.Property(p => p.UnitAmount).HasPrecision(19, 4);
        builder.HasIndex(p => new { p.TenantId, p.SkuId, p.Currency });
        builder.HasIndex(p => new { p.TenantId, p.PriceListId });
        builder.HasOne<Sku>().WithMany().HasForeignKey(p => new { p.TenantId, p.SkuId }).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<PriceList>().WithMany().HasForeignKey(p => new { p.TenantId, p.PriceListId }).OnDelete(DeleteBehavior.Cascade);
    }
}

public static class PricingTables
{
    extension(OrderCoreDbContext db)
    {
        public DbSet<PriceList> PriceLists => db.Set<PriceList>();
        public DbSet<Price> Prices => db.Set<Price>();
    }
}
