using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrderCore.Api.Features.Orders;
using OrderCore.Api.Platform.Auth;
using OrderCore.Api.Platform.Persistence;
using OrderCore.Tests.Features.Orders;
using OrderCore.Tests.Features.Webhooks;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Notifications;

/// <summary>
/// Per-order notifications over real HTTP, delivered by the real worker to a real receiver on 127.0.0.1: scope and schema
/// matching, delay, rollback, invoke templating, v0/v1 bodies, signatures, x-adapterid suppression and tenant isolation.
/// </summary>
public sealed class NotificationTests(AppFixture app)
{
    [Fact]
    public async Task A_change_triggers_only_the_notifications_whose_scope_it_changes_to_a_value_their_schema_accepts()
    {
        var tenant = await app.CreateTenantAsync();
        var orderId = await tenant.PendingOrderAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var url = receiver.Url.ToString();
        var (anyStatus, _) = await tenant.Client.CreateNotificationAsync(orderId, new { scope = "/status", invoke = url, reference = "any-status" });
        var (fulfilled, _) = await tenant.Client.CreateNotificationAsync(orderId,
            new { scope = "/status", schema = new { @const = "fulfilled" }, invoke = url });
        var (customer, _) = await tenant.Client.CreateNotificationAsync(orderId, new { scope = "/customer_id", invoke = url });

        await tenant.MoveOkAsync(orderId, "confirm", "confirmed");

        var first = await tenant.Client.SingleDeliveryAsync(anyStatus);
        Assert.Equal(anyStatus, first.Str("notification_id"));
        Assert.Equal("order.confirmed", first.Str("event_type"));
        Assert.Equal(JsonValueKind.Null, first.GetProperty("endpoint_id").ValueKind);
        var body = receiver.For(first.Str("id")).Single().Json();
        Assert.Equal(anyStatus, body.Str("notification_id"));
        Assert.Equal("any-status", body.Str("reference"));
        Assert.Equal(orderId, body.Str("order_id"));
        Assert.Equal("/status", body.Str("scope"));
        Assert.Equal("confirmed", body.Str("value"));
        Assert.Equal("confirmed", body.GetProperty("order").Str("status"));
        Assert.Empty(await tenant.Client.NotificationDeliveriesAsync(fulfilled));

        await tenant.MoveOkAsync(orderId, "fulfill", "fulfilled");

        var second = await tenant.Client.SingleDeliveryAsync(fulfilled);
        Assert.Equal("fulfilled", receiver.For(second.Str("id")).Single().Json().Str("value"));
        Assert.Equal(2, (await tenant.Client.NotificationDeliveriesAsync(anyStatus)).Count);
        Assert.Empty(await tenant.Client.NotificationDeliveriesAsync(customer));
    }

