using System.Globalization;
using System.Net;
using System.Text.Json;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Orders;

/// <summary>Reading orders back, listing them, and what a created order holds (money, lines, stock; numbers: <see cref="OrderNumberTests"/>).</summary>
public sealed class OrderQueryTests(AppFixture app)
{
    // ---------------------------------------------------------------- GET /v1/orders/{id}

    [Fact]
    public async Task Get_by_id_returns_the_order_as_created()
    {
        var tenant = await app.CreateTenantAsync();
        var first = await tenant.SeedSkuAsync(unitPrice: 12.34m, stock: 10);
        var second = await tenant.SeedSkuAsync(unitPrice: 0.99m, stock: 10);
        var customerId = await tenant.SeedCustomerAsync();
        var body = new
        {
            customer_id = customerId,
            merchant_reference_id = "cart:42",
            metadata = new { channel = "web", campaign = "spring", nested = new { a = 1 } },
            items = new object[] { new { sku_id = first.SkuId, quantity = 3 }, new { sku_id = second.SkuId, quantity = 7 } },
        };

        var created = await tenant.Client.PostJsonAsync("/v1/orders", body);
        var fetched = await tenant.Client.GetJsonAsync($"/v1/orders/{created.Str("id")}");

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(HttpStatusCode.OK, fetched.Status);
        Assert.True(JsonElement.DeepEquals(created.Body, fetched.Body), $"created {created.Body}\nfetched {fetched.Body}");
        // same money scale, not only the same value
        foreach (var name in new[] { "subtotal", "total" })
        {
            Assert.Equal(created.Body.GetProperty(name).GetRawText(), fetched.Body.GetProperty(name).GetRawText());
        }

        Assert.Equal(customerId, fetched.Str("customer_id"));
        Assert.Equal("cart:42", fetched.Str("merchant_reference_id"));
        Assert.Equal("spring", fetched.Body.GetProperty("metadata").GetProperty("campaign").GetString());
        Assert.Equal("pending", fetched.Str("status"));
        var lines = fetched.Body.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(2, lines.Length);
        Assert.Equal(first.SkuId, lines[0].GetProperty("sku_id").GetString());
        Assert.Equal(first.SkuCode, lines[0].GetProperty("sku_code").GetString());
        Assert.Equal(first.ProductId, lines[0].GetProperty("product_id").GetString());
        Assert.False(string.IsNullOrEmpty(lines[0].GetProperty("product_name").GetString()));
        Assert.False(string.IsNullOrEmpty(lines[0].GetProperty("id").GetString()));
        Assert.Equal(3, lines[0].GetProperty("quantity").GetInt32());
        Assert.Equal(second.SkuId, lines[1].GetProperty("sku_id").GetString());
        Assert.Equal(7, lines[1].GetProperty("quantity").GetInt32());
    }

    [Fact]
    public async Task Get_by_id_of_an_unknown_order_answers_404_not_found()
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await tenant.Client.GetJsonAsync("/v1/orders/order_0000000000000000000000000000abcd");

