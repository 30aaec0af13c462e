namespace OrderCore.Api.Features.Customers;

public sealed class Customer : TenantResource
{
    public string? Email { get; set; }
    public string? Name { get; set; }
    public string? ExternalId { get; set; }
    public JsonObject? Metadata { get; set; }
}

internal sealed class CustomerConfiguration : IEntityTypeConfiguration<Customer>
{
    public void Configure(EntityTypeBuilder<Customer> builder)
    {
        builder.ToTenantTable("customers");
        builder.Property(c => c.Email).HasMaxLength(320);
        builder.Property(c => c.Name).HasMaxLength(500);
        builder.Property(c => c.ExternalId).HasMaxLength(255);
        builder.Property(c => c.Metadata).HasJsonbObject();
        builder.HasIndex(c => new { c.TenantId, c.Email });
        builder.HasIndex(c => new { c.TenantId, c.ExternalId });
    }
}

public static class CustomerTables
{
    extension(OrderCoreDbContext db)
    {
        public DbSet<Customer> Customers => db.Set<Customer>();
    }
}
