using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Integrations;

/// <summary>An accepted event is durable: an instance that stops before processing it leaves it to the next start, which processes it once.</summary>
public sealed class ShopifyRestartTests(AppFixture app)
{
    [Fact]
    public async Task An_event_accepted_before_a_restart_is_processed_once_after_it()
    {
        // A database of its own: the shared app's worker must not process the event in between.
        await using var database = await TestDatabase.CreateAsync();
        var settings = app.Settings();
        settings["ORDERCORE_DB"] = database.ConnectionString;

        string apiKey;
        ShopifyTestStore store;
        string skuLocation;
        string eventId;
        var shopifyId = ShopifyCalls.NewOrderId();
        var acceptOnly = new Dictionary<string, string?>(settings) { ["Shopify:ProcessEvents"] = "false" };
        await using (var first = new OrderCoreFactory(acceptOnly))
        {
            var address = first.Start();
            using var admin = app.AdminClient(address);
            var created = await admin.PostAsJsonAsync("/admin/v1/tenants", new { name = "Restart tenant" });
            created.EnsureSuccessStatusCode();
            using var tenantBody = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
            apiKey = tenantBody.RootElement.GetProperty("api_key").GetProperty("key").GetString()!;
            using var client = app.Client(apiKey, address);
            var import = await client.PostJsonAsync("/v1/onboarding/catalog-csv",
                new { csv = "product_name,sku_code,unit_price,quantity_on_hand\nRed iPod,IPOD2008RED,5.00,10" });
            Assert.True(import.Status == HttpStatusCode.OK, $"{(int)import.Status}: {import.Body}");
            var level = await client.GetJsonAsync("/v1/inventory?sku_code=IPOD2008RED");
            skuLocation = level.Body.GetProperty("data")[0].GetProperty("location_id").GetString()!;

            var domain = ShopifyCalls.NewDomain();
            var connect = await client.PostJsonAsync("/v1/integrations/shopify/stores",
                new { shop_domain = domain, webhook_secret = "restart-secret", location_id = skuLocation });
            Assert.True(connect.Status == HttpStatusCode.Created, $"{(int)connect.Status}: {connect.Body}");
            store = new ShopifyTestStore(connect.Str("id"), domain, "restart-secret");

            var body = ShopifyCalls.OrderPayload(shopifyId, [new("IPOD2008RED", 3, "199.00")], "597.00");
            var answer = await app.SendWebhookAsync(store, "orders/create", body, baseAddress: address);
            Assert.True(answer.Status == HttpStatusCode.OK, $"{(int)answer.Status}: {answer.Body}");
            eventId = answer.Str("event_id");
            var pending = await client.GetJsonAsync("/v1/integrations/shopify/webhook-events?status=pending");
            Assert.Equal(eventId, pending.Body.GetProperty("data")[0].GetProperty("id").GetString());
        }

        await using var second = new OrderCoreFactory(settings);
        var restarted = second.Start();
        using var after = app.Client(apiKey, restarted);
        JsonElement processed = default;
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            var list = await after.GetJsonAsync("/v1/integrations/shopify/webhook-events?status=processed");
            if (list.Body.GetProperty("data").GetArrayLength() > 0)
            {
                processed = list.Body.GetProperty("data")[0].Clone();
                break;
            }
        }

        Assert.Equal(eventId, processed.GetProperty("id").GetString());
        var orders = await after.GetJsonAsync("/v1/orders");
        var order = Assert.Single(orders.Body.GetProperty("data").EnumerateArray());
        Assert.Equal(processed.GetProperty("order_id").GetString(), order.GetProperty("id").GetString());
        // Reserved once, at the store's location.
        var level2 = await after.GetJsonAsync($"/v1/inventory?sku_code=IPOD2008RED&location_id={skuLocation}");
        Assert.Equal(3, level2.Body.GetProperty("data")[0].GetProperty("reserved").GetInt32());
        Assert.Equal(1, await database.ScalarAsync<long>("SELECT count(*) FROM shopify_sync_logs WHERE shopify_order_id = $1", shopifyId));
    }
}
