using Polly.Timeout;

namespace OrderCore.Api.Features.Webhooks;

/// <summary>A notification's call, scheduled in the transaction of the change that triggered it.</summary>
public sealed record ScheduledNotification(
    string NotificationId,
    string EventId,
    string EventType,
    string TargetUrl,
    string Payload,
    DateTimeOffset Due,
    DateTimeOffset Now);

/// <summary>Where a notification's call goes now and which secret signs it; or why it cannot be sent (<see cref="Problem"/>).</summary>
public sealed record NotificationTarget(string? Url, string? SecretCiphertext, string? Problem)
{
    public static NotificationTarget Unsendable(string problem) => new(null, null, problem);
}

/// <summary>
/// The delivery worker's extension point for features that schedule calls of their own (per-order notifications):
/// when such a delivery is due, the worker asks its owner, in the delivery's tenant, where it goes and with which
/// secret; the worker then applies the SSRF rules, signs, sends, retries and records it like any delivery.
/// </summary>
public interface INotificationTargets
{
    Task<NotificationTarget> ResolveAsync(OrderCoreDbContext db, string notificationId, string targetUrl, CancellationToken cancellationToken);
}

/// <summary>Webhooks' surface for per-order notifications: their deliveries are rows of <c>webhook_deliveries</c>.</summary>
public static class NotificationDeliveries
{
    /// <summary>
    /// Adds the delivery to <paramref name="db"/>: it commits (or rolls back) with the caller's change, and the worker
    /// sends it at <see cref="ScheduledNotification.Due"/> with the usual lease, retries and restart safety.
    /// </summary>
    public static string Schedule(OrderCoreDbContext db, ScheduledNotification scheduled)
    {
        var delivery = new WebhookDelivery
        {
            Id = Ids.New(Ids.WebhookDelivery), NotificationId = scheduled.NotificationId, TargetUrl = scheduled.TargetUrl,
            Payload = scheduled.Payload, EventId = scheduled.EventId, EventType = scheduled.EventType, NextAttemptAt = scheduled.Due,
            CreatedAt = scheduled.Now, UpdatedAt = scheduled.Now,
        };
        db.WebhookDeliveries.Add(delivery);
        return delivery.Id;
    }
}

/// <summary>What a synchronous signed call got back: a status, the start of the body, or the error that prevented an answer.</summary>
public sealed record SignedCallResult(int? StatusCode, string? ResponseBody, string? Error);

/// <summary>
/// Webhooks' signing, secrets and SSRF rules for other features' outbound calls (per-order hooks and notifications):
/// one secret format, one encryption at rest, one target policy and one signer for every call OrderCore makes.
/// </summary>
public sealed class SignedCalls
{
    private readonly WebhookSecrets _secrets;
    private readonly WebhookSender _sender;
    private readonly IOptions<WebhookOptions> _options;

    internal SignedCalls(WebhookSecrets secrets, WebhookSender sender, IOptions<WebhookOptions> options)
    {
        _secrets = secrets;
        _sender = sender;
        _options = options;
    }

    /// <summary>A new <c>whsec_</c> secret and its ciphertext for storage; show the secret once.</summary>
    public (string Secret, string Ciphertext) NewSecret()
    {
        var secret = WebhookSecrets.NewSecret();
        return (secret, _secrets.Protect(secret));
    }

    /// <summary>The problem with <paramref name="url"/> as a target (the rules of webhook endpoints), or null.</summary>
    public Task<string?> CheckTargetAsync(string url, CancellationToken cancellationToken) =>
        WebhookTargets.CheckUrlAsync(url, _options.Value, cancellationToken);

    /// <summary>
    /// One signed POST (both schemes, like a delivery; <paramref name="messageId"/> is its <c>webhook-id</c>), answered
    /// within <paramref name="timeout"/> or reported as a timeout.
    /// </summary>
    public async Task<SignedCallResult> CallAsync(string url, string messageId, string eventType, byte[] body, string secretCiphertext,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            var result = await _sender.SendAsync(new WebhookMessage(url, messageId, eventType, messageId, body, _secrets.Unprotect(secretCiphertext), null),
                deadline.Token);
            return new SignedCallResult(result.StatusCode, result.ResponseBody, result.Error);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutRejectedException && !cancellationToken.IsCancellationRequested)
        {
            return new SignedCallResult(null, null, $"timeout: no answer within {timeout.TotalMilliseconds:0} ms");
        }
    }
}
