using System.Net;
using System.Text.Json;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Orders;

/// <summary>GET /v1/orders/lookup by merchant_reference_id, and the filters and cursor of GET /v1/orders.</summary>
public sealed class OrderLookupTests(AppFixture app)
{
    // ---------------------------------------------------------------- GET /v1/orders/lookup

    [Fact]
    public async Task Lookup_answers_the_latest_order_with_the_reference()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 20);
        var withReference = new List<string>();
        foreach (var reference in new[] { "cart:42", "cart:41", "cart:42", "lead-7.a_b", "cart:42", "cart:43" })
        {
            var created = await tenant.PlaceAsync(new { merchant_reference_id = reference, items = new[] { new { sku_id = sku.SkuId, quantity = 1 } } });
            if (reference == "cart:42")
            {
                withReference.Add(created.Str("id"));
            }
        }

        var hit = await tenant.Client.GetJsonAsync("/v1/orders/lookup?merchant_reference_id=cart:42");
        var other = await tenant.Client.GetJsonAsync("/v1/orders/lookup?merchant_reference_id=lead-7.a_b");

        Assert.True(hit.Status == HttpStatusCode.OK, hit.Body.ToString());
        Assert.Equal("cart:42", hit.Str("merchant_reference_id"));
        Assert.Equal(JsonValueKind.Null, hit.Body.GetProperty("checkout_session").ValueKind);
        var order = hit.Body.GetProperty("order");
        Assert.Equal(withReference[^1], order.GetProperty("id").GetString());
        Assert.Equal("cart:42", order.GetProperty("merchant_reference_id").GetString());
        Assert.Equal("OC-000005", order.GetProperty("order_number").GetString());
        var fetched = await tenant.GetOrderAsync(withReference[^1]);
        Assert.True(JsonElement.DeepEquals(fetched.Body, order), $"lookup {hit.Body}\nGET {fetched.Body}");
        Assert.Equal(HttpStatusCode.OK, other.Status);
        Assert.Equal("lead-7.a_b", other.Str("merchant_reference_id"));
    }

    [Fact]
    public async Task Lookup_finds_orders_in_any_status_and_shows_the_current_one()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 20);
        var id = (await tenant.PlaceAsync(new { merchant_reference_id = "lead:1", items = new[] { new { sku_id = sku.SkuId, quantity = 1 } } })).Str("id");
        await tenant.MoveOkAsync(id, "cancel", "cancelled");

        var hit = await tenant.Client.GetJsonAsync("/v1/orders/lookup?merchant_reference_id=lead:1");

        Assert.Equal(HttpStatusCode.OK, hit.Status);
        Assert.Equal(id, hit.Body.GetProperty("order").GetProperty("id").GetString());
        Assert.Equal("cancelled", hit.Body.GetProperty("order").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Lookup_of_an_unknown_reference_answers_404_not_found()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 20);
        await tenant.PlaceAsync(new { merchant_reference_id = "cart-1", items = new[] { new { sku_id = sku.SkuId, quantity = 1 } } });

        var miss = await tenant.Client.GetJsonAsync("/v1/orders/lookup?merchant_reference_id=cart-2");
        var prefix = await tenant.Client.GetJsonAsync("/v1/orders/lookup?merchant_reference_id=cart");
        var otherCase = await tenant.Client.GetJsonAsync("/v1/orders/lookup?merchant_reference_id=CART-1");

        miss.AssertError(HttpStatusCode.NotFound, "not_found");
        Assert.Contains("cart-2", miss.Str("message"), StringComparison.Ordinal);
        prefix.AssertError(HttpStatusCode.NotFound, "not_found");
        otherCase.AssertError(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Lookup_never_finds_another_tenants_order()
    {
        var owner = await app.CreateTenantAsync();
        var stranger = await app.CreateTenantAsync();
        var sku = await owner.SeedSkuAsync(stock: 5);
        await owner.PlaceAsync(new { merchant_reference_id = "shared-ref", items = new[] { new { sku_id = sku.SkuId, quantity = 1 } } });

        var theirs = await stranger.Client.GetJsonAsync("/v1/orders/lookup?merchant_reference_id=shared-ref");
        var mine = await owner.Client.GetJsonAsync("/v1/orders/lookup?merchant_reference_id=shared-ref");

        theirs.AssertError(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(HttpStatusCode.OK, mine.Status);
    }

    public static TheoryData<string> MalformedReferences =>
        ["has space", "semi;colon", "slash/here", "percent%", "star*", "ümlaut", "", new string('a', 129)];

    [Theory]
    [MemberData(nameof(MalformedReferences))]
    public async Task Lookup_with_a_malformed_reference_answers_400_validation_failed(string reference)
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await tenant.Client.GetJsonAsync($"/v1/orders/lookup?merchant_reference_id={Uri.EscapeDataString(reference)}");

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty("merchant_reference_id", out _), answer.Body.ToString());
    }

    [Fact]
    public async Task Lookup_without_the_parameter_answers_400_validation_failed()
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await tenant.Client.GetJsonAsync("/v1/orders/lookup");
        var otherParameter = await tenant.Client.GetJsonAsync("/v1/orders/lookup?reference=cart-1");

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty("merchant_reference_id", out _), answer.Body.ToString());
        otherParameter.AssertError(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task A_reference_of_exactly_128_characters_is_accepted_and_129_is_rejected_on_create()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 5);
        var longest = string.Concat(Enumerable.Repeat("aZ9._:-", 19))[..128];

        var created = await tenant.PlaceAsync(new { merchant_reference_id = longest, items = new[] { new { sku_id = sku.SkuId, quantity = 1 } } });
        var hit = await tenant.Client.GetJsonAsync($"/v1/orders/lookup?merchant_reference_id={Uri.EscapeDataString(longest)}");
        var tooLong = await tenant.Client.PostJsonAsync("/v1/orders",
            new { merchant_reference_id = longest + "a", items = new[] { new { sku_id = sku.SkuId, quantity = 1 } } });
        var badChars = await tenant.Client.PostJsonAsync("/v1/orders",
            new { merchant_reference_id = "cart 1", items = new[] { new { sku_id = sku.SkuId, quantity = 1 } } });

        Assert.Equal(HttpStatusCode.OK, hit.Status);
        Assert.Equal(created.Str("id"), hit.Body.GetProperty("order").GetProperty("id").GetString());
        tooLong.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(tooLong.Body.GetProperty("errors").TryGetProperty("merchant_reference_id", out _), tooLong.Body.ToString());
        badChars.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(1, await tenant.CountAsync("orders"));
    }

    // ---------------------------------------------------------------- GET /v1/orders: filters

    [Fact]
    public async Task Status_filter_selects_each_status()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 50);
        var byStatus = new Dictionary<string, List<string>> { ["pending"] = [], ["confirmed"] = [], ["fulfilled"] = [], ["cancelled"] = [] };
        foreach (var path in new[] { "", "confirm", "confirm,fulfill", "cancel", "", "confirm,cancel", "confirm", "confirm,fulfill" })
        {
            var id = (await tenant.PlaceAsync(Http.Order((sku.SkuId, 1)))).Str("id");
            var status = "pending";
            foreach (var action in path.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                status = (await tenant.MoveAsync(id, action)).Str("status");
            }

            byStatus[status].Add(id);
        }

        foreach (var (status, ids) in byStatus)
        {
            var list = await tenant.Client.GetJsonAsync($"/v1/orders?status={status}");
            Assert.Equal(HttpStatusCode.OK, list.Status);
            Assert.Equal(ids.AsEnumerable().Reverse(), OrderCalls.Ids(list));
            Assert.Equal(ids.Count, list.Body.GetProperty("total").GetInt32());
            Assert.All(list.Body.GetProperty("data").EnumerateArray(), o => Assert.Equal(status, o.GetProperty("status").GetString()));
        }
    }

    [Fact]
    public async Task Customer_and_status_filters_combine()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 50);
        var ada = (await tenant.Client.PostJsonAsync("/v1/customers", new { email = "ada@example.com" })).Str("id");
        var bob = (await tenant.Client.PostJsonAsync("/v1/customers", new { email = "bob@example.com" })).Str("id");
        var adaCancelled = new List<string>();
        foreach (var (customer, cancel) in new[] { (ada, true), (ada, false), (bob, true), (ada, true), (bob, false) })
        {
            var id = (await tenant.PlaceAsync(new { customer_id = customer, items = new[] { new { sku_id = sku.SkuId, quantity = 1 } } })).Str("id");
            if (cancel)
            {
                await tenant.MoveOkAsync(id, "cancel", "cancelled");
                if (customer == ada)
                {
                    adaCancelled.Add(id);
                }
            }
        }

        var list = await tenant.Client.GetJsonAsync($"/v1/orders?customer_id={ada}&status=cancelled");

        Assert.Equal(adaCancelled.AsEnumerable().Reverse(), OrderCalls.Ids(list));
        Assert.Equal(2, list.Body.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Merchant_reference_filter_is_exact_and_lists_every_order_with_it()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 50);
        var matching = new List<string>();
        foreach (var reference in new[] { "cart-1", "cart-10", "cart-1", "CART-1", null, "cart-1" })
        {
            var id = (await tenant.PlaceAsync(new { merchant_reference_id = reference, items = new[] { new { sku_id = sku.SkuId, quantity = 1 } } })).Str("id");
            if (reference == "cart-1")
            {
                matching.Add(id);
            }
        }

        var list = await tenant.Client.GetJsonAsync("/v1/orders?merchant_reference_id=cart-1");
        var none = await tenant.Client.GetJsonAsync("/v1/orders?merchant_reference_id=cart");

        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.Equal(matching.AsEnumerable().Reverse(), OrderCalls.Ids(list));
        Assert.Equal(3, list.Body.GetProperty("total").GetInt32());
        Assert.Equal(0, none.Body.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Created_after_is_inclusive_and_created_before_exclusive()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 50);
        var at = new Dictionary<int, string>();
        foreach (var hour in new[] { 10, 11, 12, 13 })
        {
            var id = (await tenant.PlaceAsync(Http.Order((sku.SkuId, 1)))).Str("id");
            // test set-up: give each order a known creation time
            await app.Database.ExecuteAsync("UPDATE orders SET created_at = $1 WHERE tenant_id = $2 AND id = $3",
                new DateTimeOffset(2026, 1, 15, hour, 0, 0, TimeSpan.Zero), tenant.Id, id);
            at[hour] = id;
        }

        async Task<string[]> ListAsync(string query)
        {
            var list = await tenant.Client.GetJsonAsync($"/v1/orders?{query}");
            Assert.True(list.Status == HttpStatusCode.OK, $"{query}: {(int)list.Status} {list.Body}");
            Assert.Equal(OrderCalls.Ids(list).Length, list.Body.GetProperty("total").GetInt32());
            return OrderCalls.Ids(list);
        }

        Assert.Equal([at[13], at[12], at[11]], await ListAsync("created_after=2026-01-15T11:00:00Z"));
        Assert.Equal([at[12], at[11], at[10]], await ListAsync("created_before=2026-01-15T13:00:00Z"));
        Assert.Equal([at[12], at[11]], await ListAsync("created_after=2026-01-15T11:00:00Z&created_before=2026-01-15T13:00:00Z"));
        Assert.Equal([at[13], at[12]], await ListAsync("created_after=2026-01-15T11:00:01Z"));
        Assert.Equal([at[13], at[12], at[11]], await ListAsync($"created_after={Uri.EscapeDataString("2026-01-15T13:00:00+02:00")}"));
        Assert.Equal([at[10]], await ListAsync($"created_before={Uri.EscapeDataString("2026-01-15T05:30:00-05:00")}"));
        Assert.Empty(await ListAsync("created_after=2026-01-15T13:00:01Z"));
        Assert.Equal([at[11]], await ListAsync($"created_after=2026-01-15T11:00:00Z&created_before=2026-01-15T12:00:00Z&status=pending"));
    }

    [Theory]
    [InlineData("created_after", "yesterday")]
    [InlineData("created_after", "2026-01-15")]
    [InlineData("created_after", "2026-01-15T11:00:00")]
    [InlineData("created_before", "2026-13-40T11:00:00Z")]
    [InlineData("created_before", "")]
    public async Task An_invalid_created_filter_answers_400_validation_failed_naming_it(string field, string value)
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await tenant.Client.GetJsonAsync($"/v1/orders?{field}={Uri.EscapeDataString(value)}");

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty(field, out _), answer.Body.ToString());
    }

    [Fact]
    public async Task Starting_after_walks_a_filtered_list_across_several_pages_without_gaps_or_duplicates()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 50);
        var cancelled = new List<string>();
        for (var i = 0; i < 14; i++)
        {
            var id = (await tenant.PlaceAsync(Http.Order((sku.SkuId, 1)))).Str("id");
            if (i % 3 != 0)
            {
                await tenant.MoveOkAsync(id, "cancel", "cancelled");
                cancelled.Add(id);
            }
        }

        var expected = cancelled.AsEnumerable().Reverse().ToList();
        Assert.Equal(9, expected.Count);

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        while (true)
        {
            var list = await tenant.Client.GetJsonAsync($"/v1/orders?status=cancelled&per_page=4{(cursor is null ? "" : $"&starting_after={cursor}")}");
            Assert.True(list.Status == HttpStatusCode.OK, list.Body.ToString());
            Assert.Equal(9, list.Body.GetProperty("total").GetInt32());
            Assert.Equal(4, list.Body.GetProperty("per_page").GetInt32());
            var ids = OrderCalls.Ids(list);
            Assert.All(list.Body.GetProperty("data").EnumerateArray(), o => Assert.Equal("cancelled", o.GetProperty("status").GetString()));
            seen.AddRange(ids);
            pages++;
            Assert.True(pages <= 5, "starting_after does not terminate");
            if (!list.Body.GetProperty("has_more").GetBoolean())
            {
                break;
            }

            cursor = ids[^1];
        }

        Assert.Equal(3, pages);
        Assert.Equal(expected, seen);

        // a cursor from the middle continues right after it
        var fromMiddle = await tenant.Client.GetJsonAsync($"/v1/orders?status=cancelled&per_page=100&starting_after={expected[4]}");
        Assert.Equal(expected[5..], OrderCalls.Ids(fromMiddle));
        Assert.False(fromMiddle.Body.GetProperty("has_more").GetBoolean());
    }
}
