using OrderCore.Api.Features.Webhooks;

namespace OrderCore.Api.Features.Notifications;

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
