using System.Net;
using System.Text.Json;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Pricing;

/// <summary><c>/v1/price-lists</c>: create, read, list, patch, validation and tenancy.</summary>
public sealed class PriceListTests(AppFixture app)
{
    [Fact]
    public async Task Create_applies_the_defaults_and_get_returns_the_same_list()
    {
        var tenant = await app.CreateTenantAsync();

        var created = await tenant.Client.PostJsonAsync("/v1/price-lists", new { code = "RETAIL", name = "Retail" });
        var fetched = await tenant.Client.GetJsonAsync($"/v1/price-lists/{created.Str("id")}");

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.StartsWith("pl_", created.Str("id"));
        Assert.Equal($"/v1/price-lists/{created.Str("id")}", created.Message.Headers.Location?.OriginalString);
        Assert.Equal("RETAIL", created.Str("code"));
        Assert.Equal("Retail", created.Str("name"));
        Assert.Equal("USD", created.Str("currency"));
        Assert.Equal(0, created.Body.GetProperty("priority").GetInt32());
        Assert.True(created.Body.GetProperty("active").GetBoolean());
        foreach (var optional in new[] { "customer_id", "valid_from", "valid_to" })
        {
            Assert.Equal(JsonValueKind.Null, created.Body.GetProperty(optional).ValueKind);
        }

        Assert.EndsWith("Z", created.Str("created_at"));
        Assert.Equal(HttpStatusCode.OK, fetched.Status);
        Assert.Equal(created.Body.GetRawText(), fetched.Body.GetRawText());
    }