        answer.AssertError(HttpStatusCode.NotFound, "not_found");
    }

    // ---------------------------------------------------------------- GET /v1/orders: pagination

    [Fact]
    public async Task List_paginates_with_page_per_page_total_and_has_more_newest_first()
    {
        var tenant = await app.CreateTenantAsync();
        var created = await CreateOrdersAsync(tenant, 25);
        var newestFirst = created.AsEnumerable().Reverse().ToArray();

        var page1 = await tenant.Client.GetJsonAsync("/v1/orders");
        var page2 = await tenant.Client.GetJsonAsync("/v1/orders?page=2");
        var page3 = await tenant.Client.GetJsonAsync("/v1/orders?page=3");

        AssertPage(page1, page: 1, perPage: 20, total: 25, hasMore: true, newestFirst[..20]);
        AssertPage(page2, page: 2, perPage: 20, total: 25, hasMore: false, newestFirst[20..]);
        AssertPage(page3, page: 3, perPage: 20, total: 25, hasMore: false, []);
        var numbers = page1.Body.GetProperty("data").EnumerateArray().Select(o => o.GetProperty("order_number").GetString()!).ToArray();
        Assert.Equal("OC-000025", numbers[0]);
        Assert.Equal(numbers.OrderByDescending(n => n, StringComparer.Ordinal), numbers);
    }

    [Fact]
    public async Task Per_page_is_honoured_and_values_above_100_are_clamped_to_100()
    {
        var tenant = await app.CreateTenantAsync();
        var created = await CreateOrdersAsync(tenant, 5);
        var newestFirst = created.AsEnumerable().Reverse().ToArray();

        var two = await tenant.Client.GetJsonAsync("/v1/orders?per_page=2&page=2");
        var huge = await tenant.Client.GetJsonAsync("/v1/orders?per_page=1000");

        AssertPage(two, page: 2, perPage: 2, total: 5, hasMore: true, newestFirst[2..4]);
        AssertPage(huge, page: 1, perPage: 100, total: 5, hasMore: false, newestFirst);
    }

    [Fact]
    public async Task Starting_after_walks_every_page_without_duplicates_or_gaps()
    {
        var tenant = await app.CreateTenantAsync();
        var created = await CreateOrdersAsync(tenant, 17);
        var newestFirst = created.AsEnumerable().Reverse().ToList();

        var seen = new List<string>();
        var first = await tenant.Client.GetJsonAsync("/v1/orders?per_page=5");
        Assert.Equal(HttpStatusCode.OK, first.Status);
        seen.AddRange(Ids(first));
        var hasMore = first.Body.GetProperty("has_more").GetBoolean();
        var pages = 1;
        while (hasMore)
        {
            var next = await tenant.Client.GetJsonAsync($"/v1/orders?per_page=5&starting_after={seen[^1]}");
            Assert.Equal(HttpStatusCode.OK, next.Status);
            Assert.Equal(17, next.Body.GetProperty("total").GetInt32());
            Assert.Equal(5, next.Body.GetProperty("per_page").GetInt32());
            var ids = Ids(next);
            Assert.NotEmpty(ids);
            seen.AddRange(ids);
            hasMore = next.Body.GetProperty("has_more").GetBoolean();
            Assert.True(++pages <= 10, "starting_after does not terminate");
        }

        Assert.Equal(4, pages);
        Assert.Equal(newestFirst, seen);
    }

    // ---------------------------------------------------------------- GET /v1/orders: filters

    [Fact]
    public async Task Status_filter_selects_by_status()
    {
        var tenant = await app.CreateTenantAsync();
        var created = await CreateOrdersAsync(tenant, 3);

        var pending = await tenant.Client.GetJsonAsync("/v1/orders?status=pending");
        var cancelled = await tenant.Client.GetJsonAsync("/v1/orders?status=cancelled");
        var fulfilled = await tenant.Client.GetJsonAsync("/v1/orders?status=fulfilled");

        AssertPage(pending, page: 1, perPage: 20, total: 3, hasMore: false, created.AsEnumerable().Reverse().ToArray());
        AssertPage(cancelled, page: 1, perPage: 20, total: 0, hasMore: false, []);
        AssertPage(fulfilled, page: 1, perPage: 20, total: 0, hasMore: false, []);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("1")]
    [InlineData("")]
    [InlineData("pending_")]
    public async Task An_invalid_status_filter_answers_400_validation_failed(string status)
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await tenant.Client.GetJsonAsync($"/v1/orders?status={Uri.EscapeDataString(status)}");

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty("status", out _), answer.Body.ToString());
    }

    [Fact]
    public async Task A_comma_combined_status_is_not_read_as_some_other_status()
    {
        var tenant = await app.CreateTenantAsync();
        var pending = await CreateOrdersAsync(tenant, 1);

        var answer = await tenant.Client.GetJsonAsync("/v1/orders?status=pending,confirmed");

        // Either the value is rejected as invalid, or (read as a list of statuses) it includes the pending order.
        if (answer.Status == HttpStatusCode.OK)
        {
            Assert.True(Ids(answer).SequenceEqual(pending), $"status=pending,confirmed answered 200 without the pending order: {answer.Body}");
        }
        else
        {
            answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        }
    }

    [Fact]
    public async Task Customer_filter_selects_that_customers_orders()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 100);
        var alice = await tenant.SeedCustomerAsync();
        var bob = await tenant.SeedCustomerAsync();
        var aliceOrders = new List<string>();
        foreach (var customer in new[] { alice, bob, alice, null, alice, bob })
        {
            var answer = await tenant.Client.PostJsonAsync("/v1/orders",
                new { customer_id = customer, items = new[] { new { sku_id = sku.SkuId, quantity = 1 } } });
            Assert.Equal(HttpStatusCode.Created, answer.Status);
            if (customer == alice)
            {
                aliceOrders.Add(answer.Str("id"));
            }
        }

        var forAlice = await tenant.Client.GetJsonAsync($"/v1/orders?customer_id={alice}");
        var forBob = await tenant.Client.GetJsonAsync($"/v1/orders?customer_id={bob}&status=pending");
        var forNobody = await tenant.Client.GetJsonAsync("/v1/orders?customer_id=cust_nobody");
        var all = await tenant.Client.GetJsonAsync("/v1/orders");

        AssertPage(forAlice, page: 1, perPage: 20, total: 3, hasMore: false, aliceOrders.AsEnumerable().Reverse().ToArray());
        Assert.All(forAlice.Body.GetProperty("data").EnumerateArray(), o => Assert.Equal(alice, o.GetProperty("customer_id").GetString()));
        Assert.Equal(2, forBob.Body.GetProperty("total").GetInt32());
        Assert.All(forBob.Body.GetProperty("data").EnumerateArray(), o => Assert.Equal(bob, o.GetProperty("customer_id").GetString()));
        Assert.Equal(0, forNobody.Body.GetProperty("total").GetInt32());
        Assert.Equal(6, all.Body.GetProperty("total").GetInt32());
    }

    // ---------------------------------------------------------------- money

    [Fact]
    public async Task Usd_amounts_have_two_decimals_and_lines_add_up()
    {
        var tenant = await app.CreateTenantAsync();
        var whole = await tenant.SeedSkuAsync(unitPrice: 49m, stock: 10);
        var cents = await tenant.SeedSkuAsync(unitPrice: 12.34m, stock: 10);
        var small = await tenant.SeedSkuAsync(unitPrice: 0.99m, stock: 10);
        var lines = new[] { (Sku: whole, Quantity: 1), (Sku: cents, Quantity: 3), (Sku: small, Quantity: 7) };

        var order = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order(lines.Select(l => (l.Sku.SkuId, l.Quantity)).ToArray()));

        Assert.Equal(HttpStatusCode.Created, order.Status);
        Assert.Equal("USD", order.Str("currency"));
        var items = order.Body.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(lines.Length, items.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            Assert.Equal(Usd(lines[i].Sku.UnitPrice), items[i].GetProperty("unit_price").GetRawText());
            Assert.Equal(Usd(lines[i].Sku.UnitPrice * lines[i].Quantity), items[i].GetProperty("line_total").GetRawText());
        }

        var expectedTotal = lines.Sum(l => l.Sku.UnitPrice * l.Quantity);
        Assert.Equal(Usd(expectedTotal), order.Body.GetProperty("subtotal").GetRawText());
        Assert.Equal(Usd(expectedTotal), order.Body.GetProperty("total").GetRawText());
        Assert.Equal("49.00", items[0].GetProperty("unit_price").GetRawText());

        // and the same text when read back from the database
        var fetched = await tenant.Client.GetJsonAsync($"/v1/orders/{order.Str("id")}");
        Assert.Equal("49.00", fetched.Body.GetProperty("items")[0].GetProperty("unit_price").GetRawText());
        Assert.Equal(Usd(expectedTotal), fetched.Body.GetProperty("total").GetRawText());
    }

    [Fact]
    public async Task Jpy_amounts_have_no_decimals()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(unitPrice: 4900m, stock: 10, currency: "JPY");

        var order = await tenant.Client.PostJsonAsync("/v1/orders",
            new { currency = "JPY", items = new[] { new { sku_id = sku.SkuId, quantity = 2 } } });
        var fetched = await tenant.Client.GetJsonAsync($"/v1/orders/{order.Str("id")}");

        Assert.Equal(HttpStatusCode.Created, order.Status);
        foreach (var answer in new[] { order, fetched })
        {
            Assert.Equal("JPY", answer.Str("currency"));
            var line = Assert.Single(answer.Body.GetProperty("items").EnumerateArray());
            Assert.Equal("4900", line.GetProperty("unit_price").GetRawText());
            Assert.Equal("9800", line.GetProperty("line_total").GetRawText());
            Assert.Equal("9800", answer.Body.GetProperty("subtotal").GetRawText());
            Assert.Equal("9800", answer.Body.GetProperty("total").GetRawText());
        }
    }

    [Fact]
    public async Task Currency_defaults_to_usd()
    {
        var tenant = await app.CreateTenantAsync();
        var usd = await tenant.SeedSkuAsync(unitPrice: 3.50m, stock: 10, currency: "USD");

        var byDefault = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((usd.SkuId, 2)));

        Assert.Equal(HttpStatusCode.Created, byDefault.Status);
        Assert.Equal("USD", byDefault.Str("currency"));
        Assert.Equal("7.00", byDefault.Body.GetProperty("total").GetRawText());
    }

    // ---------------------------------------------------------------- lines and stock

    [Fact]
    public async Task An_order_can_name_its_sku_by_code()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(unitPrice: 7.25m, stock: 10, skuCode: $"BY-CODE-{Guid.NewGuid():N}"[..20]);

        var order = await tenant.Client.PostJsonAsync("/v1/orders", new { items = new[] { new { sku_code = sku.SkuCode, quantity = 2 } } });

        Assert.Equal(HttpStatusCode.Created, order.Status);
        var line = Assert.Single(order.Body.GetProperty("items").EnumerateArray());
        Assert.Equal(sku.SkuId, line.GetProperty("sku_id").GetString());
        Assert.Equal(sku.SkuCode, line.GetProperty("sku_code").GetString());
        Assert.Equal(sku.ProductId, line.GetProperty("product_id").GetString());
        Assert.Equal("14.50", line.GetProperty("line_total").GetRawText());
        Assert.Equal((10, 2), await tenant.StockAsync(sku.SkuId));
    }

    [Fact]
    public async Task When_a_later_line_lacks_stock_nothing_is_created_and_earlier_lines_stay_unreserved()
    {
        var tenant = await app.CreateTenantAsync();
        var plenty = await tenant.SeedSkuAsync(stock: 10);
        var scarce = await tenant.SeedSkuAsync(stock: 1);

        var answer = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((plenty.SkuId, 4), (scarce.SkuId, 2)));

        answer.AssertError(HttpStatusCode.Conflict, "insufficient_stock");
        Assert.Equal(scarce.SkuId, answer.Str("sku_id"));
        Assert.Contains(scarce.SkuCode, answer.Str("message"), StringComparison.Ordinal);
        Assert.Equal(1, answer.Body.GetProperty("available").GetInt32());
        Assert.Equal((10, 0), await tenant.StockAsync(plenty.SkuId));
        Assert.Equal((1, 0), await tenant.StockAsync(scarce.SkuId));
        Assert.Equal(0, await tenant.CountAsync("orders"));
        Assert.Equal(0, await tenant.CountAsync("inventory_reservations"));

        // the stock that was not reserved is really there
        var ok = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((plenty.SkuId, 10), (scarce.SkuId, 1)));
        Assert.Equal(HttpStatusCode.Created, ok.Status);
        Assert.Equal((10, 10), await tenant.StockAsync(plenty.SkuId));
    }

    [Fact]
    public async Task The_same_sku_on_two_lines_is_checked_against_stock_in_total()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 3);

        var answer = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 2), (sku.SkuId, 2)));

        answer.AssertError(HttpStatusCode.Conflict, "insufficient_stock");
        Assert.Equal((3, 0), await tenant.StockAsync(sku.SkuId));
        Assert.Equal(0, await tenant.CountAsync("orders"));
    }

    [Fact]
    public async Task An_untracked_sku_never_blocks_an_order()
    {
        var tenant = await app.CreateTenantAsync();
        var service = await tenant.SeedSkuAsync(unitPrice: 1.50m, trackInventory: false);
        var tracked = await tenant.SeedSkuAsync(stock: 5);

        var big = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((service.SkuId, 1000)));
        var again = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((service.SkuId, 1000), (tracked.SkuId, 5)));

        Assert.Equal(HttpStatusCode.Created, big.Status);
        Assert.Equal("1500.00", big.Body.GetProperty("total").GetRawText());
        Assert.Equal(HttpStatusCode.Created, again.Status);
        Assert.Equal((5, 5), await tenant.StockAsync(tracked.SkuId));
        Assert.Equal(2, await tenant.CountAsync("orders"));
    }

    [Fact]
    public async Task Lines_are_stored_with_the_keys_of_earlier_versions_and_lines_stored_by_them_read_back()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(unitPrice: 2.50m, stock: 10);
        var created = await tenant.PlaceAsync(Http.Order((sku.SkuId, 2)));
        var orderId = created.Str("id");

        var keys = await app.Database.ScalarAsync<string>(
            "SELECT string_agg(k, ',' ORDER BY k) FROM orders, jsonb_object_keys(lines -> 0) AS k WHERE tenant_id = $1 AND id = $2", tenant.Id, orderId);
        Assert.Equal("Id,LineTotal,Position,ProductId,ProductName,Quantity,SkuCode,SkuId,UnitPrice", keys);

        // A row as the JSON-owned mapping of earlier versions wrote it (keys in jsonb's order, two lines).
        await app.Database.ExecuteAsync("""
            UPDATE orders SET lines = '[{"Id": "oli_old1", "SkuId": "sku_old1", "SkuCode": "OLD-1", "Position": 0, "Quantity": 1, "LineTotal": 10.00,
              "ProductId": "prod_old1", "UnitPrice": 10.00, "ProductName": "Old 1"}, {"Id": "oli_old2", "SkuId": "sku_old2", "SkuCode": "OLD-2",
              "Position": 1, "Quantity": 2, "LineTotal": 20.00, "ProductId": "prod_old2", "UnitPrice": 10.00, "ProductName": "Old 2"}]'
            WHERE tenant_id = $1 AND id = $2
            """, tenant.Id, orderId);
        var items = (await tenant.Client.GetJsonAsync($"/v1/orders/{orderId}")).Body.GetProperty("items");

        Assert.Equal(["oli_old1", "oli_old2"], items.EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.Equal("OLD-2", items[1].GetProperty("sku_code").GetString());
        Assert.Equal("Old 2", items[1].GetProperty("product_name").GetString());
        Assert.Equal(2, items[1].GetProperty("quantity").GetInt32());
        Assert.Equal(20.00m, items[1].GetProperty("line_total").GetDecimal());
    }

    // ---------------------------------------------------------------- helpers

    private static async Task<List<string>> CreateOrdersAsync(TestTenant tenant, int count)
    {
        var sku = await tenant.SeedSkuAsync(stock: count + 10);
        var ids = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var answer = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)));
            Assert.Equal(HttpStatusCode.Created, answer.Status);
            ids.Add(answer.Str("id"));
        }

        return ids;
    }

    private static void AssertPage(ApiResponse list, int page, int perPage, int total, bool hasMore, string[] expectedIds)
    {
        Assert.True(list.Status == HttpStatusCode.OK, $"{(int)list.Status}: {list.Body}");
        Assert.Equal(page, list.Body.GetProperty("page").GetInt32());
        Assert.Equal(perPage, list.Body.GetProperty("per_page").GetInt32());
        Assert.Equal(total, list.Body.GetProperty("total").GetInt32());
        Assert.True(list.Body.GetProperty("total_exact").GetBoolean());
        Assert.Equal(hasMore, list.Body.GetProperty("has_more").GetBoolean());
        Assert.Equal(expectedIds, Ids(list));
    }

    private static string[] Ids(ApiResponse list) =>
        list.Body.GetProperty("data").EnumerateArray().Select(o => o.GetProperty("id").GetString()!).ToArray();

    private static string Usd(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);
}
