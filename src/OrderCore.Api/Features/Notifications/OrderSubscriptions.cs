using OrderCore.Api.Features.Orders;
using OrderCore.Api.Features.Webhooks;

namespace OrderCore.Api.Features.Notifications;

/// <summary>What creating, listing, reading and deleting notifications and hooks have in common.</summary>
internal static class OrderSubscriptions
{
    public static JsonNode? SchemaNode(OrderSubscription subscription) => subscription.Schema is null ? null : JsonNode.Parse(subscription.Schema);

    public static JsonNode ToJson(OrderResponse order) => JsonSerializer.SerializeToNode(order, JsonDefaults.Options)!;

    public static ApiError OrderNotFound(string orderId) => ApiError.NotFound($"No order with id {orderId}");

    /// <summary>
    /// What can be checked when a subscription is created, every problem at once: the scope against the order, the
    /// schema against the 2020-12 meta-schema, and the invoke URL's references (the order's and the adapter
    /// configuration's, resolved now) and the resolved URL against the SSRF rules of webhook endpoints.
    /// </summary>
    public static async Task<ApiError?> CheckAsync(OrderCoreDbContext db, SignedCalls calls, OrderSubscriptionRequest request, JsonNode order,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (ChangeTriggers.ScopeProblem(request.Scope!, order) is { } scope)
        {
            errors["scope"] = [scope];
        }

        if (request.Schema is { } schema && ChangeTriggers.SchemaProblem(schema) is { } schemaProblem)
        {
            errors["schema"] = [schemaProblem];
        }

        var adapterId = request.Adapter();
        var invoke = request.Invoke!.Trim();
        var problem = InvokeTemplates.SyntaxProblem(invoke, adapterId is not null);
        if (problem is null)
        {
            var (url, unresolved) = await ResolveAsync(db, InvokeTemplates.ResolveOrder(invoke, order), adapterId, cancellationToken);
            problem = unresolved ?? await calls.CheckTargetAsync(url!, cancellationToken);
        }

        if (problem is not null)
        {
            errors["invoke"] = [problem];
        }

        return errors.Count == 0 ? null : ApiError.Validation(errors);
    }

    /// <summary>
    /// The URL of a call: <paramref name="target"/> (the invoke template with the order's references already resolved) with the
    /// adapter configuration's resolved now; or the reference that could not be resolved.
    /// </summary>
    public static async Task<(string? Url, string? Problem)> ResolveAsync(OrderCoreDbContext db, string target, string? adapterId,
        CancellationToken cancellationToken)
    {
        if (InvokeTemplates.UsesConfiguration(target) && adapterId is not null)
        {
            var configuration = await db.AdapterConfigurations.AsNoTracking().SingleOrDefaultAsync(c => c.AdapterId == adapterId, cancellationToken);
            target = InvokeTemplates.ResolveConfiguration(target, configuration?.Values);
        }

        return InvokeTemplates.Unresolved(target) is { } missing
            ? (null, $"has an unresolved reference {missing}: {(missing.StartsWith("{order.", StringComparison.Ordinal)
                ? "the order has no value there" : $"the configuration of adapter {adapterId} has no such key")}")
            : (target, null);
    }

    /// <summary>
    /// Creates a subscription of an existing order once <see cref="CheckAsync"/> finds no problem: a new signing secret,
    /// stored encrypted (<paramref name="make"/> gets its ciphertext) and shown in this answer only.
    /// </summary>
    public static async Task<Results<Created<TOut>, ApiError>> CreateAsync<T, TOut>(OrderCoreDbContext db, SignedCalls calls, string orderId,
        OrderSubscriptionRequest request, string collection, Func<string, T> make, Func<T, string, TOut> answer, CancellationToken cancellationToken)
        where T : OrderSubscription
    {
        if (await OrderReads.FindAsync(db, orderId, cancellationToken) is not { } order)
        {
            return OrderNotFound(orderId);
        }

        if (await CheckAsync(db, calls, request, ToJson(order), cancellationToken) is { } invalid)
        {
            return invalid;
        }

        var (secret, ciphertext) = calls.NewSecret();
        var subscription = make(ciphertext);
        db.Set<T>().Add(subscription);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/v1/orders/{orderId}/{collection}/{subscription.Id}", answer(subscription, secret));
    }

    public static async Task<Results<Ok<Paged<TOut>>, ApiError>> ListAsync<T, TOut>(OrderCoreDbContext db, string orderId, PageRequest page,
        Func<T, TOut> map, CancellationToken cancellationToken) where T : OrderSubscription
    {
        if (await OrderReads.FindAsync(db, orderId, cancellationToken) is null)
        {
            return OrderNotFound(orderId);
        }

        return TypedResults.Ok(await db.Set<T>().AsNoTracking().Where(s => s.OrderId == orderId).ToPageAsync(page, map, cancellationToken));
    }

    public static async Task<Results<Ok<TOut>, ApiError>> GetAsync<T, TOut>(OrderCoreDbContext db, string orderId, string id, string noun,
        Func<T, TOut> map, CancellationToken cancellationToken) where T : OrderSubscription
    {
        var subscription = await db.Set<T>().AsNoTracking().SingleOrDefaultAsync(s => s.OrderId == orderId && s.Id == id, cancellationToken);
        return subscription is null ? NotFound(noun, orderId, id) : TypedResults.Ok(map(subscription));
    }

    /// <summary>Deletes it: it triggers nothing more; calls already scheduled fail with "the notification no longer exists".</summary>
    public static async Task<Results<NoContent, ApiError>> DeleteAsync<T>(OrderCoreDbContext db, string orderId, string id, string noun,
        CancellationToken cancellationToken) where T : OrderSubscription
    {
        var deleted = await db.Set<T>().Where(s => s.OrderId == orderId && s.Id == id).ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? NotFound(noun, orderId, id) : TypedResults.NoContent();
    }

    private static ApiError NotFound(string noun, string orderId, string id) => ApiError.NotFound($"No {noun} with id {id} on order {orderId}");
}
