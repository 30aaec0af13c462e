using System.Net;
using System.Text.Json;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Webhooks;

/// <summary>Deliveries through the shared app (http and loopback allowed, retry schedule 50 ms x 3).</summary>
public sealed class WebhookDeliveryTests(AppFixture app)
{
    [Fact]
    public async Task A_delivery_carries_both_signatures_over_the_raw_body_and_the_documented_headers()
    {
        var tenant = await app.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var (endpointId, secret) = await tenant.Client.CreateEndpointAsync(receiver.LocalhostUrl, "checkout.completed");
        Assert.StartsWith("whsec_", secret);
        Assert.Equal(32, Convert.FromBase64String(secret[6..]).Length);

        var (eventId, deliveryIds) = await tenant.Client.SmokeAsync();

        var delivery = await tenant.Client.WaitForStatusAsync(deliveryIds.Single(), "succeeded");
        var hit = Assert.Single(receiver.For(deliveryIds.Single()));
        Assert.True(Verifiers.VerifyOrderCoreSignature(hit.Body, hit.Header("X-OrderCore-Signature"), secret));
        Assert.False(Verifiers.VerifyOrderCoreSignature(hit.Body.Append((byte)' ').ToArray(), hit.Header("X-OrderCore-Signature"), secret));
        Assert.True(Verifiers.VerifyStandardWebhooks(hit.Body, hit.Header("webhook-id"), hit.Header("webhook-timestamp"), hit.Header("webhook-signature"), secret));
        Assert.False(Verifiers.VerifyStandardWebhooks(hit.Body, "evt_other", hit.Header("webhook-timestamp"), hit.Header("webhook-signature"), secret));
        Assert.Equal(eventId, hit.Header("webhook-id"));
        Assert.Equal("checkout.completed", hit.Header("X-OrderCore-Event"));
        Assert.Equal("OrderCore-Webhooks/1", hit.Header("User-Agent"));
        Assert.InRange(long.Parse(hit.Header("webhook-timestamp"), System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        using var envelope = JsonDocument.Parse(hit.Body);
        Assert.Equal(eventId, envelope.RootElement.GetProperty("id").GetString());
        Assert.Equal("checkout.completed", envelope.RootElement.GetProperty("type").GetString());
        Assert.Equal("v1", envelope.RootElement.GetProperty("api_version").GetString());
        Assert.Equal(endpointId, delivery.GetProperty("endpoint_id").GetString());
        Assert.Equal(1, delivery.Attempt());
        Assert.True(delivery.GetProperty("latency_ms").GetInt32() >= 0);
        Assert.Equal(200, Assert.Single(delivery.Attempts()).GetProperty("status_code").GetInt32());
    }

    [Fact]
    public async Task After_an_http_1_0_answer_no_delivery_is_sent_on_a_connection_the_receiver_is_closing()
    {
        var tenant = await app.CreateTenantAsync();
        // Answers in HTTP/1.0 (so it will close) and closes 3 s later, without reading what else comes on that connection:
        // a delivery sent on it meanwhile would end without an answer.
        await using var receiver = Http10Receiver.Start(closeAfter: TimeSpan.FromSeconds(3));
        await tenant.Client.CreateEndpointAsync(receiver.Url, "checkout.completed");

        var first = await tenant.Client.WaitForStatusAsync((await tenant.Client.SmokeAsync()).DeliveryIds.Single(), "succeeded");
        var second = await tenant.Client.WaitForStatusAsync((await tenant.Client.SmokeAsync()).DeliveryIds.Single(), "succeeded");

        Assert.Equal(1, first.Attempt());
        Assert.Equal(1, second.Attempt());
        Assert.Equal(2, receiver.Connections);
    }

    [Fact]
    public async Task A_committed_event_goes_to_the_endpoints_whose_patterns_match_it()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 1);
        await using var receiver = await WebhookReceiver.StartAsync();
        var (inventory, _) = await tenant.Client.CreateEndpointAsync(receiver.Url.ToString(), "inventory.*");
        var (all, _) = await tenant.Client.CreateEndpointAsync(receiver.Url.ToString(), "*");
        var (orders, _) = await tenant.Client.CreateEndpointAsync(receiver.Url.ToString(), "order.created", "ORDER.Cancelled");

        await tenant.Client.PostJsonAsync("/v1/inventory/adjust", new { sku_id = sku.SkuId, delta = 2, reason = "received" });

        var page = default(JsonElement);
        await Eventually.WaitAsync(async () =>
        {
            page = (await tenant.Client.GetJsonAsync("/v1/webhooks/deliveries?status=succeeded&event_type=inventory.adjusted")).Body;
            return page.GetProperty("data").GetArrayLength() == 2;
        }, () => page.ToString());
        var endpoints = page.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("endpoint_id").GetString()).Order().ToList();
        Assert.Equal(new[] { inventory, all }.Order(), endpoints);
        var ordersDeliveries = await tenant.Client.GetJsonAsync($"/v1/webhooks/deliveries?endpoint_id={orders}");
        Assert.Equal(0, ordersDeliveries.Body.GetProperty("data").GetArrayLength());
        var ordersEndpoint = await tenant.Client.GetJsonAsync($"/v1/webhooks/endpoints/{orders}");
        Assert.Equal(["order.created", "order.cancelled"], ordersEndpoint.Body.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Server_errors_are_retried_until_the_receiver_accepts_with_the_same_webhook_id()
    {
        var tenant = await app.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync(hit => new ReceiverAnswer(hit < 3 ? 503 : 200));
        await tenant.Client.CreateEndpointAsync(receiver.Url.ToString());

        var (eventId, deliveryIds) = await tenant.Client.SmokeAsync();

        var delivery = await tenant.Client.WaitForStatusAsync(deliveryIds.Single(), "succeeded");
        Assert.Equal(3, delivery.Attempt());
        Assert.Equal([503, 503, 200], delivery.Attempts().Select(a => a.GetProperty("status_code").GetInt32()));
        Assert.Equal([1, 2, 3], delivery.Attempts().Select(a => a.GetProperty("attempt").GetInt32()));
        Assert.Equal("answer 503", delivery.Attempts()[0].GetProperty("response_body").GetString());
        Assert.Equal(3, receiver.Hits(deliveryIds.Single()));
        Assert.All(receiver.For(deliveryIds.Single()), hit => Assert.Equal(eventId, hit.Header("webhook-id")));
    }

    [Fact]
    public async Task A_client_error_fails_the_delivery_without_a_retry()
    {
        var tenant = await app.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync(_ => new ReceiverAnswer(400, Body: new string('x', 5000)));
        var (endpointId, _) = await tenant.Client.CreateEndpointAsync(receiver.Url.ToString());

        var (_, deliveryIds) = await tenant.Client.SmokeAsync();

        var delivery = await tenant.Client.WaitForStatusAsync(deliveryIds.Single(), "failed");
        Assert.Equal(1, delivery.Attempt());
        Assert.Equal(400, delivery.GetProperty("last_status_code").GetInt32());
        Assert.Equal(1024, Assert.Single(delivery.Attempts()).GetProperty("response_body").GetString()!.Length);
        var endpoint = await tenant.Client.GetJsonAsync($"/v1/webhooks/endpoints/{endpointId}");
        Assert.True(endpoint.Body.GetProperty("active").GetBoolean());
        Assert.Equal(1, receiver.Hits(deliveryIds.Single()));
    }

    [Fact]
    public async Task Gone_fails_the_delivery_and_deactivates_the_endpoint()
    {
        var tenant = await app.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync(_ => new ReceiverAnswer(410));
        var (endpointId, _) = await tenant.Client.CreateEndpointAsync(receiver.Url.ToString());

        var (_, deliveryIds) = await tenant.Client.SmokeAsync();

        await tenant.Client.WaitForStatusAsync(deliveryIds.Single(), "failed");
        var endpoint = (await tenant.Client.GetJsonAsync($"/v1/webhooks/endpoints/{endpointId}")).Body;
        Assert.False(endpoint.GetProperty("active").GetBoolean());
        Assert.Contains("410", endpoint.GetProperty("deactivated_reason").GetString());
        var smokeAgain = await tenant.Client.PostJsonAsync("/v1/webhooks/smoke", new { });
        smokeAgain.AssertError(HttpStatusCode.Conflict, "no_active_endpoints");
    }

    [Fact]
    public async Task An_endpoint_whose_deliveries_have_all_failed_for_five_days_is_deactivated_with_the_reason()
    {
        var tenant = await app.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync(hit => new ReceiverAnswer(hit == 1 ? 500 : 404));
        var (endpointId, _) = await tenant.Client.CreateEndpointAsync(receiver.Url.ToString());
        var (_, first) = await tenant.Client.SmokeAsync();
        await tenant.Client.WaitForStatusAsync(first.Single(), "failed");
        Assert.True((await tenant.Client.GetJsonAsync($"/v1/webhooks/endpoints/{endpointId}")).Body.GetProperty("active").GetBoolean());

        // Failing since 6 days: the next failure deactivates it.
        await app.Database.ExecuteAsync("UPDATE webhook_endpoints SET failing_since = now() - interval '6 days' WHERE tenant_id = $1 AND id = $2",
            tenant.Id, endpointId);
        var (_, second) = await tenant.Client.SmokeAsync();
        await tenant.Client.WaitForStatusAsync(second.Single(), "failed");

        var endpoint = (await tenant.Client.GetJsonAsync($"/v1/webhooks/endpoints/{endpointId}")).Body;
        Assert.False(endpoint.GetProperty("active").GetBoolean());
        Assert.Contains("failed since", endpoint.GetProperty("deactivated_reason").GetString());
    }

    [Fact]
    public async Task A_delivery_is_abandoned_after_the_last_delay_of_the_schedule()
    {
        var tenant = await app.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync(_ => new ReceiverAnswer(500));
        await tenant.Client.CreateEndpointAsync(receiver.Url.ToString());

        var (_, deliveryIds) = await tenant.Client.SmokeAsync();

        var delivery = await tenant.Client.WaitForStatusAsync(deliveryIds.Single(), "abandoned");
        Assert.Equal(4, delivery.Attempt());
        Assert.Equal(4, receiver.Hits(deliveryIds.Single()));
        Assert.Equal(JsonValueKind.Null, delivery.GetProperty("next_retry_at").ValueKind);
        Assert.Equal("HTTP 500", delivery.GetProperty("last_error").GetString());
    }

    [Fact]
    public async Task Retry_After_of_a_429_delays_the_next_attempt()
    {
        var tenant = await app.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync(hit => hit == 1 ? new ReceiverAnswer(429, RetryAfter: "2") : new ReceiverAnswer(200));
        await tenant.Client.CreateEndpointAsync(receiver.Url.ToString());

        var (_, deliveryIds) = await tenant.Client.SmokeAsync();

        var delivery = await tenant.Client.WaitForStatusAsync(deliveryIds.Single(), "succeeded");
        var attempts = delivery.Attempts();
        var gap = attempts[1].GetProperty("attempted_at").GetDateTimeOffset() - attempts[0].GetProperty("attempted_at").GetDateTimeOffset();
        // The schedule alone would retry after 50 ms; the receiver asked for 2 s.
        Assert.True(gap >= TimeSpan.FromSeconds(1.9), $"second attempt only {gap} after the first");
        Assert.Equal(429, attempts[0].GetProperty("status_code").GetInt32());
    }

    [Fact]
    public async Task A_retryable_smoke_test_records_a_simulated_failure_then_delivers_attempt_two()
    {
        var tenant = await app.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await tenant.Client.CreateEndpointAsync(receiver.Url.ToString(), "order.*");

        var (_, deliveryIds) = await tenant.Client.SmokeAsync("retryable");

        var delivery = await tenant.Client.WaitForStatusAsync(deliveryIds.Single(), "succeeded");
        Assert.Equal(2, delivery.Attempt());
        var attempts = delivery.Attempts();
        Assert.Contains("simulated", attempts[0].GetProperty("error").GetString());
        Assert.Equal(200, attempts[1].GetProperty("status_code").GetInt32());
        Assert.Equal(1, receiver.Hits(deliveryIds.Single()));
    }

    [Fact]
    public async Task Manual_retry_and_recover_send_failed_deliveries_again_as_new_attempts()
    {
        var tenant = await app.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync(hit => new ReceiverAnswer(hit == 1 ? 400 : 200));
        var (endpointId, _) = await tenant.Client.CreateEndpointAsync(receiver.Url.ToString());
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var (eventId, first) = await tenant.Client.SmokeAsync();
        var (_, second) = await tenant.Client.SmokeAsync();
        await tenant.Client.WaitForStatusAsync(first.Single(), "failed");
        await tenant.Client.WaitForStatusAsync(second.Single(), "failed");

        var retry = await tenant.Client.PostJsonAsync($"/v1/webhooks/deliveries/{first.Single()}/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, retry.Status);
        var retried = await tenant.Client.WaitForStatusAsync(first.Single(), "succeeded");
        Assert.Equal(2, retried.Attempt());
        Assert.All(receiver.For(first.Single()), hit => Assert.Equal(eventId, hit.Header("webhook-id")));

        var recover = await tenant.Client.PostJsonAsync($"/v1/webhooks/endpoints/{endpointId}/recover", new { since = before });
        Assert.Equal(HttpStatusCode.OK, recover.Status);
        Assert.Equal(1, recover.Body.GetProperty("requeued").GetInt32());
        var recovered = await tenant.Client.WaitForStatusAsync(second.Single(), "succeeded");
        Assert.Equal(2, recovered.Attempt());

        var byEvent = await tenant.Client.GetJsonAsync($"/v1/webhooks/deliveries?event_id={eventId}");
        Assert.Equal(first.Single(), Assert.Single(byEvent.Body.GetProperty("data").EnumerateArray()).GetProperty("id").GetString());
        var firstPage = await tenant.Client.GetJsonAsync("/v1/webhooks/deliveries?limit=1");
        Assert.Equal(second.Single(), Assert.Single(firstPage.Body.GetProperty("data").EnumerateArray()).GetProperty("id").GetString());
        Assert.True(firstPage.Body.GetProperty("has_more").GetBoolean());
        var nextPage = await tenant.Client.GetJsonAsync($"/v1/webhooks/deliveries?limit=1&starting_after={second.Single()}");
        Assert.Equal(first.Single(), Assert.Single(nextPage.Body.GetProperty("data").EnumerateArray()).GetProperty("id").GetString());
        (await tenant.Client.GetJsonAsync("/v1/webhooks/deliveries?status=lost")).AssertError(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task After_rotation_both_secrets_sign_webhook_signature_and_the_new_one_signs_X_OrderCore_Signature()
    {
        var tenant = await app.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var (endpointId, oldSecret) = await tenant.Client.CreateEndpointAsync(receiver.Url.ToString());

        var rotated = await tenant.Client.PostJsonAsync($"/v1/webhooks/endpoints/{endpointId}/rotate-secret", null);
        Assert.Equal(HttpStatusCode.OK, rotated.Status);
        var newSecret = rotated.Str("secret");
        Assert.NotEqual(oldSecret, newSecret);
        Assert.InRange(rotated.Body.GetProperty("previous_secret_expires_at").GetDateTimeOffset(),
            DateTimeOffset.UtcNow.AddHours(23), DateTimeOffset.UtcNow.AddHours(25));
        var (_, deliveryIds) = await tenant.Client.SmokeAsync();

        await tenant.Client.WaitForStatusAsync(deliveryIds.Single(), "succeeded");
        var hit = Assert.Single(receiver.For(deliveryIds.Single()));
        var entries = hit.Header("webhook-signature").Split(' ');
        Assert.Equal(2, entries.Length);
        Assert.All(entries, e => Assert.StartsWith("v1,", e));
        foreach (var secret in new[] { oldSecret, newSecret })
        {
            // Each secret verifies exactly one of the two entries.
            Assert.Single(entries, entry => Verifiers.VerifyStandardWebhooks(hit.Body, hit.Header("webhook-id"), hit.Header("webhook-timestamp"), entry, secret));
        }

        Assert.True(Verifiers.VerifyOrderCoreSignature(hit.Body, hit.Header("X-OrderCore-Signature"), newSecret));
        Assert.False(Verifiers.VerifyOrderCoreSignature(hit.Body, hit.Header("X-OrderCore-Signature"), oldSecret));
    }

    [Fact]
    public async Task The_secret_appears_only_in_the_create_answer_and_is_stored_encrypted()
    {
        var tenant = await app.CreateTenantAsync();
        var (endpointId, secret) = await tenant.Client.CreateEndpointAsync("http://127.0.0.1:9/hook", "checkout.completed");

        var get = await tenant.Client.GetJsonAsync($"/v1/webhooks/endpoints/{endpointId}");
        var list = await tenant.Client.GetJsonAsync("/v1/webhooks/endpoints");
        var patch = await tenant.Client.SendAsync(HttpMethod.Patch, $"/v1/webhooks/endpoints/{endpointId}", new { description = "orders" });
        var delete = await tenant.Client.SendAsync(HttpMethod.Delete, $"/v1/webhooks/endpoints/{endpointId}");

        foreach (var answer in new[] { get, list, patch, delete })
        {
            Assert.True(answer.Status == HttpStatusCode.OK, answer.Body.ToString());
            Assert.DoesNotContain("whsec_", answer.Body.ToString());
            Assert.DoesNotContain("secret\"", answer.Body.ToString());
        }

        Assert.False(delete.Body.GetProperty("active").GetBoolean());
        Assert.Equal("orders", patch.Body.GetProperty("description").GetString());
        var stored = await app.Database.ScalarAsync<string>("SELECT secret_ciphertext FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2", tenant.Id, endpointId);
        Assert.DoesNotContain(secret[6..], stored);
        Assert.DoesNotContain("whsec_", stored);
        var stillListed = await tenant.Client.GetJsonAsync("/v1/webhooks/endpoints?active=false");
        Assert.Equal(endpointId, Assert.Single(stillListed.Body.GetProperty("data").EnumerateArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task Event_patterns_are_validated_and_normalised()
    {
        var tenant = await app.CreateTenantAsync();

        var unknown = await tenant.Client.PostJsonAsync("/v1/webhooks/endpoints", new { url = "http://127.0.0.1:9/", events = new[] { "order.created", "order.shipped" } });
        var badPrefix = await tenant.Client.PostJsonAsync("/v1/webhooks/endpoints", new { url = "http://127.0.0.1:9/", events = new[] { "refund.*" } });
        var none = await tenant.Client.PostJsonAsync("/v1/webhooks/endpoints", new { url = "http://127.0.0.1:9/", events = Array.Empty<string>() });
        var badUrl = await tenant.Client.PostJsonAsync("/v1/webhooks/endpoints", new { url = "ftp://example.com/", events = new[] { "*" } });
        var ok = await tenant.Client.PostJsonAsync("/v1/webhooks/endpoints", new { url = "http://[::1]:9/", events = new[] { " Checkout.Completed ", "order.*", "*" } });

        Assert.Contains("events[1]", unknown.AssertError(HttpStatusCode.BadRequest, "validation_failed").Body.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        badPrefix.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        none.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        badUrl.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(HttpStatusCode.Created, ok.Status);
        Assert.Equal(["checkout.completed", "order.*", "*"], ok.Body.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Another_tenants_endpoints_and_deliveries_answer_404()
    {
        var owner = await app.CreateTenantAsync();
        var other = await app.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var (endpointId, _) = await owner.Client.CreateEndpointAsync(receiver.Url.ToString());
        var (_, deliveryIds) = await owner.Client.SmokeAsync();
        var deliveryId = deliveryIds.Single();

        (await other.Client.GetJsonAsync($"/v1/webhooks/endpoints/{endpointId}")).AssertError(HttpStatusCode.NotFound, "not_found");
        (await other.Client.SendAsync(HttpMethod.Patch, $"/v1/webhooks/endpoints/{endpointId}", new { description = "x" })).AssertError(HttpStatusCode.NotFound, "not_found");
        (await other.Client.SendAsync(HttpMethod.Delete, $"/v1/webhooks/endpoints/{endpointId}")).AssertError(HttpStatusCode.NotFound, "not_found");
        (await other.Client.PostJsonAsync($"/v1/webhooks/endpoints/{endpointId}/rotate-secret", null)).AssertError(HttpStatusCode.NotFound, "not_found");
        (await other.Client.PostJsonAsync($"/v1/webhooks/endpoints/{endpointId}/recover", new { since = DateTimeOffset.UtcNow.AddDays(-1) }))
            .AssertError(HttpStatusCode.NotFound, "not_found");
        (await other.Client.GetJsonAsync($"/v1/webhooks/deliveries/{deliveryId}")).AssertError(HttpStatusCode.NotFound, "not_found");
        (await other.Client.PostJsonAsync($"/v1/webhooks/deliveries/{deliveryId}/retry", null)).AssertError(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(0, (await other.Client.GetJsonAsync("/v1/webhooks/deliveries")).Body.GetProperty("total").GetInt32());
        Assert.Equal(0, (await other.Client.GetJsonAsync("/v1/webhooks/endpoints")).Body.GetProperty("total").GetInt32());
        Assert.Equal(0, (await other.Client.GetJsonAsync("/v1/webhooks/metrics")).Body.GetProperty("succeeded").GetInt32());
        await owner.Client.WaitForStatusAsync(deliveryId, "succeeded");
    }

    [Fact]
    public async Task Metrics_count_a_known_set_of_deliveries_in_the_window()
    {
        var tenant = await app.CreateTenantAsync();
        var endpointId = OrderCore.Api.Platform.Identifiers.Ids.New("we");
        var now = DateTimeOffset.UtcNow;
        var rows = new List<(string Type, string Status, int? Latency, DateTimeOffset CreatedAt)>();
        foreach (var latency in new[] { 120, 80, 300, 95, 1500, 60, 200, 110, 90, 100, 130, 140, 150, 160, 170, 180, 190, 210, 220, 900 })
        {
            rows.Add(("checkout.completed", "succeeded", latency, now.AddMinutes(-10)));
        }

        rows.AddRange([
            ("checkout.completed", "failed", null, now.AddMinutes(-5)),
            ("checkout.completed", "failed", null, now.AddMinutes(-5)),
            ("checkout.completed", "abandoned", null, now.AddHours(-3)),
            ("checkout.completed", "pending", null, now.AddMinutes(-1)),    // attempted once: retrying
            ("checkout.completed", "succeeded", 5, now.AddHours(-30)),  // outside a 24 h window
            ("order.created", "failed", null, now.AddMinutes(-5)),       // another event type
        ]);
        await app.Database.ExecuteAsync("""
            INSERT INTO webhook_endpoints (tenant_id, id, url, events, secret_ciphertext, active, created_at, updated_at)
            VALUES ($1, $2, 'https://example.com/', '{*}', 'x', false, now(), now())
            """, tenant.Id, endpointId);
        foreach (var (type, status, latency, createdAt) in rows)
        {
            await app.Database.ExecuteAsync("""
                INSERT INTO webhook_deliveries (tenant_id, id, endpoint_id, event_id, event_type, status, attempt, next_attempt_at, latency_ms, created_at, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9, now())
                """, tenant.Id, OrderCore.Api.Platform.Identifiers.Ids.New("dlv"), endpointId, OrderCore.Api.Platform.Identifiers.Ids.New("evt"),
                type, status, now.AddDays(1), latency is null ? DBNull.Value : latency.Value, createdAt);
        }

        var metrics = (await tenant.Client.GetJsonAsync("/v1/webhooks/metrics?event_type=checkout.completed&window_hours=24")).Body;
        var all = (await tenant.Client.GetJsonAsync("/v1/webhooks/metrics?window_hours=48")).Body;

        Assert.Equal(20, metrics.GetProperty("succeeded").GetInt32());
        Assert.Equal(2, metrics.GetProperty("failed").GetInt32());
        Assert.Equal(1, metrics.GetProperty("abandoned").GetInt32());
        Assert.Equal(1, metrics.GetProperty("pending").GetInt32());
        Assert.Equal(1, metrics.GetProperty("retrying").GetInt32());
        // A delivery whose last attempt failed counts against the rate while it waits for its retry.
        Assert.Equal(Math.Round(20.0 / 24, 4), metrics.GetProperty("success_rate").GetDouble());
        Assert.Equal(900, metrics.GetProperty("p95_latency_ms").GetInt32()); // nearest rank: the 19th of 20
        Assert.Equal(21, all.GetProperty("succeeded").GetInt32());
        Assert.Equal(3, all.GetProperty("failed").GetInt32());
        (await tenant.Client.GetJsonAsync("/v1/webhooks/metrics?window_hours=0")).AssertError(HttpStatusCode.BadRequest, "validation_failed");
    }
}
