using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Integrations;

/// <summary>A store connected for a test: its domain and the secret Shopify would sign its webhooks with.</summary>
public sealed record ShopifyTestStore(string Id, string Domain, string Secret);

/// <summary>One line of a Shopify order fixture.</summary>
public sealed record ShopifyLine(string? Sku, int Quantity, string Price);

/// <summary>Shopify-shaped payloads, signed exactly as Shopify signs them, and the calls the Shopify tests share.</summary>
public static class ShopifyCalls
{
    public static string NewDomain() => $"shop-{Guid.NewGuid():N}"[..17] + ".myshopify.com";

    public static long NewOrderId() => 820982911946154508 + Random.Shared.NextInt64(1, 1_000_000_000);

    public static async Task<ShopifyTestStore> ConnectStoreAsync(this TestTenant tenant, string? domain = null, string? locationId = null)
    {
        domain ??= NewDomain();
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var answer = await tenant.Client.PostJsonAsync("/v1/integrations/shopify/stores",
            new { shop_domain = domain, webhook_secret = secret, location_id = locationId });
        Assert.True(answer.Status == HttpStatusCode.Created, $"{(int)answer.Status}: {answer.Body}");
        return new ShopifyTestStore(answer.Str("id"), domain, secret);
    }

    /// <summary>
    /// An order body in the shape of Shopify's documented <c>orders/create</c> example (money as strings, line items with
    /// sku, quantity and price, plus the many fields the connector ignores).
    /// </summary>
    public static string OrderPayload(long id, IEnumerable<ShopifyLine> lines, string totalPrice, string currency = "USD",
        string financialStatus = "paid", string? fulfillmentStatus = null, string? cancelledAt = null, string? note = null)
    {
        var items = lines.Select((l, i) => new Dictionary<string, object?>
        {
            ["id"] = 866550311766439020 + i,
            ["admin_graphql_api_id"] = $"gid://shopify/LineItem/{866550311766439020 + i}",
            ["fulfillable_quantity"] = l.Quantity,
            ["fulfillment_service"] = "manual",
            ["fulfillment_status"] = null,
            ["gift_card"] = false,
            ["grams"] = 567,
            ["name"] = $"Product {l.Sku}",
            ["price"] = l.Price,
            ["price_set"] = new { shop_money = new { amount = l.Price, currency_code = currency }, presentment_money = new { amount = l.Price, currency_code = currency } },
            ["product_exists"] = true,
            ["product_id"] = 632910392,
            ["properties"] = Array.Empty<object>(),
            ["quantity"] = l.Quantity,
            ["requires_shipping"] = true,
            ["sku"] = l.Sku,
            ["taxable"] = true,
            ["title"] = $"Product {l.Sku}",
            ["total_discount"] = "0.00",
            ["variant_id"] = 808950810,
            ["vendor"] = null,
            ["tax_lines"] = Array.Empty<object>(),
            ["discount_allocations"] = Array.Empty<object>(),
        }).ToArray();
        var order = new Dictionary<string, object?>
        {
            ["id"] = id,
            ["admin_graphql_api_id"] = $"gid://shopify/Order/{id}",
            ["app_id"] = null,
            ["browser_ip"] = null,
            ["buyer_accepts_marketing"] = true,
            ["cancel_reason"] = cancelledAt is null ? null : "customer",
            ["cancelled_at"] = cancelledAt,
            ["cart_token"] = null,
            ["checkout_id"] = null,
            ["confirmed"] = false,
            ["contact_email"] = "jon@example.com",
            ["created_at"] = "2021-12-31T19:00:00-05:00",
            ["currency"] = currency,
            ["current_subtotal_price"] = totalPrice,
            ["current_total_price"] = totalPrice,
            ["email"] = "jon@example.com",
            ["financial_status"] = financialStatus,
            ["fulfillment_status"] = fulfillmentStatus,
            ["name"] = $"#{id % 10000}",
            ["note"] = note,
            ["number"] = 234,
            ["order_number"] = 1234,
            ["presentment_currency"] = currency,
            ["processed_at"] = "2021-12-31T19:00:00-05:00",
            ["subtotal_price"] = totalPrice,
            ["tags"] = "tag1, tag2",
            ["test"] = true,
            ["total_discounts"] = "0.00",
            ["total_line_items_price"] = totalPrice,
            ["total_price"] = totalPrice,
            ["total_tax"] = "0.00",
            ["total_weight"] = 0,
            ["updated_at"] = "2021-12-31T19:00:00-05:00",
            ["billing_address"] = new { first_name = "Steve", last_name = "Shipper", address1 = "123 Shipping Street", city = "Shippington", country_code = "US" },
            ["customer"] = new { id = 115310627314723954, email = "john@example.com", first_name = "John", last_name = "Smith" },
            ["discount_codes"] = Array.Empty<object>(),
            ["fulfillments"] = Array.Empty<object>(),
            ["line_items"] = items,
            ["refunds"] = Array.Empty<object>(),
            ["shipping_address"] = new { first_name = "Steve", last_name = "Shipper", address1 = "123 Shipping Street", city = "Shippington", country_code = "US" },
            ["shipping_lines"] = new[] { new { id = 271878346596884015, code = null as string, price = "10.00", title = "Generic Shipping" } },
        };
        return JsonSerializer.Serialize(order);
    }