    [Fact]
    public async Task Creation_refuses_bad_scopes_schemas_and_invoke_references_naming_the_problem()
    {
        var tenant = await app.CreateTenantAsync();
        var orderId = await tenant.PendingOrderAsync();
        const string url = "http://127.0.0.1:9/hook";
        (object Body, string Field)[] refused =
        [
            (new { scope = "status", invoke = url }, "scope"),
            (new { scope = "/items/0/quantity", invoke = url }, "scope"),
            (new { scope = "/status", schema = new { type = "no-such-type" }, invoke = url }, "schema"),
            (new { scope = "/status", schema = 42, invoke = url }, "schema"),
            (new { scope = "/status", invoke = "http://127.0.0.1:9/{nope}" }, "invoke"),
            (new { scope = "/status", invoke = "{configuration.adapter.internalUrl}/x" }, "invoke"),
            (new { scope = "/status", invoke = "http://127.0.0.1:9/{order.no_such_field}" }, "invoke"),
            (new { scope = "/status", adapter_id = "erp-unconfigured", invoke = "{configuration.adapter.internalUrl}/x" }, "invoke"),
            (new { scope = "/status", invoke = "ftp://127.0.0.1/x" }, "invoke"),
            (new { scope = "/status", invoke = url, delay = 3_600_001 }, "delay"),
            (new { scope = "/status", invoke = url, id = "ntf_0123456789abcdef0123456789abcdef" }, "id"),
        ];
        foreach (var (body, field) in refused)
        {
            var answer = await tenant.Client.PostJsonAsync($"/v1/orders/{orderId}/notifications", body);
            answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
            Assert.True(answer.Body.GetProperty("errors").TryGetProperty(field, out _), $"{JsonSerializer.Serialize(body)}: {answer.Body}");
        }

        var hook = await tenant.Client.PostJsonAsync($"/v1/orders/{orderId}/hooks", new { scope = "/status", invoke = url, timeout_ms = 50 });
        hook.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(hook.Body.GetProperty("errors").TryGetProperty("timeout_ms", out _), hook.Body.ToString());

        (await tenant.Client.PostJsonAsync("/v1/orders/order_missing/notifications", new { scope = "/status", invoke = url }))
            .AssertError(HttpStatusCode.NotFound, "not_found");

        // A client-chosen id, the reference's adapterId spelling, and a taken id.
        var created = await tenant.Client.PostJsonAsync($"/v1/orders/{orderId}/notifications",
            new { id = "jetshop-export", adapterId = "jetshop_adapter", scope = "/status", schema = new { @const = "fulfilled" }, invoke = url });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("jetshop-export", created.Str("id"));
        Assert.Equal("jetshop_adapter", created.Str("adapter_id"));
        Assert.Equal("fulfilled", created.Body.GetProperty("schema").Str("const"));
        Assert.StartsWith("whsec_", created.Str("secret"));
        var again = await tenant.Client.PostJsonAsync($"/v1/orders/{orderId}/notifications", new { id = "jetshop-export", scope = "/status", invoke = url });
        again.AssertError(HttpStatusCode.Conflict, "resource_exists");

        var read = await tenant.Client.GetJsonAsync($"/v1/orders/{orderId}/notifications/jetshop-export");
        Assert.Equal(HttpStatusCode.OK, read.Status);
        Assert.False(read.Body.TryGetProperty("secret", out _));
        var list = await tenant.Client.GetJsonAsync($"/v1/orders/{orderId}/notifications");
        Assert.Equal(["jetshop-export"], OrderCalls.Ids(list));
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Client.SendAsync(HttpMethod.Delete, $"/v1/orders/{orderId}/notifications/jetshop-export")).Status);
        (await tenant.Client.GetJsonAsync($"/v1/orders/{orderId}/notifications/jetshop-export")).AssertError(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task A_change_that_rolls_back_triggers_nothing()
    {
        var tenant = await app.CreateTenantAsync();
        var orderId = await tenant.PendingOrderAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var (notificationId, _) = await tenant.Client.CreateNotificationAsync(orderId, new { scope = "/status", invoke = receiver.Url.ToString() });

        await using (var scope = app.Factory.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<CurrentTenant>().Resolve(tenant.Id, "test", "test", ["*"]);
            var work = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
            await work.BeginAsync(CancellationToken.None);
            var moved = await OrderStatusChanges.MoveAsync(work.Db, scope.ServiceProvider.GetRequiredService<OrderChangeChecks>(), tenant.Id, orderId,
                OrderStatus.Confirmed, null, null, null, DateTimeOffset.UtcNow, CancellationToken.None);
            Assert.Equal(OrderStatus.Confirmed, moved.Status);
            Assert.Single(work.Db.ChangeTracker.Entries(), e => e.Entity.GetType().Name == "WebhookDelivery");
            await work.RollbackAsync();
        }

        Assert.Equal("pending", (await tenant.GetOrderAsync(orderId)).Str("status"));
        Assert.Empty(await tenant.Client.NotificationDeliveriesAsync(notificationId));

        // The same change committed does trigger it.
        await tenant.MoveOkAsync(orderId, "confirm", "confirmed");
        await tenant.Client.SingleDeliveryAsync(notificationId);
    }

    [Fact]
    public async Task Invoke_resolves_adapter_configuration_and_order_fields_and_an_unresolvable_one_fails_with_the_reason()
    {
        var tenant = await app.CreateTenantAsync();
        var orderId = await tenant.PendingOrderAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var baseUrl = $"http://127.0.0.1:{receiver.Url.Port}";
        var put = await tenant.Client.SendAsync(HttpMethod.Put, "/v1/adapters/jetshop_adapter/configuration",
            new Dictionary<string, object> { ["internalUrl"] = baseUrl, ["shop"] = "north & south/1", ["retries"] = 3 });
        Assert.True(put.Status == HttpStatusCode.OK, put.Body.ToString());
        var read = await tenant.Client.GetJsonAsync("/v1/adapters/jetshop_adapter/configuration");
        Assert.Equal(baseUrl, read.Body.GetProperty("configuration").Str("internalUrl"));
        Assert.Equal(3, read.Body.GetProperty("configuration").GetProperty("retries").GetInt32());
        (await tenant.Client.GetJsonAsync("/v1/adapters/other_adapter/configuration")).AssertError(HttpStatusCode.NotFound, "not_found");
        (await tenant.Client.SendAsync(HttpMethod.Put, "/v1/adapters/jetshop_adapter/configuration", new { nested = new { a = 1 } }))
            .AssertError(HttpStatusCode.BadRequest, "validation_failed");

        var (notificationId, _) = await tenant.Client.CreateNotificationAsync(orderId, new
        {
            adapterId = "jetshop_adapter", scope = "/status",
            invoke = "{configuration.adapter.internalUrl}/api/v1/callbacks/orders/{order.id}/specific-callback?shop={configuration.adapter.shop}&status={order.status}",
        });

        await tenant.MoveOkAsync(orderId, "confirm", "confirmed");

        var delivery = await tenant.Client.SingleDeliveryAsync(notificationId);
        Assert.Equal($"/api/v1/callbacks/orders/{orderId}/specific-callback?shop=north%20%26%20south%2F1&status=confirmed",
            receiver.For(delivery.Str("id")).Single().Target);

        // The configuration loses the key after creation: the next call fails, saying why, and is not retried.
        await tenant.Client.SendAsync(HttpMethod.Put, "/v1/adapters/jetshop_adapter/configuration", new Dictionary<string, object> { ["internalUrl"] = baseUrl });
        await tenant.MoveOkAsync(orderId, "fulfill", "fulfilled");
        JsonElement failed = default;
        await Eventually.WaitAsync(async () =>
            (await tenant.Client.NotificationDeliveriesAsync(notificationId)).FirstOrDefault(d => d.Str("status") == "failed") is { ValueKind: JsonValueKind.Object } f
            && (failed = f).ValueKind == JsonValueKind.Object);
        Assert.Contains("{configuration.adapter.shop}", failed.Str("last_error"));
        Assert.Equal(0, failed.Attempt());
        Assert.Single(receiver.Received);
    }

    [Fact]
    public async Task Version_v0_sends_the_order_as_stored_and_v1_as_the_api_shows_it()
    {
        var tenant = await app.CreateTenantAsync();
        var orderId = await tenant.PendingOrderAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var (v0, _) = await tenant.Client.CreateNotificationAsync(orderId, new { scope = "/status", invoke = receiver.Url.ToString(), version = "v0" });
        var (v1, _) = await tenant.Client.CreateNotificationAsync(orderId, new { scope = "/status", invoke = receiver.Url.ToString() });
        Assert.Equal("v1", (await tenant.Client.GetJsonAsync($"/v1/orders/{orderId}/notifications/{v1}")).Str("version"));

        await tenant.MoveOkAsync(orderId, "confirm", "confirmed");

        var stored = receiver.For((await tenant.Client.SingleDeliveryAsync(v0)).Str("id")).Single().Json().GetProperty("order");
        var shown = receiver.For((await tenant.Client.SingleDeliveryAsync(v1)).Str("id")).Single().Json().GetProperty("order");
        Assert.Equal(orderId, stored.Str("id"));
        Assert.Equal(JsonValueKind.Number, stored.GetProperty("number").ValueKind);
        Assert.True(stored.TryGetProperty("lines", out _));
        Assert.False(stored.TryGetProperty("items", out _));
        Assert.Equal("confirmed", stored.Str("status"));
        Assert.Equal(orderId, shown.Str("id"));
        Assert.StartsWith("OC-", shown.Str("order_number"));
        Assert.True(shown.TryGetProperty("items", out _));
        Assert.False(shown.TryGetProperty("lines", out _));
        Assert.Equal("confirmed", shown.Str("status"));
    }

    [Fact]
    public async Task Calls_are_signed_with_the_notifications_secret_in_both_schemes()
    {
        var tenant = await app.CreateTenantAsync();
        var orderId = await tenant.PendingOrderAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var (notificationId, secret) = await tenant.Client.CreateNotificationAsync(orderId, new { scope = "/status", invoke = receiver.Url.ToString() });

        await tenant.MoveOkAsync(orderId, "confirm", "confirmed");

        var delivery = await tenant.Client.SingleDeliveryAsync(notificationId);
        var received = receiver.For(delivery.Str("id")).Single();
        Assert.True(Verifiers.VerifyOrderCoreSignature(received.Body, received.Header("X-OrderCore-Signature"), secret));
        Assert.Equal(delivery.Str("id"), received.Header("webhook-id"));
        Assert.True(Verifiers.VerifyStandardWebhooks(received.Body, received.Header("webhook-id"), received.Header("webhook-timestamp"),
            received.Header("webhook-signature"), secret));
        Assert.False(Verifiers.VerifyOrderCoreSignature(received.Body, received.Header("X-OrderCore-Signature"), "whsec_" + Convert.ToBase64String(new byte[32])));
        Assert.Equal("order.confirmed", received.Header("X-OrderCore-Event"));
    }

    [Fact]
    public async Task A_failing_receiver_gets_the_call_again_on_the_retry_schedule()
    {
        var tenant = await app.CreateTenantAsync();
        var orderId = await tenant.PendingOrderAsync();
        await using var receiver = await WebhookReceiver.StartAsync(hit => new ReceiverAnswer(hit < 3 ? 500 : 200));
        var (notificationId, _) = await tenant.Client.CreateNotificationAsync(orderId, new { scope = "/status", invoke = receiver.Url.ToString() });

        await tenant.MoveOkAsync(orderId, "confirm", "confirmed");

        // Exact counts are the isolated restart test's: here, instances other tests start on the shared database (some
        // with a clock days ahead) may also take a due retry.
        var delivery = await tenant.Client.SingleDeliveryAsync(notificationId);
        var statuses = delivery.Attempts().Select(a => a.GetProperty("status_code").GetInt32()).ToList();
        Assert.Equal(200, statuses[^1]);
        Assert.Contains(500, statuses);
        Assert.All(statuses[..^1], status => Assert.Equal(500, status));
        Assert.True(receiver.Hits(delivery.Str("id")) >= 3);
        Assert.Single(receiver.For(delivery.Str("id")).Select(r => r.Header("webhook-id")).Distinct());
    }

    [Fact]
    public async Task X_adapterid_suppresses_only_its_own_adapters_notifications_and_hooks_and_is_recorded()
    {
        var tenant = await app.CreateTenantAsync();
        var orderId = await tenant.PendingOrderAsync();
        await using var receiver = await WebhookReceiver.StartAsync(_ => new ReceiverAnswer(200, Body: """{"valid":false,"message":"erp says no"}"""));
        await using var notified = await WebhookReceiver.StartAsync();
        var (erp, _) = await tenant.Client.CreateNotificationAsync(orderId, new { adapter_id = "erp", scope = "/status", invoke = notified.Url.ToString() });
        var (wms, _) = await tenant.Client.CreateNotificationAsync(orderId, new { adapter_id = "wms", scope = "/status", invoke = notified.Url.ToString() });
        var (plain, _) = await tenant.Client.CreateNotificationAsync(orderId, new { scope = "/status", invoke = notified.Url.ToString() });
        var (hookId, _) = await tenant.Client.CreateHookAsync(orderId, new { adapter_id = "erp", scope = "/status", invoke = receiver.Url.ToString() });

        var confirmed = await tenant.Client.MoveAsAdapterAsync(orderId, "confirm", "erp");

        Assert.True(confirmed.Status == HttpStatusCode.OK, confirmed.Body.ToString());
        Assert.Empty(receiver.Received);
        Assert.Equal("erp", confirmed.Body.GetProperty("status_history").EnumerateArray().Last().Str("adapter_id"));
        await tenant.Client.SingleDeliveryAsync(wms);
        await tenant.Client.SingleDeliveryAsync(plain);
        Assert.Empty(await tenant.Client.NotificationDeliveriesAsync(erp));
        var events = await tenant.Client.GetJsonAsync("/v1/events?type=order.confirmed");
        Assert.Equal("erp", events.Body.GetProperty("data").EnumerateArray().Single().Str("adapter_id"));

        // Another adapter's change does call erp's hook, which refuses it.
        var cancelled = await tenant.Client.MoveAsAdapterAsync(orderId, "cancel", "wms");
        cancelled.AssertError(HttpStatusCode.Conflict, "hook_rejected");
        Assert.Equal(hookId, cancelled.Str("hook_id"));
        Assert.Single(receiver.Received);

        (await tenant.Client.MoveAsAdapterAsync(orderId, "cancel", "not a valid id!")).AssertError(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Another_tenant_reaches_none_of_the_routes_of_an_orders_notifications_hooks_or_adapters()
    {
        var owner = await app.CreateTenantAsync();
        var other = await app.CreateTenantAsync();
        var orderId = await owner.PendingOrderAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var (notificationId, _) = await owner.Client.CreateNotificationAsync(orderId, new { scope = "/status", invoke = receiver.Url.ToString() });
        var (hookId, _) = await owner.Client.CreateHookAsync(orderId, new { scope = "/status", invoke = receiver.Url.ToString() });
        await owner.Client.SendAsync(HttpMethod.Put, "/v1/adapters/erp/configuration", new { internalUrl = "http://127.0.0.1:9" });

        var body = new { scope = "/status", invoke = receiver.Url.ToString() };
        ApiResponse[] answers =
        [
            await other.Client.PostJsonAsync($"/v1/orders/{orderId}/notifications", body),
            await other.Client.GetJsonAsync($"/v1/orders/{orderId}/notifications"),
            await other.Client.GetJsonAsync($"/v1/orders/{orderId}/notifications/{notificationId}"),
            await other.Client.SendAsync(HttpMethod.Delete, $"/v1/orders/{orderId}/notifications/{notificationId}"),
            await other.Client.PostJsonAsync($"/v1/orders/{orderId}/hooks", body),
            await other.Client.GetJsonAsync($"/v1/orders/{orderId}/hooks"),
            await other.Client.GetJsonAsync($"/v1/orders/{orderId}/hooks/{hookId}"),
            await other.Client.SendAsync(HttpMethod.Delete, $"/v1/orders/{orderId}/hooks/{hookId}"),
            await other.Client.GetJsonAsync("/v1/adapters/erp/configuration"),
        ];
        Assert.All(answers, a => a.AssertError(HttpStatusCode.NotFound, "not_found"));
        Assert.Empty(await other.Client.NotificationDeliveriesAsync(notificationId));

        await owner.MoveOkAsync(orderId, "confirm", "confirmed");
        await owner.Client.SingleDeliveryAsync(notificationId);
        Assert.Empty(await other.Client.NotificationDeliveriesAsync(notificationId));
        Assert.Equal(HttpStatusCode.OK, (await owner.Client.GetJsonAsync($"/v1/orders/{orderId}/hooks/{hookId}")).Status);
        // The same adapter id is another tenant's own configuration: writing it changes nothing of the owner's.
        Assert.Equal(HttpStatusCode.OK, (await other.Client.SendAsync(HttpMethod.Put, "/v1/adapters/erp/configuration", new { internalUrl = "http://127.0.0.1:1" })).Status);
        var owners = await owner.Client.GetJsonAsync("/v1/adapters/erp/configuration");
        Assert.Equal("http://127.0.0.1:9", owners.Body.GetProperty("configuration").Str("internalUrl"));
    }
}
