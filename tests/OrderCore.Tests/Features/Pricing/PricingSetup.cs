using System.Globalization;
using System.Net;
using System.Text.Json;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Pricing;

/// <summary>Set-up through the public API, for pricing tests: SKUs without prices, lists and prices.</summary>
public static class PricingSetup
{
    /// <summary>A product with one SKU and no price or stock, made through <c>POST /v1/products</c>.</summary>
    public static async Task<(string Id, string Code)> CreateSkuAsync(this TestTenant tenant, bool trackInventory = true)
    {
        var code = $"SKU-{Guid.NewGuid():N}"[..16];
        var product = await tenant.Client.PostJsonAsync("/v1/products",
            new { name = $"Product {code}", skus = new[] { new { sku_code = code, track_inventory = trackInventory } } });
        Assert.True(product.Status == HttpStatusCode.Created, product.Body.ToString());
        return (product.Body.GetProperty("skus")[0].GetProperty("id").GetString()!, code);
    }

    public static async Task<JsonElement> CreateListAsync(this TestTenant tenant, object body)
    {
        var answer = await tenant.Client.PostJsonAsync("/v1/price-lists", body);
        Assert.True(answer.Status == HttpStatusCode.Created, answer.Body.ToString());
        return answer.Body;
    }

    /// <summary>A general or customer-specific list with a unique code; answers its id.</summary>
    public static async Task<string> ListAsync(this TestTenant tenant, string? code = null, int priority = 0, string? customerId = null,
        string currency = "USD", DateTimeOffset? validFrom = null, DateTimeOffset? validTo = null, bool active = true)
    {
        var list = await tenant.CreateListAsync(new
        {
            code = code ?? $"PL-{Guid.NewGuid():N}"[..12],
            name = "Test list",
            currency,
            priority,
            customer_id = customerId,
            valid_from = Iso(validFrom),
            valid_to = Iso(validTo),
            active,
        });
        return list.GetProperty("id").GetString()!;
    }

    /// <summary>A price of a SKU in a list (in the list's currency); answers its id.</summary>
    public static async Task<string> PriceAsync(this TestTenant tenant, string skuId, string listId, decimal amount, int minQuantity = 1,
        DateTimeOffset? validFrom = null, DateTimeOffset? validTo = null, bool active = true)
    {
        var answer = await tenant.Client.PostJsonAsync("/v1/prices", new
        {
            sku_id = skuId,
            price_list_id = listId,
            unit_amount = amount,
            min_quantity = minQuantity,
            valid_from = Iso(validFrom),
            valid_to = Iso(validTo),
            active,
        });
        Assert.True(answer.Status == HttpStatusCode.Created, answer.Body.ToString());
        return answer.Str("id");
    }

    public static Task<ApiResponse> PatchAsync(this HttpClient client, string path, object body) => client.SendAsync(HttpMethod.Patch, path, body);

    /// <summary>The wire form of a timestamp (whole seconds, UTC, <c>Z</c>).</summary>
    public static string? Iso(DateTimeOffset? value) =>
        value?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Now, to the second (the wire format drops fractions).</summary>
    public static DateTimeOffset Now()
    {
        var now = DateTimeOffset.UtcNow;
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
    }

    public static string[] IdsOf(this ApiResponse list) =>
        list.Body.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToArray();

    public static string[] Fields(this ApiResponse error) =>
        error.Body.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToArray();
}
