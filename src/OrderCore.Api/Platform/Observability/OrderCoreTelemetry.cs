using System.Diagnostics;
using System.Diagnostics.Metrics;
using Serilog.Context;

namespace OrderCore.Api.Platform.Observability;

/// <summary>
/// OrderCore's own instruments (meter <c>OrderCore</c>, names prefixed <c>ordercore.</c>) and its own spans
/// (activity source <c>OrderCore</c>). Features record what happened with one call each; this class decides
/// names, tags and units, so Prometheus shows e.g. <c>ordercore_orders_created_total</c>. Static like the
/// framework's own meters, so that code without a service provider (static business rules) can record too;
/// the OpenTelemetry provider of each host listens to it by name.
/// </summary>
public static class OrderCoreTelemetry
{
    public const string Name = "OrderCore";
    public const string DeliveryIdProperty = "delivery_id";

    private static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);
    private static readonly Counter<long> OrdersCreatedCounter = Meter.CreateCounter<long>("ordercore.orders.created", description: "Orders created (replays not counted).");
    private static readonly Counter<long> ReservationsRefusedCounter = Meter.CreateCounter<long>("ordercore.reservations.refused",
        description: "Stock reservations refused for lack of available stock (order creation and the reserve route).");
    private static readonly Counter<long> WebhookAttemptsCounter = Meter.CreateCounter<long>("ordercore.webhook.attempts",
        description: "Webhook delivery attempts by outcome: succeeded, pending (to be retried), failed, abandoned.");
    private static readonly Histogram<double> DeliveryLagHistogram = Meter.CreateHistogram("ordercore.webhook.delivery_lag", "s",
        "From an event's commit to its successful delivery.", advice: new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200, 36000, 86400],
        });

    private static readonly Counter<long> IdempotentReplaysCounter = Meter.CreateCounter<long>("ordercore.idempotency.replays",
        description: "Requests answered with the stored answer of an earlier request with the same Idempotency-Key.");

    private static readonly Counter<long> RateLimitedCounter = Meter.CreateCounter<long>("ordercore.rate_limited.requests",
        description: "Requests refused with 429 by the per-key limiter.");

    private static long _outboxBacklog;

    static OrderCoreTelemetry() =>
        Meter.CreateObservableGauge("ordercore.outbox.backlog", () => Interlocked.Read(ref _outboxBacklog),
            description: "Committed events not yet turned into webhook deliveries (sampled).");

    public static void OrderCreated() => OrdersCreatedCounter.Add(1);

    public static void ReservationRefused() => ReservationsRefusedCounter.Add(1);

    public static void IdempotentReplay() => IdempotentReplaysCounter.Add(1);

    public static void RateLimited() => RateLimitedCounter.Add(1);

    public static void OutboxBacklog(long events) => Interlocked.Exchange(ref _outboxBacklog, events);

    /// <summary>One attempt's outcome (the delivery's status after it), and for a success how long after its event it arrived.</summary>
    public static void WebhookAttempted(Enum status, DateTimeOffset eventCreatedAt, DateTimeOffset now)
    {
        var outcome = JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString());
        WebhookAttemptsCounter.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        Activity.Current?.SetTag("ordercore.webhook.outcome", outcome);
        if (outcome == "succeeded")
        {
            DeliveryLagHistogram.Record(Math.Max(0, (now - eventCreatedAt).TotalSeconds));
        }
    }

    /// <summary>
    /// The span of one delivery attempt, continuing the trace of the request that wrote the event, and the
    /// delivery id on every log line until it is disposed.
    /// </summary>
    public static IDisposable StartDelivery(string deliveryId, EventRecord? @event)
    {
        var parent = @event?.TraceParent is { } traceParent && ActivityContext.TryParse(traceParent, null, out var context) ? context : default;
        var activity = Source.StartActivity("webhook deliver", ActivityKind.Producer, parent);
        activity?.SetTag("ordercore.delivery_id", deliveryId);
        activity?.SetTag("ordercore.event_id", @event?.Id);
        activity?.SetTag("ordercore.event_type", @event?.Type);
        var log = LogContext.PushProperty(DeliveryIdProperty, deliveryId);
        return new Scope(activity, log);
    }

    private sealed class Scope(Activity? activity, IDisposable log) : IDisposable
    {
        public void Dispose()
        {
            log.Dispose();
            activity?.Dispose();
        }
    }
}
