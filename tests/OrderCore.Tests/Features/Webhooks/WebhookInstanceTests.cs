using System.Net;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Webhooks;

/// <summary>
/// Deliveries under restarts, several instances and settings that differ from the shared app's; each test
/// runs its instances on a database of its own.
/// </summary>
public sealed class WebhookInstanceTests
{
    private static Dictionary<string, string?> Settings(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Webhooks:AllowHttp"] = "true",
            ["Webhooks:AllowPrivateTargets"] = "true",
            ["Webhooks:RetryDelays:0"] = "00:00:00.050",
            ["Webhooks:RetryDelays:1"] = "00:00:00.050",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Fact]
    public async Task A_receiver_slower_than_the_timeout_gets_the_delivery_again()
    {
        await using var app = await IsolatedApp.CreateAsync(Settings(("Webhooks:Timeout", "00:00:00.300")));
        var address = app.StartInstance();
        var (_, key) = await app.CreateTenantAsync(address);
        using var client = IsolatedApp.Client(address, key);
        await using var receiver = await WebhookReceiver.StartAsync(hit => hit == 1 ? new ReceiverAnswer(200, Delay: TimeSpan.FromSeconds(5)) : new ReceiverAnswer(200));
        await client.CreateEndpointAsync(receiver.Url.ToString());

        var (_, deliveryIds) = await client.SmokeAsync();

        var delivery = await client.WaitForStatusAsync(deliveryIds.Single(), "succeeded");
        Assert.Equal(2, delivery.Attempt());
        var first = delivery.Attempts()[0];
        Assert.Contains("timeout", first.GetProperty("error").GetString());
        Assert.False(first.TryGetProperty("status_code", out var code) && code.ValueKind != System.Text.Json.JsonValueKind.Null);
    }

    [Fact]
    public async Task A_restart_in_the_middle_of_retries_loses_nothing_and_an_expired_lease_is_taken_over()
    {
        await using var app = await IsolatedApp.CreateAsync(Settings(("Webhooks:RetryDelays:0", "00:00:03"), ("Webhooks:Lease", "00:00:01")));
        var first = app.StartInstance();
        var (tenantId, key) = await app.CreateTenantAsync(first);
        await using var receiver = await WebhookReceiver.StartAsync(hit => new ReceiverAnswer(hit == 1 ? 503 : 200));
        string retried, stranded;
        using (var client = IsolatedApp.Client(first, key))
        {
            await client.CreateEndpointAsync(receiver.Url.ToString());
            retried = (await client.SmokeAsync()).DeliveryIds.Single();
            await client.WaitForDeliveryAsync(retried, d => d.Attempt() == 1 && d.Status() == "pending");
            stranded = (await client.SmokeAsync("retryable")).DeliveryIds.Single();
        }

        await app.StopInstanceAsync(0);
        // As if the stopped instance had crashed while sending: leased by a worker that never reports back.
        await app.Database.ExecuteAsync(
            "UPDATE webhook_deliveries SET next_attempt_at = now(), locked_until = now() + interval '1 second', lease_token = gen_random_uuid() WHERE tenant_id = $1 AND id = $2",
            tenantId, stranded);
        var second = app.StartInstance();
        using var restarted = IsolatedApp.Client(second, key);

        var delivered = await restarted.WaitForStatusAsync(retried, "succeeded");
        var takenOver = await restarted.WaitForStatusAsync(stranded, "succeeded");
        Assert.Equal(2, delivered.Attempt());
        Assert.Equal(2, receiver.Hits(retried));
        // Attempt 1 was the simulated failure, 2 got the receiver's 503, 3 succeeded.
        Assert.Equal(3, takenOver.Attempt());
        Assert.Equal(2, receiver.Hits(stranded));
    }