    /// <summary>Base64 HMAC-SHA256 of the raw body with the store's secret: <c>X-Shopify-Hmac-Sha256</c>.</summary>
    public static string Sign(string secret, string body) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    /// <summary>POSTs a webhook as Shopify does: no API key; the signature unless <paramref name="hmac"/> overrides it ("" leaves it out).</summary>
    public static async Task<ApiResponse> SendWebhookAsync(this AppFixture app, ShopifyTestStore store, string topic, string body, string? webhookId = null,
        string? hmac = null, Uri? baseAddress = null)
    {
        var headers = new Dictionary<string, string>
        {
            ["X-Shopify-Shop-Domain"] = store.Domain,
            ["X-Shopify-Topic"] = topic,
            ["X-Shopify-Webhook-Id"] = webhookId ?? Guid.NewGuid().ToString(),
            ["X-Shopify-API-Version"] = "2025-10",
            ["X-Shopify-Triggered-At"] = "2025-01-01T00:00:00.000Z",
        };
        hmac ??= Sign(store.Secret, body);
        if (hmac.Length > 0)
        {
            headers["X-Shopify-Hmac-Sha256"] = hmac;
        }

        using var client = app.Client(baseAddress: baseAddress);
        return await client.SendAsync(HttpMethod.Post, "/integrations/shopify/webhooks", body, headers);
    }

    public static async Task<string> SendAcceptedAsync(this AppFixture app, ShopifyTestStore store, string topic, string body, string? webhookId = null)
    {
        var answer = await app.SendWebhookAsync(store, topic, body, webhookId);
        Assert.True(answer.Status == HttpStatusCode.OK, $"{(int)answer.Status}: {answer.Body}");
        Assert.Equal("accepted", answer.Str("status"));
        return answer.Str("event_id");
    }

    /// <summary>The tenant's webhook event, once it has left <c>pending</c> (or reached <paramref name="status"/>); fails after a generous deadline.</summary>
    public static async Task<JsonElement> WaitForEventAsync(this TestTenant tenant, string eventId, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonElement? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await tenant.FindEventAsync(eventId);
            if (last?.GetProperty("status").GetString() == status)
            {
                return last.Value;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"event {eventId} never became {status}; last seen: {last}");
        return default;
    }

    public static async Task<JsonElement?> FindEventAsync(this TestTenant tenant, string eventId)
    {
        var list = await tenant.Client.GetJsonAsync("/v1/integrations/shopify/webhook-events?per_page=100");
        Assert.True(list.Status == HttpStatusCode.OK, $"{(int)list.Status}: {list.Body}");
        foreach (var item in list.Body.GetProperty("data").EnumerateArray())
        {
            if (item.GetProperty("id").GetString() == eventId)
            {
                return item.Clone();
            }
        }

        return null;
    }

    public static async Task<JsonElement[]> EventsAsync(this TestTenant tenant, string? query = null)
    {
        var list = await tenant.Client.GetJsonAsync($"/v1/integrations/shopify/webhook-events?per_page=100{query}");
        Assert.True(list.Status == HttpStatusCode.OK, $"{(int)list.Status}: {list.Body}");
        return list.Body.GetProperty("data").EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    public static async Task<JsonElement[]> SyncLogsAsync(this TestTenant tenant)
    {
        var list = await tenant.Client.GetJsonAsync("/v1/integrations/shopify/sync-logs?per_page=100");
        Assert.True(list.Status == HttpStatusCode.OK, $"{(int)list.Status}: {list.Body}");
        return list.Body.GetProperty("data").EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    /// <summary>The tenant's orders from Shopify, straight from the orders list.</summary>
    public static async Task<JsonElement[]> OrdersAsync(this TestTenant tenant)
    {
        var list = await tenant.Client.GetJsonAsync("/v1/orders?per_page=100");
        Assert.True(list.Status == HttpStatusCode.OK, $"{(int)list.Status}: {list.Body}");
        return list.Body.GetProperty("data").EnumerateArray().Select(e => e.Clone()).ToArray();
    }
}
