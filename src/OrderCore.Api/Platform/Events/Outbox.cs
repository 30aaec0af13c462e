namespace OrderCore.Api.Platform.Events;

/// <summary>
/// Adds events to the request's DbContext, so they commit (or roll back) with the change they describe.
/// Nothing is sent from here: delivery reads committed events.
/// </summary>
public sealed class Outbox(OrderCoreDbContext db, TimeProvider clock, IOptions<JsonOptions> json)
{
    /// <summary>Adds an event of the context's tenant (a request's, or the one background work runs as).</summary>
    public EventRecord Add<T>(string type, T @object, string? subjectId = null, long? sequence = null)
    {
        var record = EventRecord.Create(type, JsonSerializer.Serialize(@object, json.Value.SerializerOptions), subjectId, sequence,
            clock.GetUtcNow(), tenantId: null);
        db.Set<EventRecord>().Add(record);
        return record;
    }
}

/// <summary>The envelope of an event, as the events feed answers it and webhooks deliver it.</summary>
public sealed record EventEnvelope(
    string Id,
    string Type,
    DateTimeOffset CreatedAt,
    string ApiVersion,
    string? SubjectId,
    long? Sequence,
    [property: Description("The adapter whose request made the change (x-adapterid header), or null.")] string? AdapterId,
    EventData Data)
{
    public static EventEnvelope From(EventRecord record) => new(
        record.Id, record.Type, record.CreatedAt, record.ApiVersion, record.SubjectId, record.Sequence, record.AdapterId,
        new EventData(JsonNode.Parse(record.Data)!.AsObject()));
}

public sealed record EventData(JsonObject Object);
