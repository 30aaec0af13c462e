namespace OrderCore.Api.Features.Webhooks;

internal enum DeliveryStatus
{
    Pending,
    Succeeded,
    Failed,
    Abandoned,
}

/// <summary>
/// One event for one endpoint, or one call of a per-order notification (<see cref="NotificationId"/>, scheduled through
/// <see cref="NotificationDeliveries"/>): sent until it succeeds, fails for good, or its retries run out.
/// </summary>
internal sealed class WebhookDelivery : TenantResource, IOutboxRow
{
    /// <summary>The endpoint of an event delivery; null for a notification's.</summary>
    public string? EndpointId { get; init; }

    /// <summary>The notification whose call this is (see docs/notifications.md); null for an endpoint's.</summary>
    public string? NotificationId { get; init; }

    /// <summary>A notification's invoke URL with the order's references resolved; the adapter configuration's are resolved when sent.</summary>
    public string? TargetUrl { get; init; }

    /// <summary>A notification's body, exactly as it is sent (an event delivery sends its event's envelope).</summary>
    public string? Payload { get; init; }

    public required string EventId { get; init; }
    public required string EventType { get; init; }
    public DeliveryStatus Status { get; set; } = DeliveryStatus.Pending;

    /// <summary>Attempts made so far (the next one is <c>Attempt + 1</c>).</summary>
    public int Attempt { get; set; }

    /// <summary>When the next attempt is due (pending only).</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    /// <summary>The lease of the worker sending it now: no other worker claims it until this passes.</summary>
    public DateTimeOffset? LockedUntil { get; set; }
    public Guid? LeaseToken { get; set; }

    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public int? LatencyMs { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        builder.ToTenantTable("webhook_deliveries");
        // An endpoint's delivery or a notification's, never both nor neither.
        builder.ToTable(table => table.HasCheckConstraint("ck_webhook_deliveries_target", "(endpoint_id IS NULL) <> (notification_id IS NULL)"));
        builder.Property(d => d.TargetUrl).HasMaxLength(4096);
        builder.Property(d => d.EventType).HasMaxLength(64).UseCollation("C");
        builder.Property(d => d.Status).HasConversion<SnakeCaseEnumConverter<DeliveryStatus>>().HasMaxLength(16);
        builder.Property(d => d.LastError).HasMaxLength(1000);
        builder.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(d => new { d.TenantId, d.EndpointId }).OnDelete(DeleteBehavior.Restrict);
        // One delivery per (event, endpoint), whoever dispatches it.
        builder.HasIndex(d => new { d.TenantId, d.EventId, d.EndpointId }).IsUnique();
        builder.HasIndex(d => new { d.TenantId, d.EndpointId, d.Id });
        builder.HasIndex(d => new { d.TenantId, d.NotificationId, d.Id }).HasFilter("notification_id IS NOT NULL");
        builder.HasIndex(d => new { d.TenantId, d.Status, d.Id });
        builder.HasIndex(d => new { d.TenantId, d.CreatedAt });
        // Across tenants on purpose: the worker claims due deliveries of every tenant.
        builder.HasIndex(d => d.NextAttemptAt, "ix_webhook_deliveries_due").HasDatabaseName("ix_webhook_deliveries_due").HasFilter("status = 'pending'");
    }
}

/// <summary>One HTTP attempt of a delivery (or the simulated first failure of a smoke test).</summary>
internal sealed class WebhookAttempt : ITenantOwned
{
    public string TenantId { get; set; } = "";
    public required string DeliveryId { get; init; }

    /// <summary>1, 2, ...: unique per delivery, so the same attempt can never be recorded twice.</summary>
    public int Number { get; init; }
    public DateTimeOffset AttemptedAt { get; init; }
    public int? StatusCode { get; init; }
    public int DurationMs { get; init; }
    public string? Error { get; init; }

    /// <summary>The first 1 KiB of the response body.</summary>
    public string? ResponseBody { get; init; }
}

internal sealed class WebhookAttemptConfiguration : IEntityTypeConfiguration<WebhookAttempt>
{
    public void Configure(EntityTypeBuilder<WebhookAttempt> builder)
    {
        builder.ToTable("webhook_attempts");
        builder.HasKey(a => new { a.TenantId, a.DeliveryId, a.Number });
        builder.Property(a => a.Error).HasMaxLength(1000);
        builder.HasOne<WebhookDelivery>().WithMany().HasForeignKey(a => new { a.TenantId, a.DeliveryId }).OnDelete(DeleteBehavior.Cascade);
    }
}