    [Fact]
    public async Task Create_keeps_every_field_given()
    {
        var tenant = await app.CreateTenantAsync();
        var customerId = await tenant.SeedCustomerAsync();

        var created = await tenant.Client.PostJsonAsync("/v1/price-lists", new
        {
            code = "VIP-EUR",
            name = "VIP in euros",
            currency = "eur",
            priority = 7,
            customer_id = customerId,
            valid_from = "2030-01-01T00:00:00Z",
            valid_to = "2030-02-01T10:30:00+02:00",
            active = false,
        });

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("EUR", created.Str("currency"));
        Assert.Equal(7, created.Body.GetProperty("priority").GetInt32());
        Assert.Equal(customerId, created.Str("customer_id"));
        Assert.Equal("2030-01-01T00:00:00Z", created.Str("valid_from"));
        Assert.Equal("2030-02-01T08:30:00Z", created.Str("valid_to"));
        Assert.False(created.Body.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task A_code_is_unique_within_the_tenant_but_not_across_tenants()
    {
        var tenant = await app.CreateTenantAsync();
        var other = await app.CreateTenantAsync();

        await tenant.CreateListAsync(new { code = "WHOLESALE", name = "Wholesale" });
        var again = await tenant.Client.PostJsonAsync("/v1/price-lists", new { code = "WHOLESALE", name = "Another" });
        var elsewhere = await other.Client.PostJsonAsync("/v1/price-lists", new { code = "WHOLESALE", name = "Theirs" });

        again.AssertError(HttpStatusCode.Conflict, "price_list_code_taken");
        Assert.Equal("WHOLESALE", again.Str("code"));
        Assert.Equal(1, await tenant.CountAsync("price_lists"));
        Assert.Equal(HttpStatusCode.Created, elsewhere.Status);
    }

    [Theory]
    [InlineData("""{"name":"No code"}""", "code")]
    [InlineData("""{"code":"NO-NAME"}""", "name")]
    [InlineData("""{"code":"","name":"Empty code"}""", "code")]
    [InlineData("""{"code":"has space","name":"x"}""", "code")]
    [InlineData("""{"code":"L","name":"x","currency":"EURO"}""", "currency")]
    [InlineData("""{"code":"L","name":"x","currency":"12"}""", "currency")]
    [InlineData("""{"code":"L","name":"x","valid_from":"2030-01-02T00:00:00Z","valid_to":"2030-01-01T00:00:00Z"}""", "valid_to")]
    [InlineData("""{"code":"L","name":"x","valid_from":"2030-01-01T00:00:00Z","valid_to":"2030-01-01T00:00:00Z"}""", "valid_to")]
    [InlineData("""{"code":"L","name":"x","priority":"high"}""", "priority")]
    [InlineData("""{"code":"L","name":"x","active":"yes"}""", "active")]
    [InlineData("""{"code":"L","name":"x","valid_from":"tomorrow"}""", "valid_from")]
    [InlineData("""{"code":"L","name":"x","valid_from":"2030-01-01T00:00:00"}""", "valid_from")]
    public async Task Invalid_bodies_answer_400_naming_the_field(string body, string field)
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/price-lists", body);

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Contains(field, answer.Fields());
        Assert.Equal(0, await tenant.CountAsync("price_lists"));
    }

    [Theory]
    [InlineData("id", "\"pl_chosen\"")]
    [InlineData("tenant_id", "\"ten_other\"")]
    [InlineData("created_at", "\"2020-01-01T00:00:00Z\"")]
    [InlineData("updated_at", "\"2020-01-01T00:00:00Z\"")]
    [InlineData("prices", "[]")]
    public async Task Read_only_and_unknown_fields_are_rejected_on_create_and_patch(string field, string value)
    {
        var tenant = await app.CreateTenantAsync();
        var listId = await tenant.ListAsync(code: "KEEP");

        var create = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/price-lists", $$"""{"code":"NEW","name":"New","{{field}}":{{value}}}""");
        var patch = await tenant.Client.SendAsync(HttpMethod.Patch, $"/v1/price-lists/{listId}", $$"""{"name":"Changed","{{field}}":{{value}}}""");

        create.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal([field], create.Fields());
        patch.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal([field], patch.Fields());
        Assert.Equal(1, await tenant.CountAsync("price_lists"));
        var list = await tenant.Client.GetJsonAsync($"/v1/price-lists/{listId}");
        Assert.Equal("Test list", list.Str("name"));
        Assert.Equal(listId, list.Str("id"));
    }

    [Fact]
    public async Task A_customer_list_needs_a_customer_of_the_tenant()
    {
        var tenant = await app.CreateTenantAsync();
        var other = await app.CreateTenantAsync();
        var customerOfOther = await other.SeedCustomerAsync();

        var unknown = await tenant.Client.PostJsonAsync("/v1/price-lists", new { code = "C1", name = "x", customer_id = "cust_unknown" });
        var foreign = await tenant.Client.PostJsonAsync("/v1/price-lists", new { code = "C2", name = "x", customer_id = customerOfOther });

        unknown.AssertError(HttpStatusCode.NotFound, "customer_not_found");
        Assert.Equal("cust_unknown", unknown.Str("customer_id"));
        foreign.AssertError(HttpStatusCode.NotFound, "customer_not_found");
        Assert.Equal(0, await tenant.CountAsync("price_lists"));
    }

    [Fact]
    public async Task The_list_is_paged_newest_first()
    {
        var tenant = await app.CreateTenantAsync();
        var ids = new List<string>();
        foreach (var code in new[] { "A", "B", "C" })
        {
            ids.Add(await tenant.ListAsync(code: code));
        }

        var first = await tenant.Client.GetJsonAsync("/v1/price-lists?per_page=2");
        var second = await tenant.Client.GetJsonAsync("/v1/price-lists?per_page=2&page=2");
        var after = await tenant.Client.GetJsonAsync($"/v1/price-lists?per_page=2&starting_after={ids[1]}");

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal([ids[2], ids[1]], first.IdsOf());
        Assert.Equal(3, first.Body.GetProperty("total").GetInt32());
        Assert.True(first.Body.GetProperty("has_more").GetBoolean());
        Assert.Equal(2, first.Body.GetProperty("per_page").GetInt32());
        Assert.Equal([ids[0]], second.IdsOf());
        Assert.False(second.Body.GetProperty("has_more").GetBoolean());
        Assert.Equal([ids[0]], after.IdsOf());
    }

    [Fact]
    public async Task Patch_changes_only_the_fields_sent_and_null_clears_optional_ones()
    {
        var tenant = await app.CreateTenantAsync();
        var customerId = await tenant.SeedCustomerAsync();
        var now = PricingSetup.Now();
        var listId = await tenant.ListAsync(code: "SPRING", priority: 3, customerId: customerId, validFrom: now.AddDays(-1), validTo: now.AddDays(30));
        var before = await tenant.Client.GetJsonAsync($"/v1/price-lists/{listId}");

        var renamed = await tenant.Client.PatchAsync($"/v1/price-lists/{listId}", new { name = "Spring sale", priority = 9 });
        var cleared = await tenant.Client.PatchAsync($"/v1/price-lists/{listId}", new { valid_to = (string?)null, customer_id = (string?)null });
        var recoded = await tenant.Client.PatchAsync($"/v1/price-lists/{listId}", new { code = "SPRING-2", active = false });

        Assert.Equal(HttpStatusCode.OK, renamed.Status);
        Assert.Equal("Spring sale", renamed.Str("name"));
        Assert.Equal(9, renamed.Body.GetProperty("priority").GetInt32());
        Assert.Equal("SPRING", renamed.Str("code"));
        Assert.Equal(customerId, renamed.Str("customer_id"));
        Assert.Equal(before.Str("valid_from"), renamed.Str("valid_from"));
        Assert.Equal(before.Str("valid_to"), renamed.Str("valid_to"));
        Assert.Equal(before.Str("created_at"), renamed.Str("created_at"));

        Assert.Equal(HttpStatusCode.OK, cleared.Status);
        Assert.Equal(JsonValueKind.Null, cleared.Body.GetProperty("valid_to").ValueKind);
        Assert.Equal(JsonValueKind.Null, cleared.Body.GetProperty("customer_id").ValueKind);
        Assert.Equal(before.Str("valid_from"), cleared.Str("valid_from"));
        Assert.Equal("Spring sale", cleared.Str("name"));

        Assert.Equal("SPRING-2", recoded.Str("code"));
        Assert.False(recoded.Body.GetProperty("active").GetBoolean());
        var fetched = await tenant.Client.GetJsonAsync($"/v1/price-lists/{listId}");
        Assert.Equal(recoded.Body.GetRawText(), fetched.Body.GetRawText());
    }

    [Theory]
    [InlineData("code")]
    [InlineData("name")]
    [InlineData("currency")]
    [InlineData("priority")]
    [InlineData("active")]
    public async Task Patch_refuses_null_for_a_required_field(string field)
    {
        var tenant = await app.CreateTenantAsync();
        var listId = await tenant.ListAsync(code: "KEEP");

        var answer = await tenant.Client.SendAsync(HttpMethod.Patch, $"/v1/price-lists/{listId}", $$"""{"{{field}}":null}""");

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal([field], answer.Fields());
        Assert.Equal("KEEP", (await tenant.Client.GetJsonAsync($"/v1/price-lists/{listId}")).Str("code"));
    }

    [Fact]
    public async Task Patch_to_a_code_in_use_answers_409()
    {
        var tenant = await app.CreateTenantAsync();
        await tenant.ListAsync(code: "TAKEN");
        var listId = await tenant.ListAsync(code: "MINE");

        var answer = await tenant.Client.PatchAsync($"/v1/price-lists/{listId}", new { code = "TAKEN" });
        var same = await tenant.Client.PatchAsync($"/v1/price-lists/{listId}", new { code = "MINE" });

        answer.AssertError(HttpStatusCode.Conflict, "price_list_code_taken");
        Assert.Equal(HttpStatusCode.OK, same.Status);
        Assert.Equal("MINE", same.Str("code"));
    }

    [Fact]
    public async Task Patch_checks_the_window_it_leaves_behind()
    {
        var tenant = await app.CreateTenantAsync();
        var listId = await tenant.ListAsync(validFrom: new DateTimeOffset(2030, 6, 1, 0, 0, 0, TimeSpan.Zero));

        var before = await tenant.Client.PatchAsync($"/v1/price-lists/{listId}", new { valid_to = "2030-05-01T00:00:00Z" });
        var after = await tenant.Client.PatchAsync($"/v1/price-lists/{listId}", new { valid_to = "2030-07-01T00:00:00Z" });
        var both = await tenant.Client.PatchAsync($"/v1/price-lists/{listId}", new { valid_from = "2030-08-01T00:00:00Z", valid_to = "2030-09-01T00:00:00Z" });

        before.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["valid_to"], before.Fields());
        Assert.Equal(HttpStatusCode.OK, after.Status);
        Assert.Equal("2030-07-01T00:00:00Z", after.Str("valid_to"));
        Assert.Equal(HttpStatusCode.OK, both.Status);
        Assert.Equal("2030-08-01T00:00:00Z", both.Str("valid_from"));
    }

    [Fact]
    public async Task The_currency_can_change_only_while_the_list_has_no_prices()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.CreateSkuAsync();
        var emptyId = await tenant.ListAsync(code: "EMPTY");
        var pricedId = await tenant.ListAsync(code: "PRICED");
        await tenant.PriceAsync(sku.Id, pricedId, 10m);

        var empty = await tenant.Client.PatchAsync($"/v1/price-lists/{emptyId}", new { currency = "eur" });
        var priced = await tenant.Client.PatchAsync($"/v1/price-lists/{pricedId}", new { currency = "EUR", name = "Renamed" });
        var unchanged = await tenant.Client.PatchAsync($"/v1/price-lists/{pricedId}", new { currency = "USD", name = "Renamed" });

        Assert.Equal(HttpStatusCode.OK, empty.Status);
        Assert.Equal("EUR", empty.Str("currency"));
        priced.AssertError(HttpStatusCode.Conflict, "price_list_has_prices");
        Assert.Equal(HttpStatusCode.OK, unchanged.Status);
        Assert.Equal("USD", unchanged.Str("currency"));
        Assert.Equal("Renamed", unchanged.Str("name"));
        var prices = await tenant.Client.GetJsonAsync($"/v1/prices?price_list_id={pricedId}");
        Assert.Equal("USD", prices.Body.GetProperty("data")[0].GetProperty("currency").GetString());
    }

    [Fact]
    public async Task Patch_to_an_unknown_customer_answers_404_customer_not_found()
    {
        var tenant = await app.CreateTenantAsync();
        var other = await app.CreateTenantAsync();
        var customerOfOther = await other.SeedCustomerAsync();
        var listId = await tenant.ListAsync();

        var answer = await tenant.Client.PatchAsync($"/v1/price-lists/{listId}", new { customer_id = customerOfOther });

        answer.AssertError(HttpStatusCode.NotFound, "customer_not_found");
        Assert.Equal(JsonValueKind.Null, (await tenant.Client.GetJsonAsync($"/v1/price-lists/{listId}")).Body.GetProperty("customer_id").ValueKind);
    }

    [Fact]
    public async Task Another_tenants_list_is_404_and_never_listed()
    {
        var owner = await app.CreateTenantAsync();
        var stranger = await app.CreateTenantAsync();
        var listId = await owner.ListAsync(code: "SECRET");

        var get = await stranger.Client.GetJsonAsync($"/v1/price-lists/{listId}");
        var patch = await stranger.Client.PatchAsync($"/v1/price-lists/{listId}", new { name = "Hijacked" });
        var list = await stranger.Client.GetJsonAsync("/v1/price-lists");
        var unknown = await owner.Client.GetJsonAsync("/v1/price-lists/pl_unknown");

        get.AssertError(HttpStatusCode.NotFound, "not_found");
        patch.AssertError(HttpStatusCode.NotFound, "not_found");
        unknown.AssertError(HttpStatusCode.NotFound, "not_found");
        Assert.Empty(list.IdsOf());
        Assert.Equal("Test list", (await owner.Client.GetJsonAsync($"/v1/price-lists/{listId}")).Str("name"));
    }

    [Fact]
    public async Task Create_is_idempotent_with_a_key()
    {
        var tenant = await app.CreateTenantAsync();
        var body = new { code = "ONCE", name = "Once" };

        var first = await tenant.Client.PostJsonAsync("/v1/price-lists", body, "pl-once");
        var replay = await tenant.Client.PostJsonAsync("/v1/price-lists", body, "pl-once");

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(HttpStatusCode.Created, replay.Status);
        Assert.Equal("true", replay.Header("Idempotent-Replayed"));
        Assert.Equal(first.Str("id"), replay.Str("id"));
        Assert.Equal(1, await tenant.CountAsync("price_lists"));
    }
}
