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

/// <summary>The routes of per-order notifications.</summary>
internal static class OrderNotifications
{
    public const int MaxDelayMs = 3_600_000;
    private const string Noun = "notification";

    public static async Task<Results<Created<NotificationWithSecretResponse>, ApiError>> Create([FromRoute(Name = "order_id")] string orderId,
        CreateNotificationRequest request, OrderCoreDbContext db, SignedCalls calls, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (request.Id is { } id && await db.OrderNotifications.AnyAsync(n => n.Id == id, cancellationToken))
        {
            return ApiError.Conflict("resource_exists", $"A notification with id {id} already exists").With("notification_id", id);
        }

        return await OrderSubscriptions.CreateAsync(db, calls, orderId, request, "notifications", ciphertext => new OrderNotification
        {
            Id = request.Id ?? Ids.New(Ids.OrderNotification), OrderId = orderId, AdapterId = request.Adapter(), Reference = request.Reference,
            Description = request.Description, Scope = request.Scope!, Schema = request.Schema?.ToJsonString(), Invoke = request.Invoke!.Trim(),
            Version = request.Version ?? NotificationVersion.V1, DelayMs = request.Delay ?? 0, SecretCiphertext = ciphertext, CreatedAt = clock.GetUtcNow(),
        }, (notification, secret) => new NotificationWithSecretResponse(notification, secret), cancellationToken);
    }

    public static Task<Results<Ok<Paged<NotificationResponse>>, ApiError>> List([FromRoute(Name = "order_id")] string orderId,
        [AsParameters] PageRequest page, OrderCoreDbContext db, CancellationToken cancellationToken) =>
        OrderSubscriptions.ListAsync<OrderNotification, NotificationResponse>(db, orderId, page, NotificationResponse.From, cancellationToken);

    public static Task<Results<Ok<NotificationResponse>, ApiError>> Get([FromRoute(Name = "order_id")] string orderId,
        [FromRoute(Name = "notification_id")] string notificationId, OrderCoreDbContext db, CancellationToken cancellationToken) =>
        OrderSubscriptions.GetAsync<OrderNotification, NotificationResponse>(db, orderId, notificationId, Noun, NotificationResponse.From, cancellationToken);

    public static Task<Results<NoContent, ApiError>> Delete([FromRoute(Name = "order_id")] string orderId,
        [FromRoute(Name = "notification_id")] string notificationId, OrderCoreDbContext db, CancellationToken cancellationToken) =>
        OrderSubscriptions.DeleteAsync<OrderNotification>(db, orderId, notificationId, Noun, cancellationToken);
}

/// <summary>The routes of per-order validation hooks.</summary>
internal static class OrderHooks
{
    public const int DefaultTimeoutMs = 2000;
    public const int MinTimeoutMs = 100;
    public const int MaxTimeoutMs = 5000;
    private const string Noun = "hook";

    public static Task<Results<Created<HookWithSecretResponse>, ApiError>> Create([FromRoute(Name = "order_id")] string orderId,
        CreateHookRequest request, OrderCoreDbContext db, SignedCalls calls, TimeProvider clock, CancellationToken cancellationToken) =>
        OrderSubscriptions.CreateAsync(db, calls, orderId, request, "hooks", ciphertext => new OrderHook
        {
            Id = Ids.New(Ids.OrderHook), OrderId = orderId, AdapterId = request.Adapter(), Description = request.Description, Scope = request.Scope!,
            Schema = request.Schema?.ToJsonString(), Invoke = request.Invoke!.Trim(), TimeoutMs = request.TimeoutMs ?? DefaultTimeoutMs,
            OnError = request.OnError ?? HookErrorPolicy.Reject, SecretCiphertext = ciphertext, CreatedAt = clock.GetUtcNow(),
        }, (hook, secret) => new HookWithSecretResponse(hook, secret), cancellationToken);

    public static Task<Results<Ok<Paged<HookResponse>>, ApiError>> List([FromRoute(Name = "order_id")] string orderId,
        [AsParameters] PageRequest page, OrderCoreDbContext db, CancellationToken cancellationToken) =>
        OrderSubscriptions.ListAsync<OrderHook, HookResponse>(db, orderId, page, HookResponse.From, cancellationToken);

    public static Task<Results<Ok<HookResponse>, ApiError>> Get([FromRoute(Name = "order_id")] string orderId,
        [FromRoute(Name = "hook_id")] string hookId, OrderCoreDbContext db, CancellationToken cancellationToken) =>
        OrderSubscriptions.GetAsync<OrderHook, HookResponse>(db, orderId, hookId, Noun, HookResponse.From, cancellationToken);

    public static Task<Results<NoContent, ApiError>> Delete([FromRoute(Name = "order_id")] string orderId,
        [FromRoute(Name = "hook_id")] string hookId, OrderCoreDbContext db, CancellationToken cancellationToken) =>
        OrderSubscriptions.DeleteAsync<OrderHook>(db, orderId, hookId, Noun, cancellationToken);
}

/// <summary>Per-tenant adapter configuration, read by <c>{configuration.adapter.&lt;key&gt;}</c> in invoke URLs.</summary>
internal static class AdapterConfigurations
{
    private const int MaxKeys = 100;
    private const int MaxValueLength = 2048;

    /// <summary>Creates or replaces the adapter's configuration: an object of keys to strings, numbers or booleans.</summary>
    public static async Task<Results<Ok<AdapterConfigurationResponse>, ApiError>> Put([FromRoute(Name = "adapter_id")] string adapterId,
        JsonObject configuration, OrderCoreDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!Ids.IsWritable(adapterId))
        {
            return ApiError.Validation("adapter_id", ClientIds.Rule);
        }

        if (Problems(configuration) is { Count: > 0 } problems)
        {
            return ApiError.Validation(problems);
        }

        var now = clock.GetUtcNow();
        var stored = await db.AdapterConfigurations.SingleOrDefaultAsync(c => c.AdapterId == adapterId, cancellationToken);
        if (stored is null)
        {
            stored = new AdapterConfiguration { AdapterId = adapterId, CreatedAt = now };
            db.AdapterConfigurations.Add(stored);
        }

        stored.Values = configuration;
        stored.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(AdapterConfigurationResponse.From(stored));
    }

    public static async Task<Results<Ok<AdapterConfigurationResponse>, ApiError>> Get([FromRoute(Name = "adapter_id")] string adapterId,
        OrderCoreDbContext db, CancellationToken cancellationToken)
    {
        var stored = await db.AdapterConfigurations.AsNoTracking().SingleOrDefaultAsync(c => c.AdapterId == adapterId, cancellationToken);
        return stored is null ? ApiError.NotFound($"Adapter {adapterId} has no configuration") : TypedResults.Ok(AdapterConfigurationResponse.From(stored));
    }

    private static Dictionary<string, string[]> Problems(JsonObject configuration)
    {
        var problems = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (configuration.Count > MaxKeys)
        {
            problems["(body)"] = [$"must have at most {MaxKeys} keys"];
        }

        foreach (var (key, value) in configuration)
        {
            if (key.Length is 0 or > 128)
            {
                problems[key] = ["keys must be 1 to 128 characters"];
            }
            else if (value is not JsonValue scalar || scalar.GetValueKind() is JsonValueKind.Null)
            {
                problems[key] = ["must be a string, a number or a boolean"];
            }
            else if (scalar.ToJsonString().Length > MaxValueLength)
            {
                problems[key] = [$"must be at most {MaxValueLength} characters"];
            }
        }

        return problems;
    }
}
