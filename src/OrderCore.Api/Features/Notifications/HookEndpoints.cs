using OrderCore.Api.Features.Webhooks;

namespace OrderCore.Api.Features.Notifications;

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
