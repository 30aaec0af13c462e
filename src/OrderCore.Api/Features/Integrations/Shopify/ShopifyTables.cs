namespace OrderCore.Api.Features.Integrations;

/// <summary>A connected Shopify store: where its webhooks come from and how they are checked. Disconnecting keeps it (and its history).</summary>
internal sealed class ShopifyStore : ITenantOwned, IHasId
{
    public string TenantId { get; set; } = "";
    public required string Id { get; init; }
    public required string ShopDomain { get; init; }

    /// <summary>The webhook signing secret, encrypted with Data Protection; never returned or logged.</summary>
    public required string SecretCiphertext { get; set; }

    /// <summary>Where Shopify orders hold stock; null: the tenant's default location.</summary>
    public string? LocationId { get; set; }
    public string? PriceListCode { get; set; }
    public DateTimeOffset ConnectedAt { get; init; }
    public DateTimeOffset? DisconnectedAt { get; set; }
}

internal enum ShopifyEventStatus
{
    Pending,
    Processed,
    Duplicate,
    Rejected,
    Failed,
}

/// <summary>
/// One webhook Shopify sent, as received. Accepted events (<c>pending</c>) carry their body and are processed by
/// <see cref="ShopifyEventWorker"/>; repeats (<c>duplicate</c>) and bad signatures (<c>rejected</c>) are recorded only.
/// </summary>
internal sealed class ShopifyWebhookEvent : ITenantOwned, IHasId
{
    public string TenantId { get; set; } = "";
    public required string Id { get; init; }
    public required string StoreId { get; init; }
    public required string ShopDomain { get; init; }
    public string? WebhookId { get; init; }

    /// <summary>The webhook id on the accepted event only: unique per shop, so a repeat cannot be accepted twice.</summary>
    public string? AcceptedWebhookId { get; set; }
    public string? Topic { get; init; }
    public long? ShopifyOrderId { get; init; }
    public ShopifyEventStatus Status { get; set; }

    /// <summary>The raw body of an accepted event, kept until it is processed (and for retries).</summary>
    public string? Payload { get; set; }
    public string? Error { get; set; }
    public int Attempts { get; set; }

    /// <summary>When the worker may take a pending event; null while it waits for its order's <c>orders/create</c>.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }
    public string? OrderId { get; set; }
    public DateTimeOffset ReceivedAt { get; init; }
    public DateTimeOffset? ProcessedAt { get; set; }
}

/// <summary>The one OrderCore order of a Shopify order: its primary key is what makes creation happen exactly once.</summary>
internal sealed class ShopifyOrderLink : ITenantOwned
{
    public string TenantId { get; set; } = "";
    public required string ShopDomain { get; init; }
    public long ShopifyOrderId { get; init; }
    public string? ShopifyOrderName { get; init; }
    public required string OrderId { get; init; }
    public string? FinancialStatus { get; set; }
    public string? Note { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>What processing one event did to one order (or why it could not).</summary>
internal sealed class ShopifySyncLog : ITenantOwned, IHasId
{
    public string TenantId { get; set; } = "";
    public required string Id { get; init; }
    public required string EventId { get; init; }
    public required string ShopDomain { get; init; }
    public long? ShopifyOrderId { get; init; }
    public string? ShopifyOrderName { get; init; }
    public string? OrderId { get; init; }
    public required string Topic { get; init; }
    public required string Action { get; init; }

    /// <summary><c>succeeded</c>, <c>skipped</c> (nothing to change), <c>waiting</c> (for the create) or <c>failed</c>.</summary>
    public required string Outcome { get; init; }
    public string? Message { get; init; }
    public DateTimeOffset At { get; init; }
}

internal sealed class ShopifyStoreConfiguration : IEntityTypeConfiguration<ShopifyStore>
{
    public void Configure(EntityTypeBuilder<ShopifyStore> builder)
    {
        builder.ToTenantTable("shopify_stores");
        builder.Property(s => s.ShopDomain).HasMaxLength(255);
        builder.Property(s => s.LocationId).HasMaxLength(128);
        builder.Property(s => s.PriceListCode).HasMaxLength(64);
        // Across tenants on purpose: a webhook names only its shop, so a connected shop must lead to one tenant.
        builder.HasIndex(s => s.ShopDomain).IsUnique().HasFilter("disconnected_at IS NULL");
    }
}

internal sealed class ShopifyWebhookEventConfiguration : IEntityTypeConfiguration<ShopifyWebhookEvent>
{
    public void Configure(EntityTypeBuilder<ShopifyWebhookEvent> builder)
    {
        builder.ToTenantTable("shopify_webhook_events");
        builder.Property(e => e.ShopDomain).HasMaxLength(255);
        builder.Property(e => e.WebhookId).HasMaxLength(255);
        builder.Property(e => e.AcceptedWebhookId).HasMaxLength(255);
        builder.Property(e => e.Topic).HasMaxLength(64);
        builder.Property(e => e.Status).HasConversion<SnakeCaseEnumConverter<ShopifyEventStatus>>().HasMaxLength(16);
        builder.Property(e => e.Error).HasMaxLength(1000);
        builder.HasIndex(e => new { e.TenantId, e.ShopDomain, e.AcceptedWebhookId }).IsUnique();
        builder.HasIndex(e => new { e.TenantId, e.Status, e.Id });
        builder.HasIndex(e => new { e.TenantId, e.ShopDomain, e.ShopifyOrderId });
        // Across tenants on purpose: the worker claims due events of every tenant in one statement.
        builder.HasIndex(e => e.NextAttemptAt).HasFilter("status = 'pending'");
    }
}

internal sealed class ShopifyOrderLinkConfiguration : IEntityTypeConfiguration<ShopifyOrderLink>
{
    public void Configure(EntityTypeBuilder<ShopifyOrderLink> builder)
    {
        builder.ToTable("shopify_orders");
        builder.HasKey(l => new { l.TenantId, l.ShopDomain, l.ShopifyOrderId });
        builder.Property(l => l.ShopDomain).HasMaxLength(255);
        builder.Property(l => l.ShopifyOrderName).HasMaxLength(128);
        builder.Property(l => l.FinancialStatus).HasMaxLength(64);
        builder.Property(l => l.Note).HasMaxLength(5000);
        builder.HasIndex(l => new { l.TenantId, l.OrderId });
    }
}

internal sealed class ShopifySyncLogConfiguration : IEntityTypeConfiguration<ShopifySyncLog>
{
    public void Configure(EntityTypeBuilder<ShopifySyncLog> builder)
    {
        builder.ToTenantTable("shopify_sync_logs");
        builder.Property(l => l.ShopDomain).HasMaxLength(255);
        builder.Property(l => l.ShopifyOrderName).HasMaxLength(128);
        builder.Property(l => l.Topic).HasMaxLength(64);
        builder.Property(l => l.Action).HasMaxLength(32);
        builder.Property(l => l.Outcome).HasMaxLength(16);
        builder.Property(l => l.Message).HasMaxLength(1000);
        builder.HasIndex(l => new { l.TenantId, l.EventId });
    }
}

internal static class ShopifyTables
{
    extension(OrderCoreDbContext db)
    {
        public DbSet<ShopifyStore> ShopifyStores => db.Set<ShopifyStore>();
        public DbSet<ShopifyWebhookEvent> ShopifyWebhookEvents => db.Set<ShopifyWebhookEvent>();
        public DbSet<ShopifyOrderLink> ShopifyOrderLinks => db.Set<ShopifyOrderLink>();
        public DbSet<ShopifySyncLog> ShopifySyncLogs => db.Set<ShopifySyncLog>();
    }
}
