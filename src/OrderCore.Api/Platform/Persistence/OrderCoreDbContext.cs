using System.Linq.Expressions;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using OrderCore.Api.Platform.Auth;

namespace OrderCore.Api.Platform.Persistence;

/// <summary>
/// The one DbContext. Entity configurations live beside their features and are discovered from the
/// assembly; features reach their tables through extension properties (<c>db.Orders</c>). Every
/// <see cref="ITenantOwned"/> entity gets a query filter bound to the request's tenant, so a query that
/// forgets the tenant still cannot read another tenant's rows.
/// </summary>
public sealed class OrderCoreDbContext(DbContextOptions<OrderCoreDbContext> options, CurrentTenant tenant) : DbContext(options), IDataProtectionKeyContext
{
    /// <summary>ASP.NET Core Data Protection keys, shared by every instance (they encrypt webhook secrets).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    internal string? TenantId => tenant.Id;

    /// <summary>The one place that configures the provider, shared by the app and design-time tooling.</summary>
    public static void Configure(DbContextOptionsBuilder options, string connectionString) =>
        options
            .UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(OrderCoreDbContext).Assembly);
        modelBuilder.Entity<DataProtectionKey>().ToTable("data_protection_keys");

        foreach (var entityType in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entityType.GetProperties())
            {
                // Ids compare and sort byte-wise: cheaper, and UUIDv7 ids sort by creation time.
                if (property.ClrType == typeof(string) && (property.Name == "Id" || property.Name.EndsWith("Id", StringComparison.Ordinal)))
                {
                    property.SetCollation("C");
                }
            }

            if (typeof(ITenantOwned).IsAssignableFrom(entityType.ClrType) && entityType.BaseType is null)
            {
                modelBuilder.Entity(entityType.ClrType).HasQueryFilter(TenantFilter(entityType.ClrType));
            }
        }
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        StampTenant();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        StampTenant();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    /// <summary>New rows take the request's tenant; a row of another tenant is never written under it.</summary>
    private void StampTenant()
    {
        foreach (var entry in ChangeTracker.Entries<ITenantOwned>())
        {
            if (entry.State == EntityState.Added && string.IsNullOrEmpty(entry.Entity.TenantId))
            {
                entry.Entity.TenantId = tenant.RequiredId;
            }
            else if (entry.State is EntityState.Added or EntityState.Modified && tenant.Id is not null && entry.Entity.TenantId != tenant.Id)
            {
                throw new InvalidOperationException("A row of another tenant cannot be written in this request.");
            }
        }
    }

    private LambdaExpression TenantFilter(Type entityType)
    {
        var entity = Expression.Parameter(entityType, "e");
        var tenantIdOfEntity = Expression.Property(entity, nameof(ITenantOwned.TenantId));
        var tenantIdOfRequest = Expression.Property(Expression.Constant(this), nameof(TenantId));
        return Expression.Lambda(Expression.Equal(tenantIdOfEntity, tenantIdOfRequest), entity);
    }
}
