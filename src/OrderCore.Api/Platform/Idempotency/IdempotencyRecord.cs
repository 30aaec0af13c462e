namespace OrderCore.Api.Platform.Idempotency;

/// <summary>The stored answer to the first request made with an Idempotency-Key.</summary>
public sealed class IdempotencyRecord
{
    /// <summary>The tenant id, or <c>admin</c> for operator routes.</summary>
    public required string Scope { get; init; }
    public required string Key { get; init; }
    public required byte[] RequestHash { get; set; }
    public required int StatusCode { get; set; }
    public string? ContentType { get; set; }
    public string? Location { get; set; }
    /// <summary>The answer; encrypted when <see cref="SealedFor"/> is set; empty when <see cref="EventId"/> holds it.</summary>
    public required byte[] Body { get; set; }

    /// <summary>
    /// The event whose <c>data.object</c> is, byte for byte, this answer's body (an order's <c>order.created</c>): the body is
    /// then not stored twice, and a replay reads it from the event. Events outlive these records
    /// (<see cref="EventOptions.MinimumRetention"/> against at most <see cref="IdempotencyOptions.Retention"/>, checked).
    /// </summary>
    public string? EventId { get; set; }

    /// <summary>
    /// For a route whose answer holds a secret (<see cref="SecretInAnswer"/>): the caller (API key id, or <c>admin</c>)
    /// the encrypted <see cref="Body"/> may be replayed to. Null for an answer stored in plaintext.
    /// </summary>
    public string? SealedFor { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

public sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> builder)
    {
        builder.ToTable("idempotency_records");
        builder.HasKey(r => new { r.Scope, r.Key });
        builder.Property(r => r.Scope).UseCollation("C");
        builder.Property(r => r.Key).HasMaxLength(IdempotencyOptions.MaxKeyLength).UseCollation("C");
        // BRIN, as for events' created_at: records are written in time order (expiry = creation + one of two retentions), and
        // the sweep reads ranges, so no B-tree entry per request is needed.
        builder.HasIndex(r => r.ExpiresAt).HasMethod("brin");
    }
}

public sealed class IdempotencyOptions
{
    public const int MaxKeyLength = 255;

    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long an answer that holds a secret is kept (at most; never longer than <see cref="Retention"/>).</summary>
    public TimeSpan SecretRetention { get; set; } = TimeSpan.FromHours(1);
}
