using System.Diagnostics;

namespace OrderCore.Api.Platform.Events;

/// <summary>
/// A change others may care about, written in the same transaction as the change (transactional
/// outbox): the source of webhook deliveries and of the pull-based <c>GET /v1/events</c> feed.
/// </summary>
public sealed class EventRecord : ITenantOwned, IHasId, IOutboxRow
{
    /// <summary>A new event; without <paramref name="tenantId"/> the save stamps the current tenant.</summary>
    public static EventRecord Create(string type, string data, string? subjectId, long? sequence, DateTimeOffset at, string? tenantId) => new()
    {
        TenantId = tenantId ?? "",
        Id = Ids.New(Ids.Event),
        Type = type,
        CreatedAt = at,
        SubjectId = subjectId,
        Sequence = sequence,
        Data = data,
    };

    /// <summary>The outbox row of an event an aggregate raised, with the id it was raised with.</summary>
    public static EventRecord From(RaisedEvent raised, string data, string tenantId) => new()
    {
        TenantId = tenantId,
        Id = raised.Id,
        Type = raised.Type,
        CreatedAt = raised.At,
        SubjectId = raised.SubjectId,
        Sequence = raised.Sequence,
        AdapterId = raised.AdapterId,
        Data = data,
    };

    public string TenantId { get; set; } = "";
    public required string Id { get; init; }
    public required string Type { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public string ApiVersion { get; init; } = "v1";

    /// <summary>The id of the object the event is about (order_..., or sku@location for stock).</summary>
    public string? SubjectId { get; init; }

    /// <summary>Per subject, increasing: lets a consumer put out-of-order deliveries back in order.</summary>
    public long? Sequence { get; init; }

    /// <summary>The adapter whose request made the change (<c>x-adapterid</c>), if any.</summary>
    public string? AdapterId { get; init; }

    /// <summary>
    /// <c>data.object</c> of the envelope, as JSON text kept byte for byte (a <c>json</c> column, not <c>jsonb</c>): an
    /// idempotent answer that is this object is replayed from here (<see cref="IdempotencyRecord.EventId"/>).
    /// </summary>
    public required string Data { get; init; }

    /// <summary>
    /// Set by a writer that makes the event's webhook deliveries itself, when it writes the event (the smoke test): the
    /// dispatcher then passes it by. Null for every other event; dispatch never writes it (it moves a cursor instead,
    /// <see cref="OutboxCursor"/>), so an event row is written once.
    /// </summary>
    public DateTimeOffset? DispatchedAt { get; set; }

    /// <summary>
    /// The W3C <c>traceparent</c> of the work that wrote the event (usually a request), so that its webhook
    /// deliveries continue that trace. Taken when the record is made, however it is made (a loaded record gets its column's value).
    /// </summary>
    public string? TraceParent { get; init; } = Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.Id : null;
}

public sealed class EventRecordConfiguration : IEntityTypeConfiguration<EventRecord>
{
    public void Configure(EntityTypeBuilder<EventRecord> builder)
    {
        builder.ToTable("events");
        builder.HasKey(e => new { e.TenantId, e.Id });
        builder.Property(e => e.Type).HasMaxLength(64).UseCollation("C");
        builder.Property(e => e.ApiVersion).HasMaxLength(16);
        builder.Property(e => e.TraceParent).HasMaxLength(55);
        builder.Property(e => e.AdapterId).HasMaxLength(128);
        builder.Property(e => e.Data).HasColumnType("json");
        builder.HasIndex(e => new { e.TenantId, e.Type, e.Id });
        // BRIN: events arrive in time order, so a range summary per block of pages serves the retention sweep, and an insert
        // adds no index entry (a B-tree here cost one WAL record per event).
        builder.HasIndex(e => e.CreatedAt).HasMethod("brin");
        // Not in the model: transaction_id (xid8, default pg_current_xact_id()) and its index (transaction_id, id), which
        // outbox cursors read in order (see OutboxCursor and the FastOrderPath migration).
    }
}
