namespace OrderCore.Api.Platform.Persistence;

/// <summary>
/// A tenant's row with an id, keyed <c>(tenant_id, id)</c> (<see cref="TenantResourceConfiguration.ToTenantTable{T}"/>).
/// Not an entity itself: each subclass is its own table with these columns.
/// </summary>
public abstract class TenantRow : ITenantOwned, IHasId
{
    public string TenantId { get; set; } = "";
    public required string Id { get; init; }
}

/// <summary>What most tables hold: a tenant's resource with its id and the times it was created and last changed.</summary>
public abstract class TenantResource : TenantRow
{
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class TenantResourceConfiguration
{
    /// <summary>Maps a resource to its table, keyed <c>(tenant_id, id)</c> like every tenant-owned table.</summary>
    public static EntityTypeBuilder<T> ToTenantTable<T>(this EntityTypeBuilder<T> builder, string table) where T : class, ITenantOwned, IHasId
    {
        builder.ToTable(table);
        builder.HasKey(nameof(ITenantOwned.TenantId), nameof(IHasId.Id));
        return builder;
    }
}
