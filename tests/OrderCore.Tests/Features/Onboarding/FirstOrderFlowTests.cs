using System.Net;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Onboarding;

/// <summary>The three calls of "Create your first order", step by step as the reference's curl script makes them.</summary>
public sealed class FirstOrderFlowTests(AppFixture app)
{
    [Fact]
    public async Task Health_then_demo_data_then_an_idempotent_order()
    {
        var tenant = await app.CreateTenantAsync();

        // 1) health preflight, no key
        using var anonymous = app.Client();
        var health = await anonymous.GetJsonAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.Status);
        Assert.Equal("ok", health.Str("status"));
        Assert.Equal("ok", health.Str("database"));
        Assert.False(string.IsNullOrEmpty(health.Str("version")));

        // 2) demo data, with the body the reference sends
        var seed = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/onboarding/demo-data", "{}");
        Assert.Equal(HttpStatusCode.OK, seed.Status);
        Assert.Equal("ok", seed.Str("status"));
        var customerId = seed.Str("sample_customer_id");
        var skuId = seed.Body.GetProperty("sample_order_item").GetProperty("sku_id").GetString()!;
        Assert.StartsWith("cust_", customerId);
        Assert.StartsWith("sku_", skuId);
        Assert.Equal(1, seed.Body.GetProperty("sample_order_item").GetProperty("quantity").GetInt32());

        // 3) the first retry-safe order
        var body = $$"""{"customer_id":"{{customerId}}","items":[{"sku_id":"{{skuId}}","quantity":1}]}""";
        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = "first-order-001" };
        var order = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/orders", body, headers);

        Assert.Equal(HttpStatusCode.Created, order.Status);
        Assert.StartsWith("order_", order.Str("id"));
        Assert.Equal("pending", order.Str("status"));
        Assert.Equal("OC-000001", order.Str("order_number"));
        Assert.EndsWith("Z", order.Str("created_at"));
        Assert.Equal(customerId, order.Str("customer_id"));
        Assert.Equal("USD", order.Str("currency"));
        var line = Assert.Single(order.Body.GetProperty("items").EnumerateArray());
        Assert.Equal(skuId, line.GetProperty("sku_id").GetString());
        Assert.Equal("DEMO-STARTER-1", line.GetProperty("sku_code").GetString());
        Assert.Equal("Starter Pack", line.GetProperty("product_name").GetString());
        Assert.Equal(49.00m, line.GetProperty("unit_price").GetDecimal());
        Assert.Equal("49.00", line.GetProperty("line_total").GetRawText());
        Assert.Equal("49.00", order.Body.GetProperty("total").GetRawText());
        Assert.Equal($"/v1/orders/{order.Str("id")}", order.Message.Headers.Location?.OriginalString);

        // the curl retry of step 3 changes nothing
        var retry = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/orders", body, headers);
        Assert.Equal(HttpStatusCode.Created, retry.Status);
        Assert.Equal("true", retry.Header("Idempotent-Replayed"));
        Assert.Equal(order.Str("id"), retry.Str("id"));
        Assert.Equal(1, await tenant.CountAsync("orders"));
        Assert.Equal((100, 1), await tenant.StockAsync(skuId));
    }

    [Fact]
    public async Task Demo_data_is_created_once_and_returns_the_same_ids()
    {
        var tenant = await app.CreateTenantAsync();

        var first = await tenant.Client.PostJsonAsync("/v1/onboarding/demo-data", new { });
        var second = await tenant.Client.PostJsonAsync("/v1/onboarding/demo-data", null);

        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.True(first.Body.GetProperty("created").GetBoolean());
        Assert.False(second.Body.GetProperty("created").GetBoolean());
        Assert.Equal(first.Str("sample_customer_id"), second.Str("sample_customer_id"));
        Assert.Equal(first.Body.GetProperty("sample_order_item").GetRawText(), second.Body.GetProperty("sample_order_item").GetRawText());
        Assert.Equal(first.Str("location_id"), second.Str("location_id"));
        Assert.Equal(3, await tenant.CountAsync("products"));
        Assert.Equal(1, await tenant.CountAsync("customers"));
        Assert.Equal(1, await tenant.CountAsync("locations"));
    }

    [Fact]
    public async Task Parallel_demo_data_calls_create_one_catalog()
    {
        var tenant = await app.CreateTenantAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => tenant.Client.PostJsonAsync("/v1/onboarding/demo-data", new { })));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Single(answers.Select(a => a.Str("sample_customer_id")).Distinct());
        Assert.Equal(3, await tenant.CountAsync("skus"));
        Assert.Equal(1, await tenant.CountAsync("customers"));
    }
}
