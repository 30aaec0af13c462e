using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using OrderCore.Tests.Features.Webhooks;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Platform;

/// <summary>OpenTelemetry: the Prometheus scrape endpoint and traces that follow an order into its webhook deliveries.</summary>
public sealed partial class TelemetryTests(AppFixture app)
{
    [Fact]
    public async Task Metrics_expose_the_named_series_after_a_first_order_flow()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 1);
        await using var receiver = await WebhookReceiver.StartAsync();
        await tenant.Client.CreateEndpointAsync(receiver.Url.ToString(), "order.created");

        var order = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)), "metrics-first-order");
        var replay = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)), "metrics-first-order");
        var refused = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)));
        Assert.Equal(HttpStatusCode.Created, order.Status);
        Assert.Equal("true", replay.Header("Idempotent-Replayed"));
        refused.AssertError(HttpStatusCode.Conflict, "insufficient_stock");
        var limited = await LimitedKeyAsync(tenant);
        Assert.Equal(HttpStatusCode.OK, (await limited.GetJsonAsync("/v1/orders")).Status);
        (await limited.GetJsonAsync("/v1/orders")).AssertError(HttpStatusCode.TooManyRequests, "rate_limited");
        await Eventually.WaitAsync(() => Task.FromResult(receiver.Received.Any(r => r.Header("X-OrderCore-Event") == "order.created")));

        var scrape = "";
        await Eventually.WaitAsync(async () =>
        {
            scrape = await app.Client().GetStringAsync("/metrics");
            return scrape.Contains("ordercore_webhook_attempts_total{", StringComparison.Ordinal);
        }, () => scrape);

        Assert.Matches(Series("ordercore_orders_created_total"), scrape);
        Assert.Matches(Series("ordercore_reservations_refused_total"), scrape);
        Assert.Matches(Series("ordercore_idempotency_replays_total"), scrape);
        Assert.Matches(Series("ordercore_rate_limited_requests_total"), scrape);
        Assert.Matches(Series("ordercore_outbox_backlog"), scrape);
        Assert.Matches(new Regex("""ordercore_webhook_attempts_total\{[^}]*outcome="succeeded"[^}]*\} [1-9]"""), scrape);
        Assert.Matches(new Regex("""ordercore_webhook_delivery_lag_seconds_count\{[^}]*\} [1-9]"""), scrape);
        Assert.Matches(new Regex("""http_server_request_duration_seconds_count\{[^}]*http_request_method="POST"[^}]*http_route="/v1/orders/?"[^}]*\} [1-9]"""), scrape);
    }

    [Fact]
    public async Task The_delivery_of_an_order_continues_the_trace_of_the_request_that_created_it()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await tenant.Client.CreateEndpointAsync(receiver.Url.ToString(), "order.created");
        var requestTraces = new ConcurrentDictionary<string, string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("ordercore.request_id") is string id)
                {
                    requestTraces[id] = activity.TraceId.ToHexString();
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var requestId = $"trace-test-{Guid.NewGuid():N}";

        var order = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/orders", Http.Order((sku.SkuId, 1)),
            new Dictionary<string, string> { ["X-Request-Id"] = requestId });
        Assert.Equal(HttpStatusCode.Created, order.Status);
        await Eventually.WaitAsync(() => Task.FromResult(receiver.Received.Any(r => r.Header("X-OrderCore-Event") == "order.created")
                                                         && requestTraces.ContainsKey(requestId)));

        var traceparent = receiver.Received.First(r => r.Header("X-OrderCore-Event") == "order.created").Header("traceparent");
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$", traceparent);
        Assert.Equal(requestTraces[requestId], traceparent.Split('-')[1]);
    }

    [Fact]
    public async Task Metrics_are_not_served_to_callers_that_are_not_on_loopback_unless_allowed()
    {
        var settings = app.Settings();
        settings["Metrics:Path"] = "/internal/metrics";
        await using var factory = new OrderCoreFactory(settings);
        using var client = app.Client(baseAddress: factory.Start());

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/internal/metrics")).StatusCode);
        (await client.GetJsonAsync("/metrics")).AssertError(HttpStatusCode.NotFound, "not_found");

        // a scrape over a non-loopback connection is answered as an unknown route
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Request.Path = "/internal/metrics";
        context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");
        Assert.False(OrderCore.Api.Platform.Observability.TelemetrySetup.IsScrape(context, new() { Path = "/internal/metrics" }));
        Assert.True(OrderCore.Api.Platform.Observability.TelemetrySetup.IsScrape(context, new() { Path = "/internal/metrics", AllowRemote = true }));
    }

    [Fact]
    public async Task Traces_and_metrics_go_to_the_otlp_endpoint_when_one_is_set()
    {
        var port = Tools.FreePort();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        var received = new ConcurrentQueue<string>();
        _ = Task.Run(async () =>
        {
            while (collector.IsListening)
            {
                try
                {
                    var context = await collector.GetContextAsync();
                    received.Enqueue(context.Request.Url!.AbsolutePath);
                    context.Response.StatusCode = 200;
                    context.Response.Close();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
            }
        });
        var settings = app.Settings();
        settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{port}";
        settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        settings["OTEL_BSP_SCHEDULE_DELAY"] = "100";
        settings["OTEL_METRIC_EXPORT_INTERVAL"] = "200";
        await using var factory = new OrderCoreFactory(settings);
        using var client = app.Client(baseAddress: factory.Start());

        await client.GetJsonAsync("/openapi/v1.json");

        await Eventually.WaitAsync(() => Task.FromResult(received.Contains("/v1/traces") && received.Contains("/v1/metrics")),
            () => string.Join(", ", received.Distinct()));
    }

    private async Task<HttpClient> LimitedKeyAsync(TestTenant tenant)
    {
        var created = await tenant.Client.PostJsonAsync("/v1/account/api-keys", new { name = "limited", scopes = new[] { "orders:read" }, rate_limit_per_minute = 1 });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        return app.Client(created.Str("key"));
    }

    private static Regex Series(string name) => new($"(?m)^{name}(\\{{[^}}]*\\}})? [0-9]");
}
