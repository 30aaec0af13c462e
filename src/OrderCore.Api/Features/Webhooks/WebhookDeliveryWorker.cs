using OrderCore.Api.Platform.Health;

namespace OrderCore.Api.Features.Webhooks;

/// <summary>
/// Turns committed events into deliveries and sends them, on every instance at once:
/// <list type="number">
/// <item>Dispatch: reads the committed events past the dispatch cursor (<see cref="OutboxCursor"/>, one instance at a time),
/// inserts one delivery per matching active endpoint and moves the cursor, in one transaction: a crash redoes it, never loses it.</item>
/// <item>Send: claims due deliveries with a lease (<c>locked_until</c>, SKIP LOCKED) in a short transaction,
/// sends outside it, and records the outcome only while the lease is still its own.</item>
/// </list>
/// It wakes when outbox rows are committed (<see cref="WebhookWakeup"/>), at the next due retry, and otherwise every
/// <see cref="WebhookOptions.PollInterval"/>.
/// </summary>
internal sealed class WebhookDeliveryWorker(UnitOfWorkFactory units, WebhookSecrets secrets, WebhookSender sender, IOptions<JsonOptions> json,
    IOptions<WebhookOptions> options, TimeProvider clock, WebhookWakeup wakeup, IEnumerable<INotificationTargets> notificationTargets,
    WorkerHeartbeats heartbeats, ILogger<WebhookDeliveryWorker> logger) : BackgroundService
{
    private const int DispatchBatch = 200;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var pass = await RunOnceAsync(stoppingToken);
                wait = pass.MoreNow ? TimeSpan.Zero
                    : pass.HeldBack ? HeldBackRetry
                    : await UntilNextDueAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Webhook delivery pass failed; retrying shortly");
                wait = options.Value.PollInterval;
            }

            heartbeats.Beat(nameof(WebhookDeliveryWorker));

            if (wait > TimeSpan.Zero)
            {
                try
                {
                    var passStarted = TimeProvider.System.GetTimestamp();
                    if (await wakeup.WaitAsync(wait, stoppingToken))
                    {
                        // Woken by a commit: commits close together share one pass (at order rates, a pass per commit
                        // would cost the instance more than the orders do), at the price of at most this much latency.
                        var since = TimeProvider.System.GetElapsedTime(passStarted);
                        if (since < WokenPassSpacing)
                        {
                            await Task.Delay(WokenPassSpacing - since, clock, stoppingToken);
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Passes that a wake-up starts are at least this far apart.</summary>
    private static readonly TimeSpan WokenPassSpacing = TimeSpan.FromMilliseconds(50);

    /// <summary>How soon to look again at events that a still-running older transaction holds back (see <see cref="OutboxCursor"/>).</summary>
    private static readonly TimeSpan HeldBackRetry = TimeSpan.FromMilliseconds(20);

    /// <summary>What a pass found: more work right away, or committed events held back behind a running transaction.</summary>
    public readonly record struct Pass(bool MoreNow, bool HeldBack);

    /// <summary>One dispatch and one send pass.</summary>
    public async Task<Pass> RunOnceAsync(CancellationToken cancellationToken)
    {
        var (dispatched, heldBack) = await DispatchAsync(cancellationToken);
        var sent = await SendDueAsync(cancellationToken);
        return new Pass(dispatched == DispatchBatch || sent == options.Value.Concurrency, heldBack);
    }

    private async Task<TimeSpan> UntilNextDueAsync(CancellationToken cancellationToken)
    {
        var next = await units.RunAsync((work, ct) => work.Db.Database.SqlQuery<DateTimeOffset?>($"""
            SELECT min(GREATEST(next_attempt_at, COALESCE(locked_until, next_attempt_at))) AS "Value"
            FROM webhook_deliveries WHERE status = 'pending'
            """).SingleAsync(ct), cancellationToken);
        var poll = options.Value.PollInterval;
        if (next is null)
        {
            return poll;
        }

        var until = next.Value - clock.GetUtcNow();
        return until < TimeSpan.Zero ? TimeSpan.Zero : until < poll ? until : poll;
    }

    /// <summary>
    /// Creates the deliveries of up to one batch of committed events past the dispatch cursor; answers how many events it
    /// passed. Events are read in commit-safe order (<see cref="OutboxCursor"/>) and never written: dispatch adds delivery
    /// rows and moves the cursor, in one transaction, so a crash redoes the batch instead of losing or repeating it. Events
    /// of tenants without an active endpoint cost only the read. Also answers whether later events are held back.
    /// </summary>
    public async Task<(int Passed, bool HeldBack)> DispatchAsync(CancellationToken cancellationToken)
    {
        await using var work = await units.BeginAsync(cancellationToken);
        var page = await OutboxCursor.ReadAsync(work.Db, OutboxCursor.Webhooks, DispatchBatch, cancellationToken);
        if (page is null)
        {
            return (0, false); // another instance is dispatching
        }

        var events = page.Events;
        var tenants = events.Select(e => e.TenantId).Distinct(StringComparer.Ordinal).ToList();
        // Across tenants on purpose (the query filter would see none): which of them could receive anything at all.
        var listening = tenants.Count == 0 ? [] : await work.Db.Database.SqlQuery<string>($"""
            SELECT DISTINCT tenant_id AS "Value" FROM webhook_endpoints WHERE active AND tenant_id = ANY({tenants})
            """).ToListAsync(cancellationToken);

        var now = clock.GetUtcNow();
        foreach (var tenantEvents in events.Where(e => !e.DeliveredByWriter).GroupBy(e => e.TenantId, StringComparer.Ordinal)
                     .Where(g => listening.Contains(g.Key, StringComparer.Ordinal)))
        {
            await work.RunAsTenantAsync(tenantEvents.Key, async ct =>
            {
                var endpoints = await work.Db.WebhookEndpoints.AsNoTracking().Where(e => e.Active).ToListAsync(ct);
                foreach (var @event in tenantEvents)
                {
                    // Subscriptions are evaluated now, shortly after the commit; an endpoint created after the
                    // event does not receive it.
                    foreach (var endpoint in endpoints.Where(e => e.CreatedAt <= @event.CreatedAt && Subscriptions.Matches(e.Events, @event.Type)))
                    {
                        work.Db.WebhookDeliveries.Add(new WebhookDelivery
                        {
                            Id = Ids.New(Ids.WebhookDelivery), EndpointId = endpoint.Id, EventId = @event.Id, EventType = @event.Type,
                            NextAttemptAt = now, CreatedAt = now, UpdatedAt = now,
                        });
                    }
                }
            }, cancellationToken);
        }

        await page.AdvanceAsync(work.Db, cancellationToken);
        await work.CommitAsync(cancellationToken);
        return (events.Count, page.HeldBack);
    }

    /// <summary>Claims up to <see cref="WebhookOptions.Concurrency"/> due deliveries, sends them and records the outcomes.</summary>
    public async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow();
        var token = Guid.NewGuid();
        // One statement for every tenant: SKIP LOCKED passes over rows another instance is claiming, and the
        // lease keeps them from being claimed again until it runs out (a crashed instance's do).
        var claimed = await units.RunAsync((work, ct) => work.Db.Database.SqlQuery<ClaimedDelivery>($"""
            UPDATE webhook_deliveries d SET locked_until = {now + settings.Lease}, lease_token = {token}
            FROM (SELECT tenant_id, id FROM webhook_deliveries
                  WHERE status = 'pending' AND next_attempt_at <= {now} AND (locked_until IS NULL OR locked_until < {now})
                  ORDER BY next_attempt_at
                  LIMIT {settings.Concurrency}
                  FOR UPDATE SKIP LOCKED) due
            WHERE d.tenant_id = due.tenant_id AND d.id = due.id
            RETURNING d.tenant_id, d.id, d.endpoint_id, d.notification_id, d.event_id, d.attempt, d.last_status_code
            """).ToListAsync(ct), cancellationToken);

        var claimedAt = TimeProvider.System.GetTimestamp();
        await Task.WhenAll(claimed.Select(delivery => AttemptAsync(delivery, new Lease(token, claimedAt, settings.Lease), cancellationToken)));
        return claimed.Count;
    }

    private async Task AttemptAsync(ClaimedDelivery delivery, Lease lease, CancellationToken cancellationToken)
    {
        var token = lease.Token;
        try
        {
            var (message, @event, problem) = delivery.NotificationId is { } notificationId
                ? await PrepareNotificationAsync(delivery, notificationId, cancellationToken)
                : await PrepareEventAsync(delivery, cancellationToken);
            using var attempt = OrderCoreTelemetry.StartDelivery(delivery.Id, @event);
            if (message is null)
            {
                await RecordAsync(delivery, lease, null, new DeliveryOutcome(DeliveryStatus.Failed, null, false, null), problem, cancellationToken);
                return;
            }

            // Sent outside any transaction: a slow receiver holds no connection and no lock.
            var result = await sender.SendAsync(message, cancellationToken);
            var outcome = DeliveryOutcomes.Decide(result, delivery.Attempt + 1, clock.GetUtcNow(), options.Value, DeliveryOutcomes.NewJitter());
            OrderCoreTelemetry.WebhookAttempted(outcome.Status, @event?.CreatedAt ?? clock.GetUtcNow(), clock.GetUtcNow());
            await RecordAsync(delivery, lease, result, outcome, result.Error, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: give the delivery back now instead of when the lease runs out.
            await units.RunAsTenantAsync(delivery.TenantId, (db, ct) => db.WebhookDeliveries
                .Where(d => d.Id == delivery.Id && d.LeaseToken == token)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.LockedUntil, (DateTimeOffset?)null).SetProperty(d => d.LeaseToken, (Guid?)null), ct),
                CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Delivery {DeliveryId} could not be attempted; it is retried when its lease runs out", delivery.Id);
        }
    }

    /// <summary>What one attempt sends, the event it is about, or why it cannot be sent (no message).</summary>
    private sealed record Prepared(WebhookMessage? Message, EventRecord? Event, string? Problem);

    /// <summary>An endpoint's delivery: the event's envelope, signed with the endpoint's secret (and a rotated-out one still valid).</summary>
    private async Task<Prepared> PrepareEventAsync(ClaimedDelivery delivery, CancellationToken cancellationToken)
    {
        var (endpoint, @event) = await units.RunAsTenantAsync(delivery.TenantId, async (db, ct) => (
            await db.WebhookEndpoints.AsNoTracking().SingleAsync(e => e.Id == delivery.EndpointId, ct),
            await db.Set<EventRecord>().AsNoTracking().SingleOrDefaultAsync(e => e.Id == delivery.EventId, ct)), cancellationToken);
        if (!endpoint.Active || @event is null)
        {
            return new(null, @event, endpoint.Active ? "the event no longer exists" : "not sent: the endpoint is deactivated");
        }

        var now = clock.GetUtcNow();
        var previous = endpoint.PreviousSecretCiphertext is not null && endpoint.PreviousSecretExpiresAt > now
            ? secrets.Unprotect(endpoint.PreviousSecretCiphertext)
            : null;
        var body = JsonSerializer.SerializeToUtf8Bytes(EventEnvelope.From(@event), json.Value.SerializerOptions);
        return new(new WebhookMessage(endpoint.Url, @event.Id, @event.Type, delivery.Id, body, secrets.Unprotect(endpoint.SecretCiphertext), previous),
            @event, null);
    }

    /// <summary>
    /// A notification's call: its stored body, to the URL its owner resolves now (adapter configuration), checked
    /// against the SSRF rules like an endpoint's URL. Its <c>webhook-id</c> is the delivery id, the same on every retry.
    /// </summary>
    private async Task<Prepared> PrepareNotificationAsync(ClaimedDelivery delivery, string notificationId, CancellationToken cancellationToken)
    {
        var (row, @event, target) = await units.RunAsTenantAsync(delivery.TenantId, async (db, ct) =>
        {
            var row = await db.WebhookDeliveries.AsNoTracking().SingleAsync(d => d.Id == delivery.Id, ct);
            var @event = await db.Set<EventRecord>().AsNoTracking().SingleOrDefaultAsync(e => e.Id == delivery.EventId, ct);
            var target = notificationTargets.FirstOrDefault() is { } owner
                ? await owner.ResolveAsync(db, notificationId, row.TargetUrl ?? "", ct)
                : NotificationTarget.Unsendable("notifications are not enabled in this deployment");
            return (row, @event, target);
        }, cancellationToken);
        if (target is not { Url: { } url, SecretCiphertext: { } secret })
        {
            return new(null, @event, $"not sent: {target.Problem}");
        }

        if (await WebhookTargets.CheckUrlAsync(url, options.Value, cancellationToken) is { } refused)
        {
            return new(null, @event, $"target refused: invoke {refused}");
        }

        return new(new WebhookMessage(url, delivery.Id, row.EventType, delivery.Id, Encoding.UTF8.GetBytes(row.Payload ?? "{}"), secrets.Unprotect(secret), null),
            @event, null);
    }

    /// <summary>
    /// Records an attempt and its outcome, only if this worker still holds the lease and nobody recorded
    /// this attempt meanwhile (the conditional UPDATE); otherwise nothing is written. A transient database
    /// failure (a restart, a lost connection) is retried with backoff for as long as the lease would still be
    /// this worker's: a blip shorter than the lease never makes a receiver get the same attempt twice. A retry
    /// after a commit whose answer was lost finds the attempt recorded and writes nothing.
    /// </summary>
    private async Task RecordAsync(ClaimedDelivery delivery, Lease lease, SendResult? result, DeliveryOutcome outcome, string? error,
        CancellationToken cancellationToken)
    {
        for (var backoff = RecordRetryFirst; ; backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, RecordRetryMax.Ticks)))
        {
            try
            {
                await TryRecordAsync(delivery, lease.Token, result, outcome, error, cancellationToken);
                return;
            }
            catch (Exception ex) when (ex.IsTransient() && !cancellationToken.IsCancellationRequested && lease.Remaining() > backoff)
            {
                logger.LogWarning(ex, "Delivery {DeliveryId}: recording the outcome failed; retrying in {Backoff} ms, within its lease",
                    delivery.Id, backoff.TotalMilliseconds);
                await Task.Delay(backoff, cancellationToken);
            }
        }
    }

    private static readonly TimeSpan RecordRetryFirst = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RecordRetryMax = TimeSpan.FromSeconds(2);

    /// <summary>A claim of this worker: its token, and when it was made on the monotonic clock (the lease runs from there).</summary>
    private sealed record Lease(Guid Token, long ClaimedAt, TimeSpan Duration)
    {
        public TimeSpan Remaining() => Duration - TimeProvider.System.GetElapsedTime(ClaimedAt);
    }

    private async Task TryRecordAsync(ClaimedDelivery delivery, Guid token, SendResult? result, DeliveryOutcome outcome, string? error,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var number = delivery.Attempt + 1;
        var succeeded = outcome.Status == DeliveryStatus.Succeeded;
        error = error ?? (succeeded ? null : result?.StatusCode is { } code ? $"HTTP {code}" : null);
        if (error is { Length: > 1000 })
        {
            error = error[..1000];
        }

        var attempt = result is null ? delivery.Attempt : number;
        var lastStatusCode = result is null ? delivery.LastStatusCode : result.StatusCode;
        int? latency = succeeded ? result?.DurationMs : null;
        DateTimeOffset? deliveredAt = succeeded ? now : null;
        await units.RunAsTenantAsync(delivery.TenantId, async (db, ct) =>
        {
            var updated = await db.WebhookDeliveries
                .Where(d => d.Id == delivery.Id && d.LeaseToken == token && d.Attempt == delivery.Attempt)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(d => d.Status, outcome.Status)
                    .SetProperty(d => d.Attempt, attempt)
                    .SetProperty(d => d.NextAttemptAt, outcome.NextAttemptAt)
                    .SetProperty(d => d.LastStatusCode, lastStatusCode)
                    .SetProperty(d => d.LastError, error)
                    .SetProperty(d => d.LatencyMs, latency)
                    .SetProperty(d => d.DeliveredAt, deliveredAt)
                    .SetProperty(d => d.LockedUntil, (DateTimeOffset?)null)
                    .SetProperty(d => d.LeaseToken, (Guid?)null)
                    .SetProperty(d => d.UpdatedAt, now), ct);
            if (updated == 0)
            {
                logger.LogWarning("Delivery {DeliveryId}: lease lost before the outcome of attempt {Attempt} was recorded", delivery.Id, number);
                return;
            }

            if (result is not null)
            {
                db.WebhookAttempts.Add(new WebhookAttempt
                {
                    DeliveryId = delivery.Id, Number = number, AttemptedAt = now - TimeSpan.FromMilliseconds(result.DurationMs),
                    StatusCode = result.StatusCode, DurationMs = result.DurationMs, Error = error, ResponseBody = result.ResponseBody,
                });
                if (delivery.EndpointId is not null)
                {
                    await UpdateEndpointAsync(db, delivery, outcome, succeeded, now, ct);
                }
            }
        }, cancellationToken);
    }

    private async Task UpdateEndpointAsync(OrderCoreDbContext db, ClaimedDelivery delivery, DeliveryOutcome outcome, bool succeeded, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var endpoint = await db.WebhookEndpoints.SingleAsync(e => e.Id == delivery.EndpointId, cancellationToken);
        if (succeeded)
        {
            endpoint.FailingSince = null;
        }
        else
        {
            endpoint.FailingSince ??= now;
            if (outcome.DeactivateEndpoint && endpoint.Active)
            {
                endpoint.Deactivate(outcome.DeactivationReason!, now);
            }
            else if (endpoint.Active && now - endpoint.FailingSince >= options.Value.DeactivateAfterFailingFor)
            {
                endpoint.Deactivate($"every delivery failed since {endpoint.FailingSince:yyyy-MM-ddTHH:mm:ssZ}", now);
            }
        }

        if (!endpoint.Active && endpoint.DeactivatedAt == now)
        {
            logger.LogWarning("Webhook endpoint {EndpointId} deactivated: {Reason}", endpoint.Id, endpoint.DeactivatedReason);
        }
    }

    /// <summary>What sending needs of a delivery it leased.</summary>
    private sealed class ClaimedDelivery
    {
        public required string TenantId { get; init; }
        public required string Id { get; init; }
        public string? EndpointId { get; init; }
        public string? NotificationId { get; init; }
        public required string EventId { get; init; }
        public int Attempt { get; init; }
        public int? LastStatusCode { get; init; }
    }
}

/// <summary>
/// Wakes the worker when outbox rows were committed, here or by another instance (<see cref="OutboxSignal"/>); between
/// wake-ups the worker polls.
/// </summary>
internal sealed class WebhookWakeup : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public WebhookWakeup(OutboxSignal outbox) => outbox.Subscribe(Wake);

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _signal.Dispose();

    private void Wake()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already awake.
        }
    }
}
