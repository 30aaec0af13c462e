using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OrderCore.Api.Features.Customers;
using OrderCore.Api.Platform.Pagination;
using OrderCore.Api.Platform.Persistence;

namespace OrderCore.Api.Features.Orders;

public enum OrderStatus
{
    Pending,
    Confirmed,
    Fulfilled,
    Cancelled,
}

public sealed class Order : ITenantOwned, IHasId
{
    public string TenantId { get; set; } = "";
    public required string Id { get; init; }

    /// <summary>
    /// Unique and increasing per tenant, from the tenant's sequence (<c>next_order_number</c>); a failed or
    /// rolled-back order leaves a gap. Shown as <c>OC-000123</c>.
    /// </summary>
    public long Number { get; init; }
    public OrderStatus Status { get; set; } = OrderStatus.Pending;
    public string? CustomerId { get; init; }
    public required string Currency { get; init; }
    public string? MerchantReferenceId { get; init; }

    /// <summary>Payment provider (stripe, adyen, paypal, ...) and its reference (e.g. pi_...), as the merchant reports them.</summary>
    public string? PaymentProvider { get; init; }
    public string? PaymentReference { get; init; }

    /// <summary>Sales channel (e.g. web-storefront) and upstream platform (e.g. shopify).</summary>
    public string? Channel { get; init; }
    public string? SourcePlatform { get; init; }
    public JsonObject? Metadata { get; set; }

    /// <summary>The sequence number of the latest event about this order (1 for order.created).</summary>
    public int EventSequence { get; set; }
    public decimal Subtotal { get; init; }
    public decimal Total { get; init; }
    public List<OrderLine> Lines { get; init; } = [];
    public List<OrderStatusChange> StatusHistory { get; init; } = [];
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }

    public string OrderNumber => FormatNumber(Number);

    public static string FormatNumber(long number) => $"OC-{number:D6}";
}

/// <summary>One step of an order's life: creation (<c>from</c> null) or a transition.</summary>
public sealed class OrderStatusChange : ITenantOwned
{
    public string TenantId { get; set; } = "";
    public required string OrderId { get; init; }
    public int Sequence { get; init; }
    public OrderStatus? From { get; init; }
    public OrderStatus To { get; init; }
    public DateTimeOffset At { get; init; }
    public string? Reason { get; init; }
    public JsonObject? Metadata { get; init; }
}

/// <summary>A line of an order. SKU code, product name and price are copied at creation: later catalog edits never change an order.</summary>
public sealed class OrderLine : ITenantOwned
{
    public string TenantId { get; set; } = "";
    public required string Id { get; init; }
    public required string OrderId { get; init; }
    public int Position { get; init; }
    public required string SkuId { get; init; }
    public required string SkuCode { get; init; }
    public required string ProductId { get; init; }
    public required string ProductName { get; init; }
    public int Quantity { get; init; }
    public decimal UnitPrice { get; init; }
    public decimal LineTotal { get; init; }
}

public sealed class OrderConfiguration : IEntityTypeConfiguration<Order>
{
    public void Configure(EntityTypeBuilder<Order> builder)
    {
        builder.ToTable("orders");
        builder.HasKey(o => new { o.TenantId, o.Id });
        builder.Property(o => o.Status).HasConversion<SnakeCaseEnumConverter<OrderStatus>>().HasMaxLength(16);
        builder.Property(o => o.Currency).HasMaxLength(3).IsFixedLength();
        builder.Property(o => o.MerchantReferenceId).HasMaxLength(128).UseCollation("C");
        builder.Property(o => o.Metadata).HasJsonbObject();
        builder.Property(o => o.PaymentProvider).HasMaxLength(64);
        builder.Property(o => o.PaymentReference).HasMaxLength(255);
        builder.Property(o => o.Channel).HasMaxLength(128);
        builder.Property(o => o.SourcePlatform).HasMaxLength(128);
        builder.Property(o => o.Subtotal).HasPrecision(19, 4);
        builder.Property(o => o.Total).HasPrecision(19, 4);
        builder.Ignore(o => o.OrderNumber);
        builder.HasIndex(o => new { o.TenantId, o.Number }).IsUnique();
        builder.HasIndex(o => new { o.TenantId, o.Status, o.Id });
        builder.HasIndex(o => new { o.TenantId, o.CustomerId, o.Id });
        builder.HasIndex(o => new { o.TenantId, o.MerchantReferenceId, o.Id });
        builder.HasOne<Customer>().WithMany().HasForeignKey(o => new { o.TenantId, o.CustomerId }).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(o => o.Lines).WithOne().HasForeignKey(l => new { l.TenantId, l.OrderId }).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(o => o.Lines).AutoInclude();
        builder.HasMany(o => o.StatusHistory).WithOne().HasForeignKey(c => new { c.TenantId, c.OrderId }).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(o => o.StatusHistory).AutoInclude();
    }
}

public sealed class OrderStatusChangeConfiguration : IEntityTypeConfiguration<OrderStatusChange>
{
    public void Configure(EntityTypeBuilder<OrderStatusChange> builder)
    {
        builder.ToTable("order_status_changes");
        builder.HasKey(c => new { c.TenantId, c.OrderId, c.Sequence });
        builder.Property(c => c.From).HasConversion<SnakeCaseEnumConverter<OrderStatus>>().HasMaxLength(16);
        builder.Property(c => c.To).HasConversion<SnakeCaseEnumConverter<OrderStatus>>().HasMaxLength(16);
        builder.Property(c => c.Reason).HasMaxLength(500);
        builder.Property(c => c.Metadata).HasJsonbObject();
    }
}

public sealed class OrderLineConfiguration : IEntityTypeConfiguration<OrderLine>
{
    public void Configure(EntityTypeBuilder<OrderLine> builder)
    {
        builder.ToTable("order_lines", table => table.HasCheckConstraint("ck_order_lines_quantity", "quantity > 0"));
        builder.HasKey(l => new { l.TenantId, l.OrderId, l.Id });
        builder.Property(l => l.SkuCode).HasMaxLength(128);
        builder.Property(l => l.ProductName).HasMaxLength(500);
        builder.Property(l => l.UnitPrice).HasPrecision(19, 4);
        builder.Property(l => l.LineTotal).HasPrecision(19, 4);
    }
}

public static class OrderTables
{
    extension(OrderCoreDbContext db)
    {
        public DbSet<Order> Orders => db.Set<Order>();
    }
}
