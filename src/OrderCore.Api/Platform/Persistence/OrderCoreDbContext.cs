using System.Linq.Expressions;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;

namespace OrderCore.Api.Platform.Persistence;

/// <summary>
/// The one DbContext. Entity configurations live beside their features and are discovered from the
/// assembly; features reach their tables through extension properties (<c>db.Orders</c>). Every
/// <see cref="ITenantOwned"/> entity gets a query filter bound to the request's tenant, so a query that
/// forgets the tenant still cannot read another tenant's rows.
/// Instances are pooled (<see cref="AddOrderCoreDatabase"/>): a request rents one and binds it to its
/// <see cref="CurrentTenant"/>, which the filter reads at each query.
/// </summary>
public sealed class OrderCoreDbContext(DbContextOptions<OrderCoreDbContext> options) : DbContext(options), IDataProtectionKeyContext
{
    private CurrentTenant _tenant = new();
    private string? _runAsTenantId;

    /// <summary>ASP.NET Core Data Protection keys, shared by every instance (they encrypt webhook secrets).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    internal string? TenantId => _runAsTenantId ?? _tenant.Id;

    /// <summary>
    /// Registers the context pooled (a request reuses a context and its internal services instead of building
    /// them: a large share of a small request's cost) and scoped to the request's tenant.
    /// </summary>
    public static void AddOrderCoreDatabase(IServiceCollection services, string connectionString)
    {
        services.AddPooledDbContextFactory<OrderCoreDbContext>(options => Configure(options, connectionString));
        services.AddScoped(provider =>
        {
            var db = provider.GetRequiredService<IDbContextFactory<OrderCoreDbContext>>().CreateDbContext();
            db._tenant = provider.GetRequiredService<CurrentTenant>();
            return db;
        });
    }

    /// <summary>The one place that configures the provider, shared by the app and design-time tooling.</summary>
    public static void Configure(DbContextOptionsBuilder options, string connectionString) =>
        options
            .UseNpgsql(DatabaseConnection.WithDefaults(connectionString), npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
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

    /// <summary>
    /// Background work (<see cref="UnitOfWork.RunAsTenantAsync{T}"/>): the tenant the filters and stamping use
    /// until reset with null. A request's context keeps its own tenant.
    /// </summary>
    internal void RunAs(string? tenantId)
    {
        if (tenantId is not null && (_runAsTenantId is not null || _tenant.Id is not null))
        {
            throw new InvalidOperationException("This context already has a tenant; run as another one in a unit of work of its own.");
        }

        _runAsTenantId = tenantId;
    }

    /// <summary>Back to the pool: forget the tenant, so a context rented without one reads nothing.</summary>
    public override void Dispose()
    {
        ForgetTenant();
        base.Dispose();
    }

    public override ValueTask DisposeAsync()
    {
        ForgetTenant();
        return base.DisposeAsync();
    }

    private void ForgetTenant()
    {
        _tenant = new CurrentTenant();
        _runAsTenantId = null;
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        PrepareSave();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        PrepareSave();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    /// <summary>
    /// One pass over the tracked rows (each pass detects changes again, on the order path too): new rows take the
    /// context's tenant, a row of another tenant is never written under it, and every event a (tenant-owned)
    /// aggregate raised becomes an event row of its tenant in this save: the outbox half of the unit of work.
    /// </summary>
    /// <summary>The event a tracked aggregate raised, not yet saved, whose data is <paramref name="data"/> (the same object); null: none.</summary>
    internal RaisedEvent? FindRaisedEvent(object data)
    {
        foreach (var entry in ChangeTracker.Entries<Aggregate>())
        {
            foreach (var raised in entry.Entity.RaisedEvents())
            {
                if (ReferenceEquals(raised.Data, data))
                {
                    return raised;
                }
            }
        }

        return null;
    }

    /// <summary>Whether a save since the unit of work began added outbox rows (<see cref="IOutboxRow"/>): its commit wakes their readers.</summary>
    internal bool WroteOutboxRows { get; set; }

    private void PrepareSave()
    {
        var tenantId = TenantId;
        List<(Aggregate Aggregate, string TenantId)>? raising = null;
        foreach (var entry in ChangeTracker.Entries<ITenantOwned>())
        {
            if (entry.State == EntityState.Added && string.IsNullOrEmpty(entry.Entity.TenantId))
            {
                entry.Entity.TenantId = tenantId ?? throw new InvalidOperationException("No tenant was resolved for this request.");
            }
            else if (entry.State is EntityState.Added or EntityState.Modified && tenantId is not null && entry.Entity.TenantId != tenantId)
            {
                throw new InvalidOperationException("A row of another tenant cannot be written in this request.");
            }

            if (entry.Entity is Aggregate aggregate && aggregate.RaisedEvents().Count > 0)
            {
                (raising ??= []).Add((aggregate, entry.Entity.TenantId));
            }
            else if (entry.State == EntityState.Added && entry.Entity is IOutboxRow)
            {
                WroteOutboxRows = true;
            }
        }

        foreach (var (aggregate, owner) in raising ?? [])
        {
            foreach (var raised in aggregate.TakeRaisedEvents())
            {
                Set<EventRecord>().Add(EventRecord.From(raised, raised.Json, owner));
                WroteOutboxRows = true;
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
