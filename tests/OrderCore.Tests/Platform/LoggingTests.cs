using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrderCore.Api.Platform.Observability;
using OrderCore.Tests.Features.Webhooks;
using OrderCore.Tests.Infrastructure;
using Serilog.Core;
using Serilog.Events;

namespace OrderCore.Tests.Platform;

/// <summary>JSON log lines: ISO timestamps with zone, request and tenant id inside a request, delivery id inside a delivery.</summary>
public sealed class LoggingTests(AppFixture app)
{
    [Fact]
    public async Task Json_lines_parse_and_carry_the_request_tenant_and_delivery_ids_and_no_secret()
    {
        var sink = new CapturingSink();
        await using var database = await TestDatabase.CreateAsync();
        var settings = app.Settings();
        settings["ORDERCORE_DB"] = database.ConnectionString;
        // A framework source raised to Information, so that a request logs a line of its own.
        settings["Serilog:MinimumLevel:Override:Microsoft.AspNetCore.Routing.EndpointMiddleware"] = "Information";
        settings["Serilog:MinimumLevel:Override:System.Net.Http"] = "Information";
        await using var factory = new OrderCoreFactory(settings, services => services.AddSingleton<ILogEventSink>(sink));
        var baseAddress = factory.Start();
        using var admin = app.AdminClient(baseAddress);
        var created = await admin.PostJsonAsync("/admin/v1/tenants", new { name = "Logs" });
        var tenantId = created.Body.GetProperty("tenant").GetProperty("id").GetString()!;
        var key = created.Body.GetProperty("api_key").GetProperty("key").GetString()!;
        using var client = app.Client(key, baseAddress);
        // 410: the delivery fails and the endpoint is deactivated, which the worker logs (a warning) during the delivery.
        await using var receiver = await WebhookReceiver.StartAsync(_ => new ReceiverAnswer(410));
        var (_, secret) = await client.CreateEndpointAsync(receiver.Url.ToString(), "checkout.completed");

        var requestId = $"log-test-{Guid.NewGuid():N}";
        await client.SendAsync(HttpMethod.Get, "/v1/orders", headers: new Dictionary<string, string> { ["X-Request-Id"] = requestId });
        var (_, deliveryIds) = await client.SmokeAsync();
        await client.WaitForStatusAsync(deliveryIds.Single(), "failed");
        await Eventually.WaitAsync(() => Task.FromResult(sink.Lines.Any(l => l.Contains("deactivated", StringComparison.Ordinal))));

        var lines = sink.Lines.ToArray();
        var parsed = lines.Select(line => JsonDocument.Parse(line).RootElement).ToArray();
        Assert.All(parsed, line =>
        {
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$", line.GetProperty("timestamp").GetString());
            Assert.False(string.IsNullOrEmpty(line.GetProperty("level").GetString()));
            Assert.True(line.TryGetProperty("message", out _));
        });
        var inRequest = parsed.Where(l => Str(l, "request_id") == requestId).ToArray();
        Assert.Contains(inRequest, l => Str(l, "SourceContext") == "Microsoft.AspNetCore.Routing.EndpointMiddleware");
        Assert.All(inRequest, l => Assert.Equal(tenantId, Str(l, "tenant_id")));
        var ofDelivery = parsed.Where(l => Str(l, "SourceContext")?.EndsWith("WebhookDeliveryWorker", StringComparison.Ordinal) == true).ToArray();
        Assert.Contains(ofDelivery, l => Str(l, "message")!.Contains("deactivated", StringComparison.Ordinal));
        Assert.All(ofDelivery, l => Assert.Equal(deliveryIds.Single(), Str(l, "delivery_id")));
        // HttpClient's per-request lines stay off even with System.Net.Http raised to Information
        Assert.DoesNotContain(parsed, l => Str(l, "SourceContext")?.StartsWith("System.Net.Http.HttpClient", StringComparison.Ordinal) == true);
        Assert.DoesNotContain(lines, l => l.Contains(key, StringComparison.Ordinal) || l.Contains(secret, StringComparison.Ordinal));
    }

    private static string? Str(JsonElement line, string name) => line.TryGetProperty(name, out var value) ? value.GetString() : null;

    /// <summary>Formats every event as the console does in JSON mode.</summary>
    private sealed class CapturingSink : ILogEventSink
    {
        private readonly Serilog.Formatting.ITextFormatter _formatter = Logging.Formatter(json: true);

        public ConcurrentQueue<string> Lines { get; } = new();

        public void Emit(LogEvent logEvent)
        {
            using var writer = new StringWriter();
            _formatter.Format(logEvent, writer);
            Lines.Enqueue(writer.ToString().TrimEnd('\n'));
        }
    }
}
