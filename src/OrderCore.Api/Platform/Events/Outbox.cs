using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using OrderCore.Api.Platform.Identifiers;
using OrderCore.Api.Platform.Persistence;

namespace OrderCore.Api.Platform.Events;

/// <summary>The event names OrderCore publishes (lower case, dot-separated).</summary>
public static class EventTypes
{
    public const string OrderCreated = "order.created";
    public const string OrderConfirmed = "order.confirmed";
    public const string OrderFulfilled = "order.fulfilled";
    public const string OrderCancelled = "order.cancelled";
    public const string InventoryAdjusted = "inventory.adjusted";
    public const string CheckoutCompleted = "checkout.completed";

    public static readonly IReadOnlyList<string> All = [OrderCreated, OrderConfirmed, OrderFulfilled, OrderCancelled, InventoryAdjusted, CheckoutCompleted];
}

/// <summary>
/// Adds events to the request's DbContext, so they commit (or roll back) with the change they describe.
/// Nothing is sent from here: delivery reads committed events.
/// </summary>
public sealed class Outbox(OrderCoreDbContext db, TimeProvider clock, IOptions<JsonOptions> json)
{
    /// <summary>Adds an event; <paramref name="tenantId"/> is needed only where no request tenant exists (background work).</summary>
    public EventRecord Add<T>(string type, T @object, string? subjectId = null, long? sequence = null, string? tenantId = null)
    {
        var record = new EventRecord
        {
            TenantId = tenantId ?? "",
            Id = Ids.New(Ids.Event),
            Type = type,
            CreatedAt = clock.GetUtcNow(),
            SubjectId = subjectId,
            Sequence = sequence,
            Data = JsonSerializer.Serialize(@object, json.Value.SerializerOptions),
        };
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
    EventData Data)
{
    public static EventEnvelope From(EventRecord record) => new(
        record.Id, record.Type, record.CreatedAt, record.ApiVersion, record.SubjectId, record.Sequence,
        new EventData(JsonNode.Parse(record.Data)!.AsObject()));
}

public sealed record EventData(JsonObject Object);
