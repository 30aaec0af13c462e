using System.Net;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Pricing;

/// <summary><c>GET /v1/prices/resolve</c> over real lists and prices, and order creation deciding the same way.</summary>
public sealed class ResolvePriceTests(AppFixture app)
{
    private static Task<ApiResponse> ResolveAsync(TestTenant tenant, string skuId, string? customerId = null, int? quantity = null,
        string? currency = null)
    {
        var query = $"sku_id={skuId}" + (customerId is null ? "" : $"&customer_id={customerId}") + (quantity is null ? "" : $"&quantity={quantity}")
            + (currency is null ? "" : $"&currency={currency}");
        return tenant.Client.GetJsonAsync($"/v1/prices/resolve?{query}");
    }

    private static void AssertWinner(ApiResponse answer, string priceId, decimal amount)
    {
        Assert.True(answer.Status == HttpStatusCode.OK, answer.Body.ToString());
        Assert.Equal(priceId, answer.Str("price_id"));
        Assert.Equal(amount, answer.Body.GetProperty("unit_amount").GetDecimal());
    }

    [Fact]
    public async Task A_single_general_price_is_answered_with_its_list_and_reason()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.CreateSkuAsync();
        var listId = await tenant.ListAsync(code: "RETAIL");
        var priceId = await tenant.PriceAsync(sku.Id, listId, 49m);

        var answer = await ResolveAsync(tenant, sku.Id);
        var byCode = await tenant.Client.GetJsonAsync($"/v1/prices/resolve?sku_code={sku.Code}&currency=usd&quantity=1");

