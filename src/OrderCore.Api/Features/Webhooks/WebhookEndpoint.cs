namespace OrderCore.Api.Features.Webhooks;

/// <summary>A merchant URL that receives signed deliveries of the events it subscribes to.</summary>
internal sealed class WebhookEndpoint : TenantResource
{
    public required string Url { get; set; }
    public string? Description { get; set; }

    /// <summary>Exact event names, <c>prefix.*</c> or <c>*</c>, lower case.</summary>
    public List<string> Events { get; set; } = [];

    /// <summary>The current secret, encrypted with Data Protection; never shown after create/rotate.</summary>
    public required string SecretCiphertext { get; set; }

    /// <summary>The secret before the last rotation, still signing alongside until <see cref="PreviousSecretExpiresAt"/>.</summary>
    public string? PreviousSecretCiphertext { get; set; }
    public DateTimeOffset? PreviousSecretExpiresAt { get; set; }

    public bool Active { get; set; } = true;
    public DateTimeOffset? DeactivatedAt { get; set; }
    public string? DeactivatedReason { get; set; }

    /// <summary>Since when every outcome has been a failure (null after a success); drives the 5-day deactivation.</summary>
    public DateTimeOffset? FailingSince { get; set; }

    public void Deactivate(string reason, DateTimeOffset now)
    {
        Active = false;
        DeactivatedAt = now;
        DeactivatedReason = reason;
        UpdatedAt = now;
    }
}

internal sealed class WebhookEndpointConfiguration : IEntityTypeConfiguration<WebhookEndpoint>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> builder)
    {
        builder.ToTenantTable("webhook_endpoints");
        builder.Property(e => e.Url).HasMaxLength(2048);
        builder.Property(e => e.Description).HasMaxLength(500);
        builder.Property(e => e.DeactivatedReason).HasMaxLength(500);
        builder.HasIndex(e => new { e.TenantId, e.Active, e.Id });
    }
}

internal static class WebhookTables
{
    extension(OrderCoreDbContext db)
    {
        public DbSet<WebhookEndpoint> WebhookEndpoints => db.Set<WebhookEndpoint>();
        public DbSet<WebhookDelivery> WebhookDeliveries => db.Set<WebhookDelivery>();
        public DbSet<WebhookAttempt> WebhookAttempts => db.Set<WebhookAttempt>();
    }
}
