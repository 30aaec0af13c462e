using System.Net;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Pricing;

/// <summary>The filters of <c>GET /v1/prices</c>, each checked against one catalog with a price that each filter must drop.</summary>
public sealed class PriceFilterTests(AppFixture app)
{
    private static readonly string[] All =
        ["a1", "a10", "aVip", "aOther", "aEur", "aFuture", "aOff", "b1", "bExpired", "bLater", "bInactive"];

    private sealed record Catalog(TestTenant Tenant, Dictionary<string, string> Ids, Dictionary<string, string> Names);

    /// <summary>SKUs A and B; lists GEN, VIP (customer C1), OTHER (customer C2), EUR, FUTURE (starts in an hour), OFF (inactive).</summary>
    private async Task<Catalog> CatalogAsync()
    {
        var tenant = await app.CreateTenantAsync();
        var now = PricingSetup.Now();
        var a = await tenant.CreateSkuAsync();
        var b = await tenant.CreateSkuAsync();
        var c1 = await tenant.SeedCustomerAsync();
        var c2 = await tenant.SeedCustomerAsync();
        var gen = await tenant.ListAsync(code: "GEN");
        var vip = await tenant.ListAsync(code: "VIP", customerId: c1);
        var other = await tenant.ListAsync(code: "OTHER", customerId: c2);
        var eur = await tenant.ListAsync(code: "EUR", currency: "EUR");
        var future = await tenant.ListAsync(code: "FUTURE", validFrom: now.AddHours(1));
        var off = await tenant.ListAsync(code: "OFF", active: false);

        var ids = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["A"] = a.Id, ["Acode"] = a.Code, ["B"] = b.Id, ["Bcode"] = b.Code, ["C1"] = c1, ["C2"] = c2, ["GEN"] = gen,
            ["a1"] = await tenant.PriceAsync(a.Id, gen, 10m),
            ["a10"] = await tenant.PriceAsync(a.Id, gen, 8m, minQuantity: 10),
            ["aVip"] = await tenant.PriceAsync(a.Id, vip, 7m),
            ["aOther"] = await tenant.PriceAsync(a.Id, other, 6m),
            ["aEur"] = await tenant.PriceAsync(a.Id, eur, 9m),
            ["aFuture"] = await tenant.PriceAsync(a.Id, future, 5m),
            ["aOff"] = await tenant.PriceAsync(a.Id, off, 4m),
            ["b1"] = await tenant.PriceAsync(b.Id, gen, 20m),
            ["bExpired"] = await tenant.PriceAsync(b.Id, gen, 19m, validFrom: now.AddHours(-2), validTo: now.AddHours(-1)),
            ["bLater"] = await tenant.PriceAsync(b.Id, gen, 18m, validFrom: now.AddHours(1)),
            ["bInactive"] = await tenant.PriceAsync(b.Id, gen, 17m, active: false),
        };
        return new Catalog(tenant, ids, ids.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal));
    }

    public static TheoryData<string, string[]> Filters => new()
    {
        { "", All },
        { "sku_id={A}", ["a1", "a10", "aVip", "aOther", "aEur", "aFuture", "aOff"] },
        { "sku_code={Bcode}", ["b1", "bExpired", "bLater", "bInactive"] },
        { "price_list_code=VIP", ["aVip"] },
        { "price_list_id={GEN}", ["a1", "a10", "b1", "bExpired", "bLater", "bInactive"] },
        { "currency=EUR", ["aEur"] },
        { "currency=eur", ["aEur"] },
        { "currency=GBP", [] },
        { "customer_id={C1}", ["a1", "a10", "aVip", "aEur", "aFuture", "aOff", "b1", "bExpired", "bLater", "bInactive"] },
        { "customer_id=cust_nobody", ["a1", "a10", "aEur", "aFuture", "aOff", "b1", "bExpired", "bLater", "bInactive"] },
        { "quantity=9", ["a1", "aVip", "aOther", "aEur", "aFuture", "aOff", "b1", "bExpired", "bLater", "bInactive"] },
        { "quantity=10", All },
        { "valid_now=true", ["a1", "a10", "aVip", "aOther", "aEur", "aOff", "b1", "bInactive"] },
        { "valid_now=false", All },
        { "active_only=true", ["a1", "a10", "aVip", "aOther", "aEur", "aFuture", "b1", "bExpired", "bLater"] },
        { "active_only=TRUE&valid_now=True", ["a1", "a10", "aVip", "aOther", "aEur", "b1"] },
        { "sku_id={A}&currency=USD&customer_id={C1}&quantity=1&valid_now=true&active_only=true", ["a1", "aVip"] },
        { "sku_code={Acode}&sku_id={B}", [] },
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task Each_filter_keeps_exactly_the_matching_prices(string query, string[] expected)
    {
        var catalog = await CatalogAsync();
        var url = "/v1/prices?per_page=100&" + catalog.Ids.Aggregate(query, (q, id) => q.Replace($"{{{id.Key}}}", id.Value, StringComparison.Ordinal));

        var answer = await catalog.Tenant.Client.GetJsonAsync(url);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(expected.Order(StringComparer.Ordinal), answer.IdsOf().Select(id => catalog.Names[id]).Order(StringComparer.Ordinal));
        Assert.Equal(expected.Length, answer.Body.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Every_price_carries_its_sku_and_list_codes()
    {
        var catalog = await CatalogAsync();

        var answer = await catalog.Tenant.Client.GetJsonAsync($"/v1/prices?price_list_code=VIP");

        var price = Assert.Single(answer.Body.GetProperty("data").EnumerateArray());
        Assert.Equal(catalog.Ids["A"], price.GetProperty("sku_id").GetString());
        Assert.Equal(catalog.Ids["Acode"], price.GetProperty("sku_code").GetString());
        Assert.Equal("VIP", price.GetProperty("price_list_code").GetString());
        Assert.Equal("7.00", price.GetProperty("unit_amount").GetRawText());
    }

    [Fact]
    public async Task Prices_are_paged_newest_first()
    {
        var catalog = await CatalogAsync();
        var b = catalog.Ids;

        var first = await catalog.Tenant.Client.GetJsonAsync($"/v1/prices?sku_id={b["B"]}&per_page=3");
        var next = await catalog.Tenant.Client.GetJsonAsync($"/v1/prices?sku_id={b["B"]}&per_page=3&starting_after={first.IdsOf()[^1]}");

        Assert.Equal([b["bInactive"], b["bLater"], b["bExpired"]], first.IdsOf());
        Assert.True(first.Body.GetProperty("has_more").GetBoolean());
        Assert.Equal(4, first.Body.GetProperty("total").GetInt32());
        Assert.Equal([b["b1"]], next.IdsOf());
        Assert.False(next.Body.GetProperty("has_more").GetBoolean());
    }

    [Theory]
    [InlineData("valid_now=yes", "valid_now")]
    [InlineData("active_only=1", "active_only")]
    [InlineData("currency=EURO", "currency")]
    [InlineData("quantity=0", "quantity")]
    public async Task Bad_filter_values_answer_400_naming_the_parameter(string query, string field)
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await tenant.Client.GetJsonAsync($"/v1/prices?{query}");

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal([field], answer.Fields());
    }
}
