using OrderCore.Api.Features.Orders;
using OrderCore.Api.Features.Webhooks;

namespace OrderCore.Api.Features.Notifications;

/// <summary>
/// Evaluates an order's hooks and notifications for each change to it, in the change's transaction before its save
/// (Orders' <see cref="IOrderChangeCheck"/>), and tells the delivery worker where a notification's call goes
/// (Webhooks' <see cref="INotificationTargets"/>). A subscription whose adapter makes the change (<c>x-adapterid</c>)
/// is skipped.
/// <list type="bullet">
/// <item>Hooks first, one after the other: a refusal throws, so the change, and every notification it would have
/// triggered, is never written.</item>
/// <item>Notifications: one delivery row each, due after its delay, in the same transaction: a rolled-back change
/// triggers nothing, and a committed one is sent by the worker however often instances restart.</item>
/// </list>
/// </summary>
internal sealed class OrderChangeSubscriptions(SignedCalls calls, ILogger<OrderChangeSubscriptions> logger) : IOrderChangeCheck, INotificationTargets
{
    /// <summary>The <c>X-OrderCore-Event</c> of a hook's call.</summary>
    public const string HookEventType = "order.hook";

    public async Task BeforeSaveAsync(OrderChange change, CancellationToken cancellationToken)
    {
        var db = change.Db;
        var hooks = await db.OrderHooks.AsNoTracking().Where(h => h.OrderId == change.OrderId).OrderBy(h => h.CreatedAt).ToListAsync(cancellationToken);
        var notifications = await db.OrderNotifications.AsNoTracking().Where(n => n.OrderId == change.OrderId).OrderBy(n => n.CreatedAt)
            .ToListAsync(cancellationToken);
        hooks.RemoveAll(h => h.IsSuppressedBy(change.AdapterId));
        notifications.RemoveAll(n => n.IsSuppressedBy(change.AdapterId));
        if (hooks.Count == 0 && notifications.Count == 0)
        {
            return;
        }

        var before = OrderSubscriptions.ToJson(change.Before);
        var after = OrderSubscriptions.ToJson(change.After);
        foreach (var hook in hooks)
        {
            if (ChangeTriggers.Fires(hook, before, after, out var value))
            {
                await CallAsync(db, hook, change, after, value, cancellationToken);
            }
        }

        foreach (var notification in notifications)
        {
            if (ChangeTriggers.Fires(notification, before, after, out var value))
            {
                var order = notification.Version == NotificationVersion.V0 ? change.Stored() : after.DeepClone();
                var body = new NotificationBody(notification.Id, notification.Reference, change.OrderId, notification.Scope, value?.DeepClone(), order);
                NotificationDeliveries.Schedule(db, new ScheduledNotification(notification.Id, change.EventId, change.EventType,
                    InvokeTemplates.ResolveOrder(notification.Invoke, after), JsonSerializer.Serialize(body, JsonDefaults.Options),
                    change.At + TimeSpan.FromMilliseconds(notification.DelayMs), change.At));
            }
        }
    }

    public async Task<NotificationTarget> ResolveAsync(OrderCoreDbContext db, string notificationId, string targetUrl, CancellationToken cancellationToken)
    {
        var notification = await db.OrderNotifications.AsNoTracking().SingleOrDefaultAsync(n => n.Id == notificationId, cancellationToken);
        if (notification is null)
        {
            return NotificationTarget.Unsendable("the notification no longer exists");
        }

        var (url, problem) = await OrderSubscriptions.ResolveAsync(db, targetUrl, notification.AdapterId, cancellationToken);
        return problem is null ? new NotificationTarget(url, notification.SecretCiphertext, null) : NotificationTarget.Unsendable($"invoke {problem}");
    }

    /// <summary>
    /// Calls the hook with the order as it would be after the change. 2xx lets the change proceed unless the body says
    /// <c>{"valid": false}</c>; that or a 4xx refuses it (409 <c>hook_rejected</c>). No usable answer (timeout, 5xx,
    /// unreachable or refused target, unresolved URL) refuses it with 503 <c>hook_unavailable</c>, or lets it proceed
    /// when the hook's <c>on_error</c> is <c>allow</c>.
    /// </summary>
    private async Task CallAsync(OrderCoreDbContext db, OrderHook hook, OrderChange change, JsonNode after, JsonNode? value,
        CancellationToken cancellationToken)
    {
        var (url, problem) = await OrderSubscriptions.ResolveAsync(db, InvokeTemplates.ResolveOrder(hook.Invoke, after), hook.AdapterId, cancellationToken);
        problem = problem is null ? null : $"invoke {problem}";
        problem ??= await calls.CheckTargetAsync(url!, cancellationToken) is { } refused ? $"target refused: invoke {refused}" : null;
        SignedCallResult result;
        if (problem is null)
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(new HookCallBody(hook.Id, change.OrderId, hook.Scope, value?.DeepClone(), after.DeepClone()),
                JsonDefaults.Options);
            result = await calls.CallAsync(url!, Ids.New(Ids.HookCall), HookEventType, body, hook.SecretCiphertext,
                TimeSpan.FromMilliseconds(hook.TimeoutMs), cancellationToken);
        }
        else
        {
            result = new SignedCallResult(null, null, problem);
        }

        var verdict = Verdict(result.ResponseBody);
        var answered = result.StatusCode is >= 200 and < 300;
        if (answered && verdict is not { Valid: false })
        {
            return;
        }

        if (answered || result.StatusCode is >= 400 and < 500)
        {
            var message = verdict?.Message ?? $"HTTP {result.StatusCode}";
            throw ApiError.Conflict("hook_rejected", $"Hook {hook.Id} rejected the change: {message}")
                .With("hook_id", hook.Id).With("hook_message", message).ToException();
        }

        var reason = result.Error ?? $"HTTP {result.StatusCode}";
        if (hook.OnError == HookErrorPolicy.Allow)
        {
            logger.LogWarning("Hook {HookId} of order {OrderId} gave no usable answer ({Reason}); the change proceeds (on_error allow)",
                hook.Id, change.OrderId, reason);
            return;
        }

        throw new ApiError(StatusCodes.Status503ServiceUnavailable, "hook_unavailable",
            $"Hook {hook.Id} gave no usable answer ({reason}); the change was not made").With("hook_id", hook.Id)
            .With("retry_after", ApiError.UnavailableRetryAfterSeconds).ToException();
    }

    private sealed record HookVerdict(bool? Valid, string? Message);

    /// <summary>The <c>{"valid", "message"}</c> of a hook's answer, or null when the body is empty or not such an object.</summary>
    private static HookVerdict? Verdict(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(body) is JsonObject answer
                ? new HookVerdict(answer["valid"]?.GetValueKind() is JsonValueKind.False ? false : answer["valid"]?.GetValueKind() is JsonValueKind.True ? true : null,
                    answer["message"]?.GetValueKind() == JsonValueKind.String ? answer["message"]!.GetValue<string>() : null)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