    [Fact]
    public async Task A_database_blip_while_recording_an_outcome_sends_nothing_twice()
    {
        await using var app = await IsolatedApp.CreateAsync(Settings(("Webhooks:Lease", "00:00:06")));
        var address = app.StartInstance();
        var (_, key) = await app.CreateTenantAsync(address);
        using var client = IsolatedApp.Client(address, key);
        var reopened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The receiver takes the delivery, then the database goes away for 2 s before the worker can record it.
        await using var receiver = await WebhookReceiver.StartAsync(hit =>
        {
            if (hit == 1)
            {
                app.Database.SetConnectionsAllowedAsync(false).GetAwaiter().GetResult();
                _ = Task.Run(async () =>
                {
                    await Task.Delay(TimeSpan.FromSeconds(2));
                    await app.Database.SetConnectionsAllowedAsync(true);
                    reopened.SetResult();
                });
            }

            return new ReceiverAnswer(200);
        });
        await client.CreateEndpointAsync(receiver.Url.ToString());

        var deliveryId = (await client.SmokeAsync()).DeliveryIds.Single();

        await reopened.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var delivery = await client.WaitForStatusAsync(deliveryId, "succeeded");
        // Past the lease: a delivery whose outcome had been lost would have been claimed and sent again by now.
        await Task.Delay(TimeSpan.FromSeconds(7));
        Assert.Equal(1, delivery.Attempt());
        Assert.Equal(1, receiver.Hits(deliveryId));
        Assert.Equal(1, (await client.DeliveryAsync(deliveryId)).Attempt());
    }

    [Fact]
    public async Task Two_instances_on_one_database_make_each_attempt_exactly_once()
    {
        await using var app = await IsolatedApp.CreateAsync(Settings());
        var addresses = new[] { app.StartInstance(), app.StartInstance() };
        var (_, key) = await app.CreateTenantAsync(addresses[0]);
        var clients = addresses.Select(a => IsolatedApp.Client(a, key)).ToArray();
        await using var receiver = await WebhookReceiver.StartAsync(hit => new ReceiverAnswer(hit == 1 ? 500 : 200));
        await clients[0].CreateEndpointAsync(receiver.Url.ToString());
        await clients[1].CreateEndpointAsync(receiver.Url.ToString(), "checkout.*");

        var deliveryIds = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            deliveryIds.AddRange((await clients[i % 2].SmokeAsync()).DeliveryIds);
        }

        foreach (var id in deliveryIds)
        {
            var delivery = await clients[0].WaitForStatusAsync(id, "succeeded");
            Assert.Equal(2, delivery.Attempt());
        }

        Assert.Equal(24, deliveryIds.Count);
        Assert.All(deliveryIds, id => Assert.Equal(2, receiver.Hits(id)));
        Assert.Equal(48, receiver.Received.Count);
        // Both instances encrypt and decrypt secrets with the one key they share through the database.
        Assert.Equal(1, await app.Database.ScalarAsync<long>("SELECT count(*) FROM data_protection_keys"));
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    [Fact]
    public async Task With_the_settings_off_http_and_private_loopback_and_rebinding_targets_are_refused()
    {
        await using var app = await IsolatedApp.CreateAsync(new Dictionary<string, string?>());
        var address = app.StartInstance();
        var (tenantId, key) = await app.CreateTenantAsync(address);
        using var client = IsolatedApp.Client(address, key);
        await using var receiver = await WebhookReceiver.StartAsync();

        string[] refused =
        [
            receiver.Url.ToString(),                 // http
            "https://127.0.0.1/hook", "https://10.1.2.3/", "https://172.20.0.1/", "https://192.168.1.10/", "https://169.254.169.254/latest",
            "https://100.64.0.1/", "https://0.0.0.0/", "https://[::1]/", "https://[fd00::1]/", "https://[fe80::1]/", "https://[::ffff:127.0.0.1]/",
            "https://[::]/", "https://localhost/hook",  // a name that resolves to loopback
        ];
        foreach (var url in refused)
        {
            var answer = await client.PostJsonAsync("/v1/webhooks/endpoints", new { url, events = new[] { "*" } });
            Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{url}: {answer.Body}");
            Assert.Contains("url", answer.Body.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        }

        var (endpointId, _) = await client.CreateEndpointAsync("https://93.184.215.14/hook");
        var patched = await client.SendAsync(HttpMethod.Patch, $"/v1/webhooks/endpoints/{endpointId}", new { url = "https://[::1]:8443/" });
        Assert.Equal(HttpStatusCode.BadRequest, patched.Status);

        // DNS now answers differently than when the endpoint was saved: the delivery must not connect.
        await app.Database.ExecuteAsync("UPDATE webhook_endpoints SET url = $1 WHERE tenant_id = $2 AND id = $3",
            $"https://localhost:{receiver.Url.Port}/hook", tenantId, endpointId);
        var (_, deliveryIds) = await client.SmokeAsync();

        var delivery = await client.WaitForStatusAsync(deliveryIds.Single(), "failed");
        Assert.Contains("target refused", delivery.GetProperty("last_error").GetString());
        Assert.Empty(receiver.Received);
    }
}
