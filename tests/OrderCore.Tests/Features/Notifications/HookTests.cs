using System.Net;
using OrderCore.Tests.Features.Orders;
using OrderCore.Tests.Features.Webhooks;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Notifications;

/// <summary>Validation hooks over real HTTP: called before a change commits, with the proposed order, signed; they accept, refuse or time out.</summary>
public sealed class HookTests(AppFixture app)
{
    [Fact]
    public async Task An_accepting_hook_is_called_signed_with_the_proposed_order_and_the_change_commits()
    {
        var tenant = await app.CreateTenantAsync();
        var orderId = await tenant.PendingOrderAsync();
        await using var receiver = await WebhookReceiver.StartAsync(_ => new ReceiverAnswer(200, Body: """{"valid":true}"""));
        await using var quiet = await WebhookReceiver.StartAsync(_ => new ReceiverAnswer(204, Body: ""));
        var (hookId, secret) = await tenant.Client.CreateHookAsync(orderId, new { scope = "/status", invoke = receiver.Url.ToString() });
        var (emptyBody, _) = await tenant.Client.CreateHookAsync(orderId, new { scope = "/status", invoke = quiet.Url.ToString() });
        var (cancelOnly, _) = await tenant.Client.CreateHookAsync(orderId,
            new { scope = "/status", schema = new { @const = "cancelled" }, invoke = receiver.Url.ToString() });
        var read = await tenant.Client.GetJsonAsync($"/v1/orders/{orderId}/hooks/{hookId}");
        Assert.Equal(2000, read.Body.GetProperty("timeout_ms").GetInt32());
        Assert.Equal("reject", read.Str("on_error"));
        Assert.Equal(3, OrderCalls.Ids(await tenant.Client.GetJsonAsync($"/v1/orders/{orderId}/hooks")).Length);

        await tenant.MoveOkAsync(orderId, "confirm", "confirmed");

        var call = Assert.Single(receiver.Received);
        Assert.Equal(hookId, call.Json().Str("hook_id"));
        var body = call.Json();
        Assert.Equal(orderId, body.Str("order_id"));
        Assert.Equal("confirmed", body.Str("value"));
        Assert.Equal("confirmed", body.GetProperty("order").Str("status"));
        Assert.Equal("order.hook", call.Header("X-OrderCore-Event"));
        Assert.True(Verifiers.VerifyOrderCoreSignature(call.Body, call.Header("X-OrderCore-Signature"), secret));
        Assert.True(Verifiers.VerifyStandardWebhooks(call.Body, call.Header("webhook-id"), call.Header("webhook-timestamp"), call.Header("webhook-signature"), secret));
        Assert.Equal(emptyBody, Assert.Single(quiet.Received).Json().Str("hook_id"));

        // Only the cancel-only hook's schema accepts "cancelled"; once it is deleted, nothing calls it.
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Client.SendAsync(HttpMethod.Delete, $"/v1/orders/{orderId}/hooks/{cancelOnly}")).Status);
        await tenant.MoveOkAsync(orderId, "cancel", "cancelled");
        Assert.Equal(2, receiver.Received.Count);
        Assert.DoesNotContain(receiver.Received.Concat(quiet.Received), c => c.Json().Str("hook_id") == cancelOnly);
    }

    [Fact]
    public async Task A_refusing_hook_answers_409_and_nothing_of_the_change_is_written()
    {
        var tenant = await app.CreateTenantAsync();
        var orderId = await tenant.PendingOrderAsync();
        await using var refusing = await WebhookReceiver.StartAsync(_ => new ReceiverAnswer(200, Body: """{"valid":false,"message":"address not deliverable"}"""));
        await using var notified = await WebhookReceiver.StartAsync();
        var (notificationId, _) = await tenant.Client.CreateNotificationAsync(orderId, new { scope = "/status", invoke = notified.Url.ToString() });
        var (hookId, _) = await tenant.Client.CreateHookAsync(orderId, new { scope = "/status", invoke = refusing.Url.ToString() });
        var eventsBefore = await app.SubjectEventsAsync(tenant, orderId);

        var refused = await tenant.MoveAsync(orderId, "confirm");

        refused.AssertError(HttpStatusCode.Conflict, "hook_rejected");
        Assert.Equal(hookId, refused.Str("hook_id"));
        Assert.Equal("address not deliverable", refused.Str("hook_message"));
        Assert.Contains("address not deliverable", refused.Str("message"));
        var order = await tenant.GetOrderAsync(orderId);
        Assert.Equal("pending", order.Str("status"));
        Assert.Equal([">pending"], OrderCalls.Steps(order.Body));
        Assert.Equal(eventsBefore, await app.SubjectEventsAsync(tenant, orderId));
        Assert.Empty(await tenant.Client.NotificationDeliveriesAsync(notificationId));

        // A 4xx refuses too, with the status as the message when the body has none.
        await tenant.Client.SendAsync(HttpMethod.Delete, $"/v1/orders/{orderId}/hooks/{hookId}");
        await using var forbidding = await WebhookReceiver.StartAsync(_ => new ReceiverAnswer(422));
        await tenant.Client.CreateHookAsync(orderId, new { scope = "/status", invoke = forbidding.Url.ToString() });
        var unprocessable = await tenant.MoveAsync(orderId, "cancel");
        unprocessable.AssertError(HttpStatusCode.Conflict, "hook_rejected");
        Assert.Equal("HTTP 422", unprocessable.Str("hook_message"));
        Assert.Equal("pending", (await tenant.GetOrderAsync(orderId)).Str("status"));
    }

    [Fact]
    public async Task A_hook_that_times_out_or_fails_refuses_with_503_unless_its_on_error_is_allow()
    {
        var tenant = await app.CreateTenantAsync();
        var orderId = await tenant.PendingOrderAsync();
        // The slow hook times out at 1 s, well before the receiver answers (5 s), yet with time for the request to reach
        // the receiver (counted below) on a busy machine; 200 ms sometimes was not.
        await using var slow = await WebhookReceiver.StartAsync(_ => new ReceiverAnswer(200, Delay: TimeSpan.FromSeconds(5)));
        await using var broken = await WebhookReceiver.StartAsync(_ => new ReceiverAnswer(500));
        var (slowId, _) = await tenant.Client.CreateHookAsync(orderId, new { scope = "/status", invoke = slow.Url.ToString(), timeout_ms = 1000 });

        var timedOut = await tenant.MoveAsync(orderId, "confirm");

        timedOut.AssertError(HttpStatusCode.ServiceUnavailable, "hook_unavailable");
        Assert.Equal(slowId, timedOut.Str("hook_id"));
        Assert.Equal("5", timedOut.Header("Retry-After"));
        Assert.Contains("timeout", timedOut.Str("message"));
        Assert.Equal("pending", (await tenant.GetOrderAsync(orderId)).Str("status"));

        await tenant.Client.SendAsync(HttpMethod.Delete, $"/v1/orders/{orderId}/hooks/{slowId}");
        var (brokenId, _) = await tenant.Client.CreateHookAsync(orderId, new { scope = "/status", invoke = broken.Url.ToString() });
        var failed = await tenant.MoveAsync(orderId, "confirm");
        failed.AssertError(HttpStatusCode.ServiceUnavailable, "hook_unavailable");
        Assert.Contains("HTTP 500", failed.Str("message"));

        await tenant.Client.SendAsync(HttpMethod.Delete, $"/v1/orders/{orderId}/hooks/{brokenId}");
        await tenant.Client.CreateHookAsync(orderId, new { scope = "/status", invoke = slow.Url.ToString(), timeout_ms = 1000, on_error = "allow" });
        await tenant.Client.CreateHookAsync(orderId, new { scope = "/status", invoke = broken.Url.ToString(), on_error = "allow" });
        await tenant.MoveOkAsync(orderId, "confirm", "confirmed");
        Assert.Equal(2, slow.Received.Count);
        Assert.Equal(2, broken.Received.Count);
    }
}
