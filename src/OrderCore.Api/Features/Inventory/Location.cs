namespace OrderCore.Api.Features.Inventory;

public sealed class Location : TenantResource
{
    public required string Code { get; set; }
    public required string Name { get; set; }

    /// <summary>Orders reserve stock here. At most one per tenant (a partial unique index).</summary>
    public bool IsDefault { get; set; }
}

internal sealed class LocationConfiguration : IEntityTypeConfiguration<Location>
{
    public void Configure(EntityTypeBuilder<Location> builder)
    {
        builder.ToTenantTable("locations");
        builder.Property(l => l.Code).HasMaxLength(128);
        builder.Property(l => l.Name).HasMaxLength(200);
        builder.HasIndex(l => new { l.TenantId, l.Code }).IsUnique();
        builder.HasIndex(l => l.TenantId).IsUnique().HasFilter("is_default").HasDatabaseName("ux_locations_one_default_per_tenant");
    }
}

/// <summary>
/// Stock of one SKU at one location. <c>available = on_hand - reserved</c>; the database itself keeps
/// <c>0 &lt;= reserved &lt;= on_hand</c>, so no code path can oversell.
/// </summary>
internal sealed class InventoryLevel : ITenantOwned
{
    public string TenantId { get; set; } = "";
    public required string LocationId { get; init; }
    public required string SkuId { get; init; }
    public int OnHand { get; set; }
    public int Reserved { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public int Available => OnHand - Reserved;
}

internal sealed class InventoryLevelConfiguration : IEntityTypeConfiguration<InventoryLevel>
{
    public void Configure(EntityTypeBuilder<InventoryLevel> builder)
    {
        builder.ToTable("inventory_levels", table =>
            table.HasCheckConstraint("ck_inventory_levels_reserved_within_on_hand", "reserved >= 0 AND reserved <= on_hand"));
        builder.HasKey(l => new { l.TenantId, l.LocationId, l.SkuId });
        builder.Ignore(l => l.Available);
        builder.HasIndex(l => new { l.TenantId, l.SkuId });
        builder.HasOne<Location>().WithMany().HasForeignKey(l => new { l.TenantId, l.LocationId }).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Catalog.Sku>().WithMany().HasForeignKey(l => new { l.TenantId, l.SkuId }).OnDelete(DeleteBehavior.Cascade);
    }
}

internal enum ReservationStatus
{
    Active,
    Released,
    Committed,
}

/// <summary>Stock held for an order (or a caller's own reference) until released or committed on fulfilment.</summary>
internal sealed class InventoryReservation : TenantResource
{
    public required string SkuId { get; init; }
    public required string LocationId { get; init; }
    public int Quantity { get; init; }
    public ReservationStatus Status { get; set; } = ReservationStatus.Active;
    public string? OrderId { get; init; }
    public string? Reference { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
}

internal sealed class InventoryReservationConfiguration : IEntityTypeConfiguration<InventoryReservation>
{
    public void Configure(EntityTypeBuilder<InventoryReservation> builder)
    {
        builder.ToTable("inventory_reservations", table => table.HasCheckConstraint("ck_inventory_reservations_quantity", "quantity > 0"));
        builder.HasKey(r => new { r.TenantId, r.Id });
        builder.Property(r => r.Status).HasConversion<SnakeCaseEnumConverter<ReservationStatus>>().HasMaxLength(16);
        builder.Property(r => r.Reference).HasMaxLength(255);
        builder.HasIndex(r => new { r.TenantId, r.OrderId });
        builder.HasIndex(r => r.ExpiresAt).HasFilter("status = 'active' AND expires_at IS NOT NULL");
    }
}

internal enum MovementReason
{
    Adjust,
    Reserve,
    Release,
    Commit,
}

/// <summary>
/// One change of stock: the audit trail that <c>on_hand</c> and <c>reserved</c> always sum up to. Read from the view
/// <c>inventory_movements</c>: the rows stored in <c>inventory_movement_rows</c> (adjustments, releases, commits) and, for
/// each reservation, its <c>reserve</c> movement, which the reservation's own row already says in full (id <c>mov_</c> + the
/// reservation id's UUID, the reservation's SKU, location, quantity, order, reference and time) and so is not stored twice.
/// </summary>
internal sealed class InventoryMovement : TenantRow
{
    /// <summary>A movement of a reservation's stock (reserved, released or committed), in the audit trail.</summary>
    public static InventoryMovement Of(InventoryReservation reservation, MovementReason reason, int onHandDelta, int reservedDelta, string? note,
        DateTimeOffset now) => new()
    {
        Id = Ids.New(Ids.Movement),
        SkuId = reservation.SkuId,
        LocationId = reservation.LocationId,
        Reason = reason,
        OnHandDelta = onHandDelta,
        ReservedDelta = reservedDelta,
        ReservationId = reservation.Id,
        OrderId = reservation.OrderId,
        Note = note,
        CreatedAt = now,
    };

    public required string SkuId { get; init; }
    public required string LocationId { get; init; }
    public MovementReason Reason { get; init; }
    public int OnHandDelta { get; init; }
    public int ReservedDelta { get; init; }
    public string? ReservationId { get; init; }
    public string? OrderId { get; init; }
    public string? Note { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

internal sealed class InventoryMovementConfiguration : IEntityTypeConfiguration<InventoryMovement>
{
    public void Configure(EntityTypeBuilder<InventoryMovement> builder)
    {
        builder.ToTenantTable("inventory_movement_rows");
        builder.ToView("inventory_movements"); // made by the ReservationMovements migration
        builder.Property(m => m.Reason).HasConversion<SnakeCaseEnumConverter<MovementReason>>().HasMaxLength(16);
        builder.Property(m => m.Note).HasMaxLength(500);
        builder.HasIndex(m => new { m.TenantId, m.SkuId, m.LocationId, m.Id });
    }
}

public static class InventoryTables
{
    extension(OrderCoreDbContext db)
    {
        public DbSet<Location> Locations => db.Set<Location>();
        internal DbSet<InventoryLevel> InventoryLevels => db.Set<InventoryLevel>();
        internal DbSet<InventoryReservation> InventoryReservations => db.Set<InventoryReservation>();
        internal DbSet<InventoryMovement> InventoryMovements => db.Set<InventoryMovement>();
    }
}
