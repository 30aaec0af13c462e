using System.Net;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Platform;

/// <summary>The key decides the tenant; another tenant's data answers 404 and never appears in lists.</summary>
public sealed class TenantIsolationTests(AppFixture app)
{
    [Fact]
    public async Task Tenant_b_gets_404_not_found_for_tenant_a_order()
    {
        var a = await app.CreateTenantAsync();
        var b = await app.CreateTenantAsync();
        var sku = await a.SeedSkuAsync();
        var order = await a.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)));
        Assert.Equal(HttpStatusCode.Created, order.Status);
        var orderId = order.Str("id");

        var asB = await b.Client.GetJsonAsync($"/v1/orders/{orderId}");
        var asA = await a.Client.GetJsonAsync($"/v1/orders/{orderId}");
        var unknown = await b.Client.GetJsonAsync("/v1/orders/order_0000000000000000000000000000beef");

        asB.AssertError(HttpStatusCode.NotFound, "not_found");
        unknown.AssertError(HttpStatusCode.NotFound, "not_found");
        // existence does not leak: another tenant's order looks exactly like one that does not exist
        Assert.Equal(unknown.Str("title"), asB.Str("title"));
        Assert.DoesNotContain(a.Id, asB.Body.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, asA.Status);
        Assert.Equal(orderId, asA.Str("id"));
    }

    [Fact]
    public async Task Tenant_b_never_lists_tenant_a_orders()
    {
        var a = await app.CreateTenantAsync();
        var b = await app.CreateTenantAsync();
        var skuA = await a.SeedSkuAsync();
        var skuB = await b.SeedSkuAsync();
        var customerA = await a.SeedCustomerAsync();
        var ordersOfA = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var created = await a.Client.PostJsonAsync("/v1/orders",
                new { customer_id = customerA, items = new[] { new { sku_id = skuA.SkuId, quantity = 1 } } });
            Assert.Equal(HttpStatusCode.Created, created.Status);
            ordersOfA.Add(created.Str("id"));
        }

        var orderOfB = await b.Client.PostJsonAsync("/v1/orders", Http.Order((skuB.SkuId, 1)));

        var listB = await b.Client.GetJsonAsync("/v1/orders?per_page=100");
        var pendingB = await b.Client.GetJsonAsync("/v1/orders?status=pending");
        var byCustomerOfA = await b.Client.GetJsonAsync($"/v1/orders?customer_id={customerA}");
        var afterAsOrder = await b.Client.GetJsonAsync($"/v1/orders?starting_after={ordersOfA[^1]}");
        var listA = await a.Client.GetJsonAsync("/v1/orders");

        Assert.Equal(HttpStatusCode.OK, listB.Status);
        Assert.Equal(new[] { orderOfB.Str("id") }, Ids(listB));
        Assert.Equal(1, listB.Body.GetProperty("total").GetInt32());
        Assert.Equal(new[] { orderOfB.Str("id") }, Ids(pendingB));
        Assert.Empty(Ids(byCustomerOfA));
        Assert.Equal(0, byCustomerOfA.Body.GetProperty("total").GetInt32());
        Assert.DoesNotContain(Ids(afterAsOrder), ordersOfA.Contains);
        Assert.Equal(3, listA.Body.GetProperty("total").GetInt32());
        Assert.Equal(ordersOfA.AsEnumerable().Reverse(), Ids(listA));
    }

    [Fact]
    public async Task Tenant_b_cannot_order_tenant_a_sku_by_id_or_code()
    {
        var a = await app.CreateTenantAsync();
        var b = await app.CreateTenantAsync();
        var skuA = await a.SeedSkuAsync(stock: 10);

        var byId = await b.Client.PostJsonAsync("/v1/orders", Http.Order((skuA.SkuId, 1)));
        var byCode = await b.Client.PostJsonAsync("/v1/orders", new { items = new[] { new { sku_code = skuA.SkuCode, quantity = 1 } } });

        byId.AssertError(HttpStatusCode.NotFound, "sku_not_found");
        Assert.Contains(skuA.SkuId, byId.Str("message"), StringComparison.Ordinal);
        byCode.AssertError(HttpStatusCode.NotFound, "sku_not_found");
        Assert.Equal(0, await b.CountAsync("orders"));
        Assert.Equal(0, await a.CountAsync("orders"));
        Assert.Equal((10, 0), await a.StockAsync(skuA.SkuId));
    }

    [Fact]
    public async Task Tenant_b_cannot_name_tenant_a_customer()
    {
        var a = await app.CreateTenantAsync();
        var b = await app.CreateTenantAsync();
        var customerA = await a.SeedCustomerAsync();
        var skuB = await b.SeedSkuAsync(stock: 10);

        var answer = await b.Client.PostJsonAsync("/v1/orders",
            new { customer_id = customerA, items = new[] { new { sku_id = skuB.SkuId, quantity = 1 } } });

        answer.AssertError(HttpStatusCode.NotFound, "customer_not_found");
        Assert.Equal(0, await b.CountAsync("orders"));
        Assert.Equal((10, 0), await b.StockAsync(skuB.SkuId));
    }

    [Fact]
    public async Task The_same_sku_code_lives_independently_in_two_tenants()
    {
        var a = await app.CreateTenantAsync();
        var b = await app.CreateTenantAsync();
        var code = $"SHARED-{Guid.NewGuid():N}"[..20];
        var skuA = await a.SeedSkuAsync(unitPrice: 10.00m, stock: 5, skuCode: code);
        var skuB = await b.SeedSkuAsync(unitPrice: 25.50m, stock: 7, skuCode: code);
        Assert.NotEqual(skuA.SkuId, skuB.SkuId);

        var orderA = await a.Client.PostJsonAsync("/v1/orders", new { items = new[] { new { sku_code = code, quantity = 2 } } });
        var orderB = await b.Client.PostJsonAsync("/v1/orders", new { items = new[] { new { sku_code = code, quantity = 3 } } });

        Assert.Equal(HttpStatusCode.Created, orderA.Status);
        Assert.Equal(HttpStatusCode.Created, orderB.Status);
        var lineA = Assert.Single(orderA.Body.GetProperty("items").EnumerateArray());
        var lineB = Assert.Single(orderB.Body.GetProperty("items").EnumerateArray());
        Assert.Equal(skuA.SkuId, lineA.GetProperty("sku_id").GetString());
        Assert.Equal(skuB.SkuId, lineB.GetProperty("sku_id").GetString());
        Assert.Equal(10.00m, lineA.GetProperty("unit_price").GetDecimal());
        Assert.Equal(25.50m, lineB.GetProperty("unit_price").GetDecimal());
        Assert.Equal((5, 2), await a.StockAsync(skuA.SkuId));
        Assert.Equal((7, 3), await b.StockAsync(skuB.SkuId));
        Assert.Equal("OC-000001", orderA.Str("order_number"));
        Assert.Equal("OC-000001", orderB.Str("order_number"));
    }

    private static string[] Ids(ApiResponse list) =>
        list.Body.GetProperty("data").EnumerateArray().Select(o => o.GetProperty("id").GetString()!).ToArray();

    [Fact]
    public async Task Lookup_by_merchant_reference_only_finds_the_callers_own_orders()
    {
        var a = await app.CreateTenantAsync();
        var b = await app.CreateTenantAsync();
        var skuA = await a.SeedSkuAsync();
        var skuB = await b.SeedSkuAsync();
        var ofA = await a.Client.PostJsonAsync("/v1/orders", new { items = new[] { new { sku_id = skuA.SkuId, quantity = 1 } }, merchant_reference_id = "cart-shared" });
        var onlyA = await a.Client.PostJsonAsync("/v1/orders", new { items = new[] { new { sku_id = skuA.SkuId, quantity = 1 } }, merchant_reference_id = "cart-of-a" });
        // B's order is the older one: a lookup that ignored the tenant would still answer A's newer order.
        var ofB = await b.Client.PostJsonAsync("/v1/orders", new { items = new[] { new { sku_id = skuB.SkuId, quantity = 1 } }, merchant_reference_id = "cart-shared" });
        var newerOfA = await a.Client.PostJsonAsync("/v1/orders", new { items = new[] { new { sku_id = skuA.SkuId, quantity = 1 } }, merchant_reference_id = "cart-shared" });
        Assert.All(new[] { ofA, onlyA, ofB, newerOfA }, o => Assert.Equal(HttpStatusCode.Created, o.Status));

        var sharedAsB = await b.Client.GetJsonAsync("/v1/orders/lookup?merchant_reference_id=cart-shared");
        var sharedAsA = await a.Client.GetJsonAsync("/v1/orders/lookup?merchant_reference_id=cart-shared");
        var onlyAAsB = await b.Client.GetJsonAsync("/v1/orders/lookup?merchant_reference_id=cart-of-a");

        Assert.Equal(ofB.Str("id"), sharedAsB.Body.GetProperty("order").GetProperty("id").GetString());
        Assert.Equal(newerOfA.Str("id"), sharedAsA.Body.GetProperty("order").GetProperty("id").GetString());
        onlyAAsB.AssertError(HttpStatusCode.NotFound, "not_found");
    }
}
