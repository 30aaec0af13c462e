using OrderCore.Api.Features.Webhooks;

namespace OrderCore.Api.Features.Events;

internal sealed record ListEventsQuery
{
    [FromQuery(Name = "type")]
    [Description("An event type, e.g. order.created.")]
    public string? Type { get; init; }

    [FromQuery(Name = "created_after")]
    [Description("Only events created at or after this time (ISO 8601 with a time zone).")]
    public string? CreatedAfter { get; init; }
}

/// <summary>
/// The pull-based feed of the outbox: a merchant can reconcile without webhooks by walking it newest
/// first with <c>starting_after</c>, or by polling with <c>created_after</c>.
/// </summary>
internal static class EventsApi
{
    public static void MapEventsApi(this RouteGroupBuilder v1)
    {
        var events = v1.MapGroup("/events").WithTags("Events").RequireScopes(WebhookScopes.Read, WebhookScopes.Write);
        events.MapGet("/", List).WithName("ListEvents").WithSummary("List events, newest first").ProducesErrors(400, 401);
        events.MapGet("/{id}", Get).WithName("GetEvent").WithSummary("Retrieve an event").ProducesErrors(401, 404);
    }

    public static async Task<Results<Ok<Paged<EventEnvelope>>, ApiError>> List([AsParameters] ListEventsQuery query, [AsParameters] PageRequest page,
        OrderCoreDbContext db, CancellationToken cancellationToken)
    {
        var events = db.Set<EventRecord>().AsNoTracking();
        if (query.Type is not null)
        {
            var type = query.Type.Trim().ToLowerInvariant();
            events = events.Where(e => e.Type == type);
        }

        if (query.CreatedAfter is not null)
        {
            if (!UtcTimestampConverter.TryParse(query.CreatedAfter, out var after))
            {
                return ApiError.Validation("created_after", "must be an ISO 8601 timestamp with a time zone, e.g. 2026-02-09T12:34:56Z");
            }

            events = events.Where(e => e.CreatedAt >= after);
        }

        return TypedResults.Ok(await events.ToPageAsync(page, EventEnvelope.From, cancellationToken));
    }

    public static async Task<Results<Ok<EventEnvelope>, ApiError>> Get(string id, OrderCoreDbContext db, CancellationToken cancellationToken)
    {
        var record = await db.Set<EventRecord>().AsNoTracking().SingleOrDefaultAsync(e => e.Id == id, cancellationToken);
        return record is null ? ApiError.NotFound($"No event with id {id}") : TypedResults.Ok(EventEnvelope.From(record));
    }
}
