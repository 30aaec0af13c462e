namespace OrderCore.Api.Features.Inventory;

/// <summary>Creating locations outside the locations API (demo data, catalog import) by the same rules.</summary>
public static class Locations
{
    /// <summary>
    /// Serialises changes of a tenant's default location (held until the transaction ends), so that
    /// concurrent requests never trip the one-default-per-tenant index.
    /// </summary>
    public static Task LockDefaultAsync(OrderCoreDbContext db, string tenantId, CancellationToken cancellationToken) =>
        db.LockAsync($"default-location\n{tenantId}", cancellationToken);

    /// <summary>Adds a new location (the caller saves); the tenant's first location becomes its default.</summary>
    public static async Task<Location> AddAsync(OrderCoreDbContext db, string tenantId, string code, string name, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await LockDefaultAsync(db, tenantId, cancellationToken);
        var location = new Location
        {
            Id = Ids.New(Ids.Location), Code = code, Name = name, IsDefault = !await db.Locations.AnyAsync(l => l.IsDefault, cancellationToken),
            CreatedAt = now, UpdatedAt = now,
        };
        db.Locations.Add(location);
        return location;
    }
}
