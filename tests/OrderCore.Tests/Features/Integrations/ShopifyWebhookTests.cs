using System.Net;
using System.Text.Json;
using OrderCore.Tests.Features.Notifications;
using OrderCore.Tests.Features.Orders;
using OrderCore.Tests.Features.Webhooks;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Integrations;

/// <summary>POST /integrations/shopify/webhooks: signatures, exactly-once orders, topics, order of arrival, failures and retries.</summary>
public sealed class ShopifyWebhookTests(AppFixture app)
{
    private async Task<(TestTenant Tenant, ShopifyTestStore Store, SeededSku Sku)> SetUpAsync(int stock = 10)
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(unitPrice: 5.00m, stock: stock, skuCode: "IPOD2008RED");
        var store = await tenant.ConnectStoreAsync();
        return (tenant, store, sku);
    }

    private static async Task<JsonElement> OrderOfAsync(TestTenant tenant, JsonElement processedEvent) =>
        (await tenant.GetOrderAsync(processedEvent.GetProperty("order_id").GetString()!)).Body;

    [Fact]
    public async Task A_signed_orders_create_becomes_an_order_with_shopifys_prices_currency_and_reference_and_reserves_stock()
    {
        var (tenant, store, sku) = await SetUpAsync();
        var extra = await tenant.SeedSkuAsync(unitPrice: 1.00m, stock: 10, skuCode: "IPOD2009BLUE", currency: "EUR");
        var shopifyId = ShopifyCalls.NewOrderId();
        // OrderCore's own prices (5.00, 1.00) are not what Shopify charged; the total includes shipping.
        var body = ShopifyCalls.OrderPayload(shopifyId, [new("IPOD2008RED", 2, "199.00"), new("IPOD2009BLUE", 1, "5.50")], totalPrice: "413.50",
            currency: "EUR");

        var eventId = await app.SendAcceptedAsync(store, "orders/create", body);
        var processed = await tenant.WaitForEventAsync(eventId, "processed");

        var order = await OrderOfAsync(tenant, processed);
        Assert.Equal("shopify", order.GetProperty("source_platform").GetString());
        Assert.Equal($"shopify:{shopifyId}", order.GetProperty("merchant_reference_id").GetString());
        Assert.Equal(shopifyId, order.GetProperty("metadata").GetProperty("shopify_order_id").GetInt64());
        Assert.Equal($"#{shopifyId % 10000}", order.GetProperty("metadata").GetProperty("shopify_order_name").GetString());
        Assert.Equal("EUR", order.GetProperty("currency").GetString());
        var items = order.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal([sku.SkuId, extra.SkuId], items.Select(i => i.GetProperty("sku_id").GetString()));
        Assert.Equal([199.00m, 5.50m], items.Select(i => i.GetProperty("unit_price").GetDecimal()));
        Assert.Equal(403.50m, order.GetProperty("subtotal").GetDecimal());
        Assert.Equal(413.50m, order.GetProperty("total").GetDecimal());
        Assert.Equal("shopify", order.GetProperty("payment").GetProperty("provider").GetString());
        Assert.Equal((10, 2), await tenant.StockAsync(sku.SkuId));
        Assert.Equal((10, 1), await tenant.StockAsync(extra.SkuId));

        var log = Assert.Single(await tenant.SyncLogsAsync());
        Assert.Equal(("create", "succeeded", shopifyId, order.GetProperty("id").GetString()),
            (log.GetProperty("action").GetString(), log.GetProperty("outcome").GetString(), log.GetProperty("shopify_order_id").GetInt64(),
                log.GetProperty("order_id").GetString()));
    }

    [Fact]
    public async Task A_tampered_body_a_wrong_secret_and_a_missing_signature_are_refused_and_recorded_rejected()
    {
        var (tenant, store, sku) = await SetUpAsync();
        var body = ShopifyCalls.OrderPayload(ShopifyCalls.NewOrderId(), [new("IPOD2008RED", 1, "199.00")], "199.00");
        var tampered = body.Replace("\"199.00\"", "\"0.01\"", StringComparison.Ordinal);
        var signature = ShopifyCalls.Sign(store.Secret, body);

        (await app.SendWebhookAsync(store, "orders/create", tampered, hmac: signature)).AssertError(HttpStatusCode.Unauthorized, "unauthorized");
        (await app.SendWebhookAsync(store, "orders/create", body, hmac: ShopifyCalls.Sign("not-the-secret", body)))
            .AssertError(HttpStatusCode.Unauthorized, "unauthorized");
        (await app.SendWebhookAsync(store, "orders/create", body, hmac: "")).AssertError(HttpStatusCode.Unauthorized, "unauthorized");
        (await app.SendWebhookAsync(store, "orders/create", "{not json", hmac: "bm90IGEgc2lnbmF0dXJl")).AssertError(HttpStatusCode.Unauthorized, "unauthorized");
        (await app.SendWebhookAsync(store with { Domain = ShopifyCalls.NewDomain() }, "orders/create", body))
            .AssertError(HttpStatusCode.Unauthorized, "unauthorized");

        var rejected = await tenant.EventsAsync("&status=rejected");
        Assert.Equal(4, rejected.Length);
        Assert.All(rejected, e => Assert.Null(e.GetProperty("order_id").GetString()));
        Assert.Equal(4, (await tenant.EventsAsync()).Length);
        Assert.Empty(await tenant.OrdersAsync());
        Assert.Equal((10, 0), await tenant.StockAsync(sku.SkuId));

        // The same body correctly signed is accepted.
        var accepted = await app.SendAcceptedAsync(store, "orders/create", body);
        await tenant.WaitForEventAsync(accepted, "processed");
        Assert.Single(await tenant.OrdersAsync());
    }

    [Fact]
    public async Task A_repeated_webhook_id_answers_200_is_recorded_duplicate_and_changes_nothing()
    {
        var (tenant, store, sku) = await SetUpAsync();
        var shopifyId = ShopifyCalls.NewOrderId();
        var body = ShopifyCalls.OrderPayload(shopifyId, [new("IPOD2008RED", 3, "199.00")], "597.00");
        var webhookId = Guid.NewGuid().ToString();

        var first = await app.SendAcceptedAsync(store, "orders/create", body, webhookId);
        await tenant.WaitForEventAsync(first, "processed");
        var again = await app.SendWebhookAsync(store, "orders/create", body, webhookId);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal("duplicate", again.Str("status"));
        Assert.Equal("duplicate", (await tenant.FindEventAsync(again.Str("event_id")))!.Value.GetProperty("status").GetString());

        // Shopify may also send the same order's create under another webhook id: still one order.
        var other = await app.SendAcceptedAsync(store, "orders/create", body);
        var skipped = await tenant.WaitForEventAsync(other, "processed");

        var order = Assert.Single(await tenant.OrdersAsync());
        Assert.Equal(order.GetProperty("id").GetString(), skipped.GetProperty("order_id").GetString());
        Assert.Equal((10, 3), await tenant.StockAsync(sku.SkuId));
    }

    [Fact]
    public async Task Twenty_parallel_deliveries_of_one_webhook_make_one_order()
    {
        var (tenant, store, sku) = await SetUpAsync();
        var body = ShopifyCalls.OrderPayload(ShopifyCalls.NewOrderId(), [new("IPOD2008RED", 2, "199.00")], "398.00");
        var webhookId = Guid.NewGuid().ToString();

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => app.SendWebhookAsync(store, "orders/create", body, webhookId)));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Equal(1, answers.Count(a => a.Str("status") == "accepted"));
        Assert.Equal(19, answers.Count(a => a.Str("status") == "duplicate"));
        await tenant.WaitForEventAsync(answers.Single(a => a.Str("status") == "accepted").Str("event_id"), "processed");
        Assert.Single(await tenant.OrdersAsync());
        Assert.Equal(19, (await tenant.EventsAsync("&status=duplicate")).Length);
        Assert.Equal((10, 2), await tenant.StockAsync(sku.SkuId));
    }

    [Fact]
    public async Task Different_webhooks_creating_one_shopify_order_in_parallel_make_one_order()
    {
        var (tenant, store, sku) = await SetUpAsync();
        var body = ShopifyCalls.OrderPayload(ShopifyCalls.NewOrderId(), [new("IPOD2008RED", 1, "199.00")], "199.00");

        var ids = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => app.SendAcceptedAsync(store, "orders/create", body)));
        foreach (var id in ids)
        {
            await tenant.WaitForEventAsync(id, "processed");
        }

        Assert.Single(await tenant.OrdersAsync());
        Assert.Equal((10, 1), await tenant.StockAsync(sku.SkuId));
    }

    [Fact]
    public async Task A_cancellation_that_arrives_before_its_create_is_kept_and_applied_after_it()
    {
        var (tenant, store, sku) = await SetUpAsync();
        var shopifyId = ShopifyCalls.NewOrderId();
        var lines = new[] { new ShopifyLine("IPOD2008RED", 2, "199.00") };

        var cancel = await app.SendAcceptedAsync(store, "orders/cancelled",
            ShopifyCalls.OrderPayload(shopifyId, lines, "398.00", cancelledAt: "2022-01-01T10:00:00-05:00"));
        var waiting = await tenant.WaitForEventAsync(cancel, "pending");
        await WaitForAsync(async () => (await tenant.FindEventAsync(cancel))!.Value.GetProperty("error").GetString() == "waiting for orders/create");
        Assert.Empty(await tenant.OrdersAsync());
        Assert.Equal("pending", waiting.GetProperty("status").GetString());

        var create = await app.SendAcceptedAsync(store, "orders/create", ShopifyCalls.OrderPayload(shopifyId, lines, "398.00"));
        var created = await tenant.WaitForEventAsync(create, "processed");
        var applied = await tenant.WaitForEventAsync(cancel, "processed");

        Assert.Equal(created.GetProperty("order_id").GetString(), applied.GetProperty("order_id").GetString());
        var order = await OrderOfAsync(tenant, created);
        Assert.Equal("cancelled", order.GetProperty("status").GetString());
        Assert.Equal((10, 0), await tenant.StockAsync(sku.SkuId));
        Assert.Contains(await tenant.SyncLogsAsync(), l => l.GetProperty("outcome").GetString() == "waiting");
    }

    [Fact]
    public async Task Cancelled_releases_the_stock_and_a_second_cancellation_changes_nothing()
    {
        var (tenant, store, sku) = await SetUpAsync();
        var shopifyId = ShopifyCalls.NewOrderId();
        var lines = new[] { new ShopifyLine("IPOD2008RED", 4, "199.00") };
        var created = await tenant.WaitForEventAsync(await app.SendAcceptedAsync(store, "orders/create", ShopifyCalls.OrderPayload(shopifyId, lines, "796.00")),
            "processed");
        Assert.Equal((10, 4), await tenant.StockAsync(sku.SkuId));

        var cancelled = ShopifyCalls.OrderPayload(shopifyId, lines, "796.00", cancelledAt: "2022-01-01T10:00:00-05:00");
        await tenant.WaitForEventAsync(await app.SendAcceptedAsync(store, "orders/cancelled", cancelled), "processed");
        await tenant.WaitForEventAsync(await app.SendAcceptedAsync(store, "orders/cancelled", cancelled), "processed");

        Assert.Equal("cancelled", (await OrderOfAsync(tenant, created)).GetProperty("status").GetString());
        Assert.Equal((10, 0), await tenant.StockAsync(sku.SkuId));
        var cancels = (await tenant.SyncLogsAsync()).Where(l => l.GetProperty("action").GetString() == "cancel")
            .Select(l => l.GetProperty("outcome").GetString()).Order().ToArray();
        Assert.Equal(["skipped", "succeeded"], cancels);
    }

    /// <summary>
    /// A Shopify order created, a per-order hook on its status answering as <paramref name="hookAnswers"/> says, then Shopify's
    /// cancellation of it, processed until its event is <paramref name="status"/>.
    /// </summary>
    private async Task<(TestTenant Tenant, SeededSku Sku, string OrderId, JsonElement Cancellation, WebhookReceiver Hook)> CancelPastAHookAsync(
        int quantity, Func<ReceiverAnswer> hookAnswers, string status)
    {
        var (tenant, store, sku) = await SetUpAsync();
        var shopifyId = ShopifyCalls.NewOrderId();
        var lines = new[] { new ShopifyLine("IPOD2008RED", quantity, "199.00") };
        var total = (199.00m * quantity).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        var created = await tenant.WaitForEventAsync(await app.SendAcceptedAsync(store, "orders/create", ShopifyCalls.OrderPayload(shopifyId, lines, total)),
            "processed");
        var orderId = created.GetProperty("order_id").GetString()!;
        var hook = await WebhookReceiver.StartAsync(_ => hookAnswers());
        try
        {
            await tenant.Client.CreateHookAsync(orderId, new { scope = "/status", invoke = hook.Url.ToString() });
            var cancelled = ShopifyCalls.OrderPayload(shopifyId, lines, total, cancelledAt: "2022-01-01T10:00:00-05:00");
            var cancellation = await tenant.WaitForEventAsync(await app.SendAcceptedAsync(store, "orders/cancelled", cancelled), status);
            return (tenant, sku, orderId, cancellation, hook);
        }
        catch
        {
            await hook.DisposeAsync();
            throw;
        }
    }

    [Fact]
    public async Task A_cancellation_that_a_per_order_hook_cannot_answer_yet_is_retried_and_applied_once_it_can()
    {
        var calls = 0;
        // The merchant's hook is down for its first call (503 hook_unavailable inside the worker), then accepts.
        var (tenant, sku, orderId, processed, hook) = await CancelPastAHookAsync(3, () => Interlocked.Increment(ref calls) == 1
            ? new ReceiverAnswer(500)
            : new ReceiverAnswer(200, Body: """{"valid":true}"""), "processed");
        await using var _ = hook;

        Assert.Equal(orderId, processed.GetProperty("order_id").GetString());
        Assert.Equal("cancelled", (await tenant.GetOrderAsync(orderId)).Str("status"));
        Assert.Equal((10, 0), await tenant.StockAsync(sku.SkuId));
        Assert.Equal(2, hook.Received.Count);
        var cancels = (await tenant.SyncLogsAsync()).Where(l => l.GetProperty("action").GetString() == "cancel").ToArray();
        Assert.Equal("succeeded", Assert.Single(cancels).GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task A_cancellation_that_a_per_order_hook_refuses_fails_at_once_and_leaves_the_order_as_it_was()
    {
        var (tenant, sku, orderId, failed, hook) = await CancelPastAHookAsync(2,
            () => new ReceiverAnswer(200, Body: """{"valid":false,"message":"already packed"}"""), "failed");
        await using var _ = hook;

        Assert.StartsWith("hook_rejected:", failed.GetProperty("error").GetString());
        Assert.Contains("already packed", failed.GetProperty("error").GetString());
        Assert.Single(hook.Received);
        Assert.Equal("pending", (await tenant.GetOrderAsync(orderId)).Str("status"));
        Assert.Equal((10, 2), await tenant.StockAsync(sku.SkuId));
        var cancel = Assert.Single(await tenant.SyncLogsAsync(), l => l.GetProperty("action").GetString() == "cancel");
        Assert.Equal("failed", cancel.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Paid_records_the_payment_and_confirms_fulfilled_fulfils_and_takes_the_stock_and_updated_keeps_the_note()
    {
        var (tenant, store, sku) = await SetUpAsync();
        var shopifyId = ShopifyCalls.NewOrderId();
        var lines = new[] { new ShopifyLine("IPOD2008RED", 2, "199.00") };
        var created = await tenant.WaitForEventAsync(
            await app.SendAcceptedAsync(store, "orders/create", ShopifyCalls.OrderPayload(shopifyId, lines, "398.00", financialStatus: "pending")), "processed");
        Assert.Equal(JsonValueKind.Null, (await OrderOfAsync(tenant, created)).GetProperty("payment").ValueKind);

        await tenant.WaitForEventAsync(await app.SendAcceptedAsync(store, "orders/paid", ShopifyCalls.OrderPayload(shopifyId, lines, "398.00")), "processed");
        var paid = await OrderOfAsync(tenant, created);
        Assert.Equal("confirmed", paid.GetProperty("status").GetString());
        Assert.Equal("paid in Shopify", paid.GetProperty("status_history")[1].GetProperty("reason").GetString());

        await tenant.WaitForEventAsync(await app.SendAcceptedAsync(store, "orders/updated",
            ShopifyCalls.OrderPayload(shopifyId, lines, "398.00", note: "leave at the door")), "processed");
        await tenant.WaitForEventAsync(await app.SendAcceptedAsync(store, "orders/fulfilled",
            ShopifyCalls.OrderPayload(shopifyId, lines, "398.00", fulfillmentStatus: "fulfilled")), "processed");

        Assert.Equal("fulfilled", (await OrderOfAsync(tenant, created)).GetProperty("status").GetString());
        Assert.Equal((8, 0), await tenant.StockAsync(sku.SkuId));
        Assert.Equal(["create", "record_payment", "update", "fulfil"],
            (await tenant.SyncLogsAsync()).Reverse().Select(l => l.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task An_unknown_sku_fails_with_its_reason_and_succeeds_when_retried_after_the_sku_exists()
    {
        var (tenant, store, sku) = await SetUpAsync();
        var body = ShopifyCalls.OrderPayload(ShopifyCalls.NewOrderId(), [new("IPOD2008RED", 1, "199.00"), new("NEW-SKU-1", 1, "20.00")], "219.00");

        var eventId = await app.SendAcceptedAsync(store, "orders/create", body);
        var failed = await tenant.WaitForEventAsync(eventId, "failed");

        Assert.Contains("sku_not_found", failed.GetProperty("error").GetString());
        Assert.Contains("NEW-SKU-1", failed.GetProperty("error").GetString());
        var log = Assert.Single(await tenant.SyncLogsAsync());
        Assert.Equal("failed", log.GetProperty("outcome").GetString());
        Assert.Contains("NEW-SKU-1", log.GetProperty("message").GetString());
        // Nothing half done: the first line's stock is not held.
        Assert.Empty(await tenant.OrdersAsync());
        Assert.Equal((10, 0), await tenant.StockAsync(sku.SkuId));
        var extra = await tenant.SeedSkuAsync(unitPrice: 1.00m, stock: 5, skuCode: "NEW-SKU-1");
        var retry = await tenant.Client.PostJsonAsync($"/v1/integrations/shopify/webhook-events/{eventId}/retry", null);
        Assert.True(retry.Status == HttpStatusCode.Accepted, $"{(int)retry.Status}: {retry.Body}");
        var processed = await tenant.WaitForEventAsync(eventId, "processed");

        var order = await OrderOfAsync(tenant, processed);
        Assert.Equal(219.00m, order.GetProperty("total").GetDecimal());
        Assert.Equal((10, 1), await tenant.StockAsync(sku.SkuId));
        Assert.Equal((5, 1), await tenant.StockAsync(extra.SkuId));
        Assert.Equal(["failed", "succeeded"], (await tenant.SyncLogsAsync()).Reverse().Select(l => l.GetProperty("outcome").GetString()));
        (await tenant.Client.PostJsonAsync($"/v1/integrations/shopify/webhook-events/{eventId}/retry", null))
            .AssertError(HttpStatusCode.Conflict, "event_not_retryable");
    }

    [Fact]
    public async Task Insufficient_stock_fails_and_holds_nothing()
    {
        var (tenant, store, sku) = await SetUpAsync(stock: 1);
        var other = await tenant.SeedSkuAsync(unitPrice: 1.00m, stock: 5, skuCode: "OTHER-1");
        var body = ShopifyCalls.OrderPayload(ShopifyCalls.NewOrderId(), [new("OTHER-1", 2, "3.00"), new("IPOD2008RED", 2, "199.00")], "404.00");

        var failed = await tenant.WaitForEventAsync(await app.SendAcceptedAsync(store, "orders/create", body), "failed");

        Assert.Contains("insufficient_stock", failed.GetProperty("error").GetString());
        Assert.Empty(await tenant.OrdersAsync());
        Assert.Equal((5, 0), await tenant.StockAsync(other.SkuId));
        Assert.Equal((1, 0), await tenant.StockAsync(sku.SkuId));
    }

    [Fact]
    public async Task A_store_of_one_tenant_never_writes_into_another()
    {
        var (tenantA, storeA, skuA) = await SetUpAsync();
        var tenantB = await app.CreateTenantAsync();
        var skuB = await tenantB.SeedSkuAsync(unitPrice: 5.00m, stock: 10, skuCode: "IPOD2008RED");
        var body = ShopifyCalls.OrderPayload(ShopifyCalls.NewOrderId(), [new("IPOD2008RED", 1, "199.00")], "199.00");

        await tenantA.WaitForEventAsync(await app.SendAcceptedAsync(storeA, "orders/create", body), "processed");

        Assert.Single(await tenantA.OrdersAsync());
        Assert.Equal((10, 1), await tenantA.StockAsync(skuA.SkuId));
        Assert.Empty(await tenantB.OrdersAsync());
        Assert.Equal((10, 0), await tenantB.StockAsync(skuB.SkuId));
        Assert.Empty(await tenantB.EventsAsync());
        Assert.Empty(await tenantB.SyncLogsAsync());
        (await tenantB.Client.GetJsonAsync($"/v1/integrations/shopify/stores/{storeA.Id}")).AssertError(HttpStatusCode.NotFound, "not_found");
        var eventA = (await tenantA.EventsAsync())[0].GetProperty("id").GetString();
        (await tenantB.Client.PostJsonAsync($"/v1/integrations/shopify/webhook-events/{eventA}/retry", null)).AssertError(HttpStatusCode.NotFound, "not_found");
        // Tenant B cannot take over A's shop, nor learn who has it.
        var takeover = await tenantB.Client.PostJsonAsync("/v1/integrations/shopify/stores", new { shop_domain = storeA.Domain, webhook_secret = "mine" });
        takeover.AssertError(HttpStatusCode.Conflict, "shop_already_connected");
        Assert.DoesNotContain(tenantA.Id, takeover.Body.ToString());
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition never held");
            await Task.Delay(50);
        }
    }
}
