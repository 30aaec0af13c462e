using OrderCore.Api.Features.Orders;

namespace OrderCore.Api.Features.Notifications;

internal enum NotificationVersion
{
    V0,
    V1,
}

internal enum HookErrorPolicy
{
    Reject,
    Allow,
}

/// <summary>
/// What per-order notifications and hooks share: the order they watch, the JSON Pointer <see cref="Scope"/> into the order
/// as the API shows it, an optional JSON Schema the new value must satisfy, the URL template they call, the adapter they
/// belong to (whose own changes do not trigger them) and the secret their calls are signed with.
/// </summary>
internal abstract class OrderSubscription : TenantRow
{
    public required string OrderId { get; init; }
    public string? AdapterId { get; init; }
    public string? Description { get; init; }
    public required string Scope { get; init; }

    /// <summary>A JSON Schema 2020-12 document, as JSON text.</summary>
    public string? Schema { get; init; }
    public required string Invoke { get; init; }
    public required string SecretCiphertext { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Not triggered by a change the subscription's own adapter makes.</summary>
    public bool IsSuppressedBy(string? adapterId) => adapterId is not null && AdapterId == adapterId;
}

/// <summary>An asynchronous call, scheduled <see cref="DelayMs"/> after a committed change that triggers it.</summary>
internal sealed class OrderNotification : OrderSubscription
{
    public string? Reference { get; init; }
    public NotificationVersion Version { get; init; } = NotificationVersion.V1;
    public int DelayMs { get; init; }
}

/// <summary>A synchronous call before a change commits, which may refuse the change.</summary>
internal sealed class OrderHook : OrderSubscription
{
    public int TimeoutMs { get; init; } = OrderHooks.DefaultTimeoutMs;
    public HookErrorPolicy OnError { get; init; } = HookErrorPolicy.Reject;
}

internal static class OrderSubscriptionConfiguration
{
    public static EntityTypeBuilder<T> ToSubscriptionTable<T>(this EntityTypeBuilder<T> builder, string table) where T : OrderSubscription
    {
        builder.ToTenantTable(table);
        builder.Property(s => s.AdapterId).HasMaxLength(128);
        builder.Property(s => s.Description).HasMaxLength(500);
        builder.Property(s => s.Scope).HasMaxLength(1024);
        builder.Property(s => s.Schema).HasColumnType("jsonb");
        builder.Property(s => s.Invoke).HasMaxLength(2048);
        builder.HasIndex(s => new { s.TenantId, s.OrderId, s.Id });
        builder.HasOne<Order>().WithMany().HasForeignKey(s => new { s.TenantId, s.OrderId }).OnDelete(DeleteBehavior.Cascade);
        return builder;
    }
}

internal sealed class OrderNotificationConfiguration : IEntityTypeConfiguration<OrderNotification>
{
    public void Configure(EntityTypeBuilder<OrderNotification> builder)
    {
        builder.ToSubscriptionTable("order_notifications");
        builder.Property(n => n.Reference).HasMaxLength(255);
        builder.Property(n => n.Version).HasConversion<SnakeCaseEnumConverter<NotificationVersion>>().HasMaxLength(8);
    }
}

internal sealed class OrderHookConfiguration : IEntityTypeConfiguration<OrderHook>
{
    public void Configure(EntityTypeBuilder<OrderHook> builder)
    {
        builder.ToSubscriptionTable("order_hooks");
        builder.Property(h => h.OnError).HasConversion<SnakeCaseEnumConverter<HookErrorPolicy>>().HasMaxLength(16);
    }
}

/// <summary>One adapter's settings for a tenant (<c>PUT /v1/adapters/{adapter_id}/configuration</c>), read by <c>{configuration.adapter.key}</c>.</summary>
internal sealed class AdapterConfiguration : ITenantOwned
{
    public string TenantId { get; set; } = "";
    public required string AdapterId { get; init; }
    public JsonObject? Values { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class AdapterConfigurationConfiguration : IEntityTypeConfiguration<AdapterConfiguration>
{
    public void Configure(EntityTypeBuilder<AdapterConfiguration> builder)
    {
        builder.ToTable("adapter_configurations");
        builder.HasKey(c => new { c.TenantId, c.AdapterId });
        builder.Property(c => c.Values).HasJsonbObject();
    }
}

internal static class NotificationTables
{
    extension(OrderCoreDbContext db)
    {
        public DbSet<OrderNotification> OrderNotifications => db.Set<OrderNotification>();
        public DbSet<OrderHook> OrderHooks => db.Set<OrderHook>();
        public DbSet<AdapterConfiguration> AdapterConfigurations => db.Set<AdapterConfiguration>();
    }
}
