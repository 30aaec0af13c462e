using System.Net;
using OrderCore.Tests.Features.Webhooks;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Notifications;

/// <summary>Notifications under a restart, with a long delay and with the SSRF settings off; each test runs its instances on a database of its own.</summary>
public sealed class NotificationInstanceTests
{
    [Fact]
    public async Task A_restart_in_the_middle_of_retries_loses_no_notification()
    {
        await using var app = await IsolatedApp.CreateAsync(new Dictionary<string, string?>
        {
            ["Webhooks:AllowHttp"] = "true",
            ["Webhooks:AllowPrivateTargets"] = "true",
            ["Webhooks:RetryDelays:0"] = "00:00:03",
        });
        var first = app.StartInstance();
        var (_, key) = await app.CreateTenantAsync(first);
        await using var receiver = await WebhookReceiver.StartAsync(hit => new ReceiverAnswer(hit == 1 ? 503 : 200));
        string notificationId, deliveryId;
        using (var client = IsolatedApp.Client(first, key))
        {
            var orderId = await client.PendingOrderAsync();
            (notificationId, _) = await client.CreateNotificationAsync(orderId, new { scope = "/status", invoke = receiver.Url.ToString() });
            Assert.Equal(HttpStatusCode.OK, (await client.PostJsonAsync($"/v1/orders/{orderId}/confirm", null)).Status);
            var pending = await client.SingleDeliveryAsync(notificationId, "pending");
            deliveryId = pending.Str("id");
            await client.WaitForDeliveryAsync(deliveryId, d => d.Attempt() == 1);
        }

        await app.StopInstanceAsync(0);
        var second = app.StartInstance();
        using var restarted = IsolatedApp.Client(second, key);

        var delivered = await restarted.WaitForStatusAsync(deliveryId, "succeeded");
        Assert.Equal(2, delivered.Attempt());
        Assert.Equal(2, receiver.Hits(deliveryId));
        Assert.Equal(notificationId, delivered.Str("notification_id"));
    }

    /// <summary>Isolated: an instance with a clock days ahead (other tests start such on the shared database) would find it due.</summary>
    [Fact]
    public async Task A_delayed_notification_is_scheduled_its_delay_after_the_change()
    {
        await using var app = await IsolatedApp.CreateAsync(new Dictionary<string, string?>
        {
            ["Webhooks:AllowHttp"] = "true",
            ["Webhooks:AllowPrivateTargets"] = "true",
        });
        var address = app.StartInstance();
        var (_, key) = await app.CreateTenantAsync(address);
        using var client = IsolatedApp.Client(address, key);
        await using var receiver = await WebhookReceiver.StartAsync();
        var orderId = await client.PendingOrderAsync();
        var (later, _) = await client.CreateNotificationAsync(orderId, new { scope = "/status", invoke = receiver.Url.ToString(), delay = 3_600_000 });
        var (now, _) = await client.CreateNotificationAsync(orderId, new { scope = "/status", invoke = receiver.Url.ToString() });

        Assert.Equal(HttpStatusCode.OK, (await client.PostJsonAsync($"/v1/orders/{orderId}/confirm", null)).Status);

        var sent = await client.SingleDeliveryAsync(now);
        var waiting = (await client.NotificationDeliveriesAsync(later)).Single();
        Assert.Equal("pending", waiting.Str("status"));
        Assert.Equal(0, waiting.Attempt());
        var due = waiting.GetProperty("next_retry_at").GetDateTimeOffset() - waiting.GetProperty("created_at").GetDateTimeOffset();
        Assert.InRange(due, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
        Assert.Equal(sent.Str("id"), Assert.Single(receiver.Received).DeliveryId);
    }

    [Fact]
    public async Task Invoke_obeys_the_ssrf_rules_of_webhook_endpoints_at_creation_and_when_sent()
    {
        await using var app = await IsolatedApp.CreateAsync(new Dictionary<string, string?>());
        var address = app.StartInstance();
        var (_, key) = await app.CreateTenantAsync(address);
        using var client = IsolatedApp.Client(address, key);
        await using var receiver = await WebhookReceiver.StartAsync();
        var orderId = await client.PendingOrderAsync();
        await client.SendAsync(HttpMethod.Put, "/v1/adapters/meta/configuration", new { internalUrl = "https://169.254.169.254" });

        object[] refused =
        [
            new { scope = "/status", invoke = receiver.Url.ToString() },
            new { scope = "/status", invoke = "https://10.1.2.3/callback" },
            new { scope = "/status", invoke = "https://localhost/callback" },
            new { scope = "/status", invoke = "https://user:pass@93.184.215.14/callback" },
            new { scope = "/status", adapter_id = "meta", invoke = "{configuration.adapter.internalUrl}/latest/meta-data" },
        ];
        foreach (var body in refused)
        {
            foreach (var kind in new[] { "notifications", "hooks" })
            {
                var answer = await client.PostJsonAsync($"/v1/orders/{orderId}/{kind}", body);
                answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
                Assert.True(answer.Body.GetProperty("errors").TryGetProperty("invoke", out _), answer.Body.ToString());
            }
        }

        // Allowed when created; the adapter's URL then points at loopback: the call is refused, never sent.
        await client.SendAsync(HttpMethod.Put, "/v1/adapters/erp/configuration", new { internalUrl = "https://93.184.215.14" });
        var (notificationId, _) = await client.CreateNotificationAsync(orderId,
            new { scope = "/status", adapter_id = "erp", invoke = "{configuration.adapter.internalUrl}/callback" });
        await client.SendAsync(HttpMethod.Put, "/v1/adapters/erp/configuration", new { internalUrl = $"https://localhost:{receiver.Url.Port}" });
        Assert.Equal(HttpStatusCode.OK, (await client.PostJsonAsync($"/v1/orders/{orderId}/confirm", null)).Status);

        var delivery = await client.SingleDeliveryAsync(notificationId, "failed");
        Assert.Contains("target refused", delivery.Str("last_error"));
        Assert.Empty(receiver.Received);
    }
}
