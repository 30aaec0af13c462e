using System.Net;
using System.Text.Json;
using OrderCore.Tests.Features.Inventory;
using OrderCore.Tests.Features.Orders;
using OrderCore.Tests.Features.Webhooks;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Notifications;

/// <summary>Notification, hook and adapter calls shared by the notification tests.</summary>
public static class NotificationKit
{
    /// <summary>A pending order of one tracked SKU; answers its id.</summary>
    public static async Task<string> PendingOrderAsync(this TestTenant tenant)
    {
        var sku = await tenant.SkuWithStockAsync(10);
        return (await tenant.PlaceAsync(Http.Order((sku.SkuId, 1)))).Str("id");
    }

    /// <summary>A pending order in an isolated app, from a catalog CSV import; answers its id.</summary>
    public static async Task<string> PendingOrderAsync(this HttpClient client)
    {
        var sku = $"N-{Guid.NewGuid():N}"[..14];
        var imported = await client.PostJsonAsync("/v1/onboarding/catalog-csv", new
        {
            currency = "USD", price_list_code = "IMPORT", location_code = "IMPORT-WH", location_name = "Import Warehouse",
            csv = $"product_name,sku_code,unit_price,quantity_on_hand\nStarter Pack,{sku},49.00,10",
        });
        Assert.True(imported.Status is HttpStatusCode.OK or HttpStatusCode.Created, imported.Body.ToString());
        var order = await client.PostJsonAsync("/v1/orders", new { items = new[] { new { sku_code = sku, quantity = 1 } } });
        Assert.True(order.Status == HttpStatusCode.Created, order.Body.ToString());
        return order.Str("id");
    }

    public static async Task<(string Id, string Secret)> CreateNotificationAsync(this HttpClient client, string orderId, object body)
    {
        var created = await client.PostJsonAsync($"/v1/orders/{orderId}/notifications", body);
        Assert.True(created.Status == HttpStatusCode.Created, created.Body.ToString());
        return (created.Str("id"), created.Str("secret"));
    }

    public static async Task<(string Id, string Secret)> CreateHookAsync(this HttpClient client, string orderId, object body)
    {
        var created = await client.PostJsonAsync($"/v1/orders/{orderId}/hooks", body);
        Assert.True(created.Status == HttpStatusCode.Created, created.Body.ToString());
        return (created.Str("id"), created.Str("secret"));
    }

    /// <summary>The deliveries of one notification, from GET /v1/webhooks/deliveries?notification_id=.</summary>
    public static async Task<List<JsonElement>> NotificationDeliveriesAsync(this HttpClient client, string notificationId)
    {
        var list = await client.GetJsonAsync($"/v1/webhooks/deliveries?notification_id={notificationId}");
        Assert.True(list.Status == HttpStatusCode.OK, list.Body.ToString());
        return list.Body.GetProperty("data").EnumerateArray().ToList();
    }

    /// <summary>Waits until the notification has exactly one delivery in <paramref name="status"/> and answers it.</summary>
    public static async Task<JsonElement> SingleDeliveryAsync(this HttpClient client, string notificationId, string status = "succeeded")
    {
        var id = "";
        await Eventually.WaitAsync(async () => (await client.NotificationDeliveriesAsync(notificationId)) is [var only] && (id = only.Str("id")) != "",
            () => $"notification {notificationId} has no delivery");
        return await client.WaitForStatusAsync(id, status);
    }

    public static Task<ApiResponse> MoveAsAdapterAsync(this HttpClient client, string orderId, string action, string? adapterId) =>
        client.SendAsync(HttpMethod.Post, $"/v1/orders/{orderId}/{action}", null,
            adapterId is null ? null : new Dictionary<string, string> { ["x-adapterid"] = adapterId });

    public static string Str(this JsonElement element, string property) => element.GetProperty(property).GetString()!;

    public static JsonElement Json(this ReceivedWebhook received) => JsonDocument.Parse(received.Body).RootElement.Clone();

    public static IReadOnlyList<ReceivedWebhook> ForHeader(this WebhookReceiver receiver, string header, string value) =>
        receiver.Received.Where(r => r.Header(header) == value).ToList();
}