        AssertWinner(answer, priceId, 49m);
        Assert.Equal("49.00", answer.Body.GetProperty("unit_amount").GetRawText());
        Assert.Equal(listId, answer.Str("price_list_id"));
        Assert.Equal("RETAIL", answer.Str("price_list_code"));
        Assert.Equal(sku.Id, answer.Str("sku_id"));
        Assert.Equal(sku.Code, answer.Str("sku_code"));
        Assert.Equal("USD", answer.Str("currency"));
        Assert.Equal(1, answer.Body.GetProperty("quantity").GetInt32());
        Assert.Equal(1, answer.Body.GetProperty("min_quantity").GetInt32());
        Assert.Equal(1, answer.Body.GetProperty("candidates_considered").GetInt32());
        Assert.Equal(1, answer.Body.GetProperty("candidates_applicable").GetInt32());
        Assert.Contains("general list RETAIL", answer.Str("reason"), StringComparison.Ordinal);
        Assert.Contains("only price", answer.Str("reason"), StringComparison.Ordinal);
        AssertWinner(byCode, priceId, 49m);
    }

    [Fact]
    public async Task A_customer_list_beats_a_general_one_even_at_lower_priority_and_higher_amount()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.CreateSkuAsync();
        var alice = await tenant.SeedCustomerAsync();
        var bob = await tenant.SeedCustomerAsync();
        var general = await tenant.PriceAsync(sku.Id, await tenant.ListAsync(code: "GEN", priority: 100), 5m);
        var forAlice = await tenant.PriceAsync(sku.Id, await tenant.ListAsync(code: "ALICE", priority: 0, customerId: alice), 9m);

        var asAlice = await ResolveAsync(tenant, sku.Id, alice);
        var asBob = await ResolveAsync(tenant, sku.Id, bob);
        var anonymous = await ResolveAsync(tenant, sku.Id);

        AssertWinner(asAlice, forAlice, 9m);
        Assert.Equal("ALICE", asAlice.Str("price_list_code"));
        Assert.Equal(alice, asAlice.Str("customer_id"));
        Assert.Contains("customer-specific list beats a general one", asAlice.Str("reason"), StringComparison.Ordinal);
        Assert.Equal(2, asAlice.Body.GetProperty("candidates_applicable").GetInt32());
        AssertWinner(asBob, general, 5m);
        Assert.Equal(1, asBob.Body.GetProperty("candidates_considered").GetInt32());
        AssertWinner(anonymous, general, 5m);
    }

    [Fact]
    public async Task The_higher_list_priority_wins_among_general_lists()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.CreateSkuAsync();
        await tenant.PriceAsync(sku.Id, await tenant.ListAsync(code: "LOW", priority: 1), 10m);
        var high = await tenant.PriceAsync(sku.Id, await tenant.ListAsync(code: "HIGH", priority: 5), 12m);
        await tenant.PriceAsync(sku.Id, await tenant.ListAsync(code: "NEG", priority: -3), 1m);

        var answer = await ResolveAsync(tenant, sku.Id);

        AssertWinner(answer, high, 12m);
        Assert.Contains("higher list priority (5 over 1 of LOW)", answer.Str("reason"), StringComparison.Ordinal);
        Assert.Equal(3, answer.Body.GetProperty("candidates_applicable").GetInt32());
    }

    [Theory]
    [InlineData(1, "t1", 10.00)]
    [InlineData(9, "t1", 10.00)]
    [InlineData(10, "t10", 8.00)]
    [InlineData(49, "t10", 8.00)]
    [InlineData(50, "t50", 6.00)]
    [InlineData(1000, "t50", 6.00)]
    public async Task The_highest_tier_the_quantity_reaches_wins(int quantity, string tier, decimal amount)
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.CreateSkuAsync();
        var listId = await tenant.ListAsync();
        var tiers = new Dictionary<string, string>
        {
            ["t10"] = await tenant.PriceAsync(sku.Id, listId, 8m, minQuantity: 10),
            ["t1"] = await tenant.PriceAsync(sku.Id, listId, 10m),
            ["t50"] = await tenant.PriceAsync(sku.Id, listId, 6m, minQuantity: 50),
        };

        var answer = await ResolveAsync(tenant, sku.Id, quantity: quantity);

        AssertWinner(answer, tiers[tier], amount);
        Assert.Equal(quantity, answer.Body.GetProperty("quantity").GetInt32());
        if (tier != "t1")
        {
            Assert.Contains("higher tier reached", answer.Str("reason"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Only_lists_and_prices_whose_window_contains_now_apply()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.CreateSkuAsync();
        var now = PricingSetup.Now();
        var fallback = await tenant.PriceAsync(sku.Id, await tenant.ListAsync(code: "BASE"), 10m);
        var expiredList = await tenant.ListAsync(code: "EXPIRED", priority: 9, validFrom: now.AddDays(-2), validTo: now.AddMinutes(-1));
        var futureList = await tenant.ListAsync(code: "FUTURE", priority: 8, validFrom: now.AddHours(1));
        var currentList = await tenant.ListAsync(code: "CURRENT", priority: 5, validFrom: now.AddHours(-1), validTo: now.AddHours(1));
        var current = await tenant.PriceAsync(sku.Id, currentList, 7m, validFrom: now.AddMinutes(-5), validTo: now.AddMinutes(30));
        // each of these would beat the current price if its window were ignored: a higher list priority, or a newer id
        await tenant.PriceAsync(sku.Id, expiredList, 1m);
        var futureListPrice = await tenant.PriceAsync(sku.Id, futureList, 2m);
        await tenant.PriceAsync(sku.Id, currentList, 3m, validFrom: now.AddDays(-1), validTo: now.AddMinutes(-1));
        await tenant.PriceAsync(sku.Id, currentList, 4m, validFrom: now.AddMinutes(30));

        var answer = await ResolveAsync(tenant, sku.Id);

        AssertWinner(answer, current, 7m);
        Assert.Equal(6, answer.Body.GetProperty("candidates_considered").GetInt32());
        Assert.Equal(2, answer.Body.GetProperty("candidates_applicable").GetInt32());

        // closing the current price's window hands the SKU to the base list
        var closed = await tenant.Client.PatchAsync($"/v1/prices/{current}", new { valid_to = PricingSetup.Iso(now.AddMinutes(-1)) });
        Assert.Equal(HttpStatusCode.OK, closed.Status);
        AssertWinner(await ResolveAsync(tenant, sku.Id), fallback, 10m);

        // opening the future list now makes it the winner (priority 8 over 0)
        var opened = await tenant.Client.PatchAsync($"/v1/price-lists/{futureList}", new { valid_from = PricingSetup.Iso(now.AddMinutes(-1)) });
        Assert.Equal(HttpStatusCode.OK, opened.Status);
        AssertWinner(await ResolveAsync(tenant, sku.Id), futureListPrice, 2m);
    }

    [Fact]
    public async Task Deactivating_the_winning_list_or_price_hands_over_to_the_next()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.CreateSkuAsync();
        var baseline = await tenant.PriceAsync(sku.Id, await tenant.ListAsync(code: "BASE"), 10m);
        var promoList = await tenant.ListAsync(code: "PROMO", priority: 5);
        var promo = await tenant.PriceAsync(sku.Id, promoList, 8m);
        var special = await tenant.PriceAsync(sku.Id, await tenant.ListAsync(code: "SPECIAL", priority: 7), 7m);

        AssertWinner(await ResolveAsync(tenant, sku.Id), special, 7m);
        await tenant.Client.PatchAsync($"/v1/prices/{special}", new { active = false });
        AssertWinner(await ResolveAsync(tenant, sku.Id), promo, 8m);
        await tenant.Client.PatchAsync($"/v1/price-lists/{promoList}", new { active = false });
        AssertWinner(await ResolveAsync(tenant, sku.Id), baseline, 10m);
    }

    [Fact]
    public async Task When_no_price_applies_the_answer_is_422_price_not_found()
    {
        var tenant = await app.CreateTenantAsync();
        var unpriced = await tenant.CreateSkuAsync();
        var sku = await tenant.CreateSkuAsync();
        var alice = await tenant.SeedCustomerAsync();
        await tenant.PriceAsync(sku.Id, await tenant.ListAsync(currency: "EUR"), 9m);
        await tenant.PriceAsync(sku.Id, await tenant.ListAsync(), 5m, minQuantity: 10);
        await tenant.PriceAsync(sku.Id, await tenant.ListAsync(customerId: alice), 5m);

        var none = await ResolveAsync(tenant, unpriced.Id);
        var inUsdBelowTheTier = await ResolveAsync(tenant, sku.Id, quantity: 9);
        var inGbp = await ResolveAsync(tenant, sku.Id, quantity: 10, currency: "GBP");

        none.AssertError(HttpStatusCode.UnprocessableEntity, "price_not_found");
        Assert.Equal(unpriced.Id, none.Str("sku_id"));
        Assert.Contains(unpriced.Code, none.Str("message"), StringComparison.Ordinal);
        inUsdBelowTheTier.AssertError(HttpStatusCode.UnprocessableEntity, "price_not_found");
        Assert.Contains("USD", inUsdBelowTheTier.Str("message"), StringComparison.Ordinal);
        inGbp.AssertError(HttpStatusCode.UnprocessableEntity, "price_not_found");
        Assert.Equal("GBP", inGbp.Str("currency"));

        // the same SKU resolves where a price applies: the 422s were about quantity and currency
        Assert.Equal(HttpStatusCode.OK, (await ResolveAsync(tenant, sku.Id, quantity: 10)).Status);
        Assert.Equal(HttpStatusCode.OK, (await ResolveAsync(tenant, sku.Id, alice, currency: "EUR")).Status);
        Assert.Equal(HttpStatusCode.OK, (await ResolveAsync(tenant, sku.Id, alice)).Status);
    }

    [Fact]
    public async Task Unknown_or_foreign_skus_and_customers_answer_404()
    {
        var tenant = await app.CreateTenantAsync();
        var other = await app.CreateTenantAsync();
        var sku = await tenant.CreateSkuAsync();
        await tenant.PriceAsync(sku.Id, await tenant.ListAsync(), 5m);
        var foreignSku = await other.CreateSkuAsync();
        await other.PriceAsync(foreignSku.Id, await other.ListAsync(), 5m);
        var foreignCustomer = await other.SeedCustomerAsync();

        var unknownId = await ResolveAsync(tenant, "sku_unknown");
        var foreignId = await ResolveAsync(tenant, foreignSku.Id);
        var foreignCode = await tenant.Client.GetJsonAsync($"/v1/prices/resolve?sku_code={foreignSku.Code}");
        var unknownCustomer = await ResolveAsync(tenant, sku.Id, "cust_unknown");
        var otherCustomer = await ResolveAsync(tenant, sku.Id, foreignCustomer);

        unknownId.AssertError(HttpStatusCode.NotFound, "sku_not_found");
        Assert.Equal("sku_unknown", unknownId.Str("sku_id"));
        foreignId.AssertError(HttpStatusCode.NotFound, "sku_not_found");
        foreignCode.AssertError(HttpStatusCode.NotFound, "sku_not_found");
        unknownCustomer.AssertError(HttpStatusCode.NotFound, "customer_not_found");
        otherCustomer.AssertError(HttpStatusCode.NotFound, "customer_not_found");
    }

    [Theory]
    [InlineData("", "sku_id")]
    [InlineData("sku_id=sku_a&sku_code=A", "sku_id")]
    [InlineData("sku_id=sku_a&quantity=0", "quantity")]
    [InlineData("sku_id=sku_a&quantity=1000001", "quantity")]
    [InlineData("sku_id=sku_a&currency=US", "currency")]
    public async Task Bad_parameters_answer_400_naming_them(string query, string field)
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await tenant.Client.GetJsonAsync($"/v1/prices/resolve?{query}");

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal([field], answer.Fields());
    }

    [Fact]
    public async Task Order_creation_and_preview_use_the_same_winner_as_resolve()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(unitPrice: 10.00m, stock: 1000);
        var alice = await tenant.SeedCustomerAsync();
        var bob = await tenant.SeedCustomerAsync();
        var now = PricingSetup.Now();
        var promo = await tenant.ListAsync(code: "PROMO", priority: 5, validFrom: now.AddHours(-1), validTo: now.AddHours(1));
        await tenant.PriceAsync(sku.SkuId, promo, 9.25m, minQuantity: 3);
        await tenant.PriceAsync(sku.SkuId, promo, 8.10m, minQuantity: 20);
        await tenant.PriceAsync(sku.SkuId, await tenant.ListAsync(code: "EXPIRED", priority: 50, validTo: now.AddMinutes(-1)), 1m);
        var aliceList = await tenant.ListAsync(code: "ALICE", customerId: alice);
        await tenant.PriceAsync(sku.SkuId, aliceList, 9.99m);
        await tenant.PriceAsync(sku.SkuId, aliceList, 7.77m, minQuantity: 20);

        var seen = new HashSet<string>();
        foreach (var (customer, quantity) in new[] { ((string?)null, 1), (null, 3), (null, 25), (alice, 1), (alice, 25), (bob, 20) })
        {
            var resolved = await ResolveAsync(tenant, sku.SkuId, customer, quantity);
            var body = new { customer_id = customer, items = new[] { new { sku_id = sku.SkuId, quantity } } };
            var preview = await tenant.Client.PostJsonAsync("/v1/orders/preview", body);
            var order = await tenant.Client.PostJsonAsync("/v1/orders", body);

            Assert.Equal(HttpStatusCode.OK, resolved.Status);
            Assert.Equal(HttpStatusCode.Created, order.Status);
            var line = order.Body.GetProperty("items")[0];
            var previewLine = preview.Body.GetProperty("items")[0];
            Assert.Equal(resolved.Body.GetProperty("unit_amount").GetRawText(), line.GetProperty("unit_price").GetRawText());
            Assert.Equal(resolved.Str("price_id"), previewLine.GetProperty("price_id").GetString());
            Assert.Equal(resolved.Str("price_list_code"), previewLine.GetProperty("price_list_code").GetString());
            Assert.Equal(line.GetProperty("unit_price").GetRawText(), previewLine.GetProperty("unit_price").GetRawText());
            seen.Add(resolved.Str("price_id"));
        }

        // the scenarios exercised five different winners, not one price over and over
        Assert.Equal(5, seen.Count);
    }
}
