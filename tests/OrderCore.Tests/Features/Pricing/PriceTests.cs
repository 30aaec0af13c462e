using System.Net;
using System.Text.Json;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Pricing;

/// <summary><c>/v1/prices</c>: create, read, patch, delete, validation and tenancy (the list filters are in <see cref="PriceFilterTests"/>).</summary>
public sealed class PriceTests(AppFixture app)
{
    [Fact]
    public async Task Create_by_ids_takes_the_list_currency_and_the_defaults()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.CreateSkuAsync();
        var listId = await tenant.ListAsync(code: "RETAIL");

        var created = await tenant.Client.PostJsonAsync("/v1/prices", new { sku_id = sku.Id, price_list_id = listId, unit_amount = 49 });
        var fetched = await tenant.Client.GetJsonAsync($"/v1/prices/{created.Str("id")}");

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.StartsWith("price_", created.Str("id"));
        Assert.Equal($"/v1/prices/{created.Str("id")}", created.Message.Headers.Location?.OriginalString);
        Assert.Equal(sku.Id, created.Str("sku_id"));
        Assert.Equal(sku.Code, created.Str("sku_code"));
        Assert.Equal(listId, created.Str("price_list_id"));
        Assert.Equal("RETAIL", created.Str("price_list_code"));
        Assert.Equal("USD", created.Str("currency"));
        Assert.Equal("49.00", created.Body.GetProperty("unit_amount").GetRawText());
        Assert.Equal(1, created.Body.GetProperty("min_quantity").GetInt32());
        Assert.True(created.Body.GetProperty("active").GetBoolean());
        Assert.Equal(JsonValueKind.Null, created.Body.GetProperty("valid_from").ValueKind);
        Assert.Equal(JsonValueKind.Null, created.Body.GetProperty("valid_to").ValueKind);
        Assert.Equal(HttpStatusCode.OK, fetched.Status);
        Assert.Equal(created.Body.GetRawText(), fetched.Body.GetRawText());
    }

    [Fact]
    public async Task Create_by_codes_with_every_field_in_a_zero_decimal_currency()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.CreateSkuAsync();
        var listId = await tenant.ListAsync(code: "JP", currency: "JPY");

        var created = await tenant.Client.PostJsonAsync("/v1/prices", new
        {
            sku_code = sku.Code,
            price_list_code = "JP",
            currency = "jpy",
            unit_amount = 1500,
            min_quantity = 12,
            valid_from = "2030-01-01T00:00:00Z",
            valid_to = "2031-01-01T00:00:00Z",
            active = false,
        });

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(sku.Id, created.Str("sku_id"));
        Assert.Equal(listId, created.Str("price_list_id"));
        Assert.Equal("JPY", created.Str("currency"));
        Assert.Equal("1500", created.Body.GetProperty("unit_amount").GetRawText());
        Assert.Equal(12, created.Body.GetProperty("min_quantity").GetInt32());
        Assert.Equal("2030-01-01T00:00:00Z", created.Str("valid_from"));
        Assert.Equal("2031-01-01T00:00:00Z", created.Str("valid_to"));
        Assert.False(created.Body.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task The_currency_must_be_the_lists()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.CreateSkuAsync();
        var listId = await tenant.ListAsync();

        var answer = await tenant.Client.PostJsonAsync("/v1/prices", new { sku_id = sku.Id, price_list_id = listId, currency = "EUR", unit_amount = 5 });

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["currency"], answer.Fields());
        Assert.Contains("USD", answer.Str("message"), StringComparison.Ordinal);
        Assert.Equal(0, await tenant.CountAsync("prices"));
    }

    [Theory]
    [InlineData("USD", "1.005")]
    [InlineData("USD", "0.001")]
    [InlineData("JPY", "10.5")]
    [InlineData("KWD", "1.0001")]
    public async Task An_amount_finer_than_the_currency_allows_is_rejected(string currency, string amount)
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.CreateSkuAsync();
        var listId = await tenant.ListAsync(currency: currency);

        var answer = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/prices",
            $$"""{"sku_id":"{{sku.Id}}","price_list_id":"{{listId}}","unit_amount":{{amount}}}""");

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["unit_amount"], answer.Fields());
        Assert.Equal(0, await tenant.CountAsync("prices"));
    }

    [Theory]
    [InlineData("USD", "12.5", "12.50")]
    [InlineData("KWD", "1.125", "1.125")]
    [InlineData("USD", "0", "0.00")]
    public async Task Amounts_are_written_with_the_currency_scale(string currency, string amount, string written)
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.CreateSkuAsync();
        var listId = await tenant.ListAsync(currency: currency);

        var answer = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/prices",
            $$"""{"sku_id":"{{sku.Id}}","price_list_id":"{{listId}}","unit_amount":{{amount}}}""");

        Assert.Equal(HttpStatusCode.Created, answer.Status);
        Assert.Equal(written, answer.Body.GetProperty("unit_amount").GetRawText());
    }

    [Theory]
    [InlineData("""{"price_list_code":"L","unit_amount":1}""", "sku_id")]
    [InlineData("""{"sku_id":"sku_x","sku_code":"X","price_list_code":"L","unit_amount":1}""", "sku_id")]
    [InlineData("""{"sku_code":"X","unit_amount":1}""", "price_list_id")]
    [InlineData("""{"sku_code":"X","price_list_id":"pl_x","price_list_code":"L","unit_amount":1}""", "price_list_id")]
    [InlineData("""{"sku_code":"X","price_list_code":"L"}""", "unit_amount")]
    [InlineData("""{"sku_code":"X","price_list_code":"L","unit_amount":-0.01}""", "unit_amount")]
    [InlineData("""{"sku_code":"X","price_list_code":"L","unit_amount":"10"}""", "unit_amount")]
    [InlineData("""{"sku_code":"X","price_list_code":"L","unit_amount":1000000000000000}""", "unit_amount")]
    [InlineData("""{"sku_code":"X","price_list_code":"L","unit_amount":1,"min_quantity":0}""", "min_quantity")]
    [InlineData("""{"sku_code":"X","price_list_code":"L","unit_amount":1,"min_quantity":1.5}""", "min_quantity")]
    [InlineData("""{"sku_code":"X","price_list_code":"L","unit_amount":1,"currency":"dollars"}""", "currency")]
    [InlineData("""{"sku_code":"X","price_list_code":"L","unit_amount":1,"valid_from":"2030-01-02T00:00:00Z","valid_to":"2030-01-01T00:00:00Z"}""", "valid_to")]
    [InlineData("""{"sku_code":"X","price_list_code":"L","unit_amount":1,"id":"price_mine"}""", "id")]
    [InlineData("""{"sku_code":"X","price_list_code":"L","unit_amount":1,"tenant_id":"ten_x"}""", "tenant_id")]
    [InlineData("""{"sku_code":"X","price_list_code":"L","unit_amount":1,"created_at":"2020-01-01T00:00:00Z"}""", "created_at")]
    public async Task Invalid_bodies_answer_400_naming_the_field(string body, string field)
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.CreateSkuAsync();
        await tenant.ListAsync(code: "L");

        var answer = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/prices", body.Replace("\"X\"", $"\"{sku.Code}\"", StringComparison.Ordinal));

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Contains(field, answer.Fields());
        Assert.Equal(0, await tenant.CountAsync("prices"));
    }

    [Fact]
    public async Task Unknown_or_foreign_skus_and_lists_answer_404()
    {
        var tenant = await app.CreateTenantAsync();
        var other = await app.CreateTenantAsync();
        var sku = await tenant.CreateSkuAsync();
        var listId = await tenant.ListAsync(code: "MINE");
        var foreignSku = await other.CreateSkuAsync();
        var foreignListId = await other.ListAsync(code: "THEIRS");

        var unknownSkuId = await tenant.Client.PostJsonAsync("/v1/prices", new { sku_id = "sku_unknown", price_list_id = listId, unit_amount = 1 });
        var foreignSkuCode = await tenant.Client.PostJsonAsync("/v1/prices", new { sku_code = foreignSku.Code, price_list_id = listId, unit_amount = 1 });
        var foreignSkuId = await tenant.Client.PostJsonAsync("/v1/prices", new { sku_id = foreignSku.Id, price_list_id = listId, unit_amount = 1 });
        var unknownListCode = await tenant.Client.PostJsonAsync("/v1/prices", new { sku_id = sku.Id, price_list_code = "THEIRS", unit_amount = 1 });
        var foreignList = await tenant.Client.PostJsonAsync("/v1/prices", new { sku_id = sku.Id, price_list_id = foreignListId, unit_amount = 1 });

        unknownSkuId.AssertError(HttpStatusCode.NotFound, "sku_not_found");
        Assert.Equal("sku_unknown", unknownSkuId.Str("sku_id"));
        foreignSkuCode.AssertError(HttpStatusCode.NotFound, "sku_not_found");
        Assert.Equal(foreignSku.Code, foreignSkuCode.Str("sku_code"));
        foreignSkuId.AssertError(HttpStatusCode.NotFound, "sku_not_found");
        unknownListCode.AssertError(HttpStatusCode.NotFound, "price_list_not_found");
        Assert.Equal("THEIRS", unknownListCode.Str("price_list_code"));
        foreignList.AssertError(HttpStatusCode.NotFound, "price_list_not_found");
        Assert.Equal(0, await tenant.CountAsync("prices"));
        Assert.Equal(0, await other.CountAsync("prices"));
    }

    [Fact]
    public async Task Patch_changes_only_the_fields_sent()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.CreateSkuAsync();
        var listId = await tenant.ListAsync();
        var priceId = await tenant.PriceAsync(sku.Id, listId, 10m, minQuantity: 5,
            validFrom: new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), validTo: new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var before = await tenant.Client.GetJsonAsync($"/v1/prices/{priceId}");

        var amount = await tenant.Client.PatchAsync($"/v1/prices/{priceId}", new { unit_amount = 8.5m });
        var tier = await tenant.Client.PatchAsync($"/v1/prices/{priceId}", new { min_quantity = 10, active = false });
        var window = await tenant.Client.PatchAsync($"/v1/prices/{priceId}", new { valid_from = (string?)null, valid_to = "2032-01-01T00:00:00Z" });

        Assert.Equal(HttpStatusCode.OK, amount.Status);
        Assert.Equal("8.50", amount.Body.GetProperty("unit_amount").GetRawText());
        Assert.Equal(5, amount.Body.GetProperty("min_quantity").GetInt32());
        Assert.Equal(before.Str("valid_from"), amount.Str("valid_from"));
        Assert.Equal(before.Str("price_list_code"), amount.Str("price_list_code"));
        Assert.Equal(10, tier.Body.GetProperty("min_quantity").GetInt32());
        Assert.False(tier.Body.GetProperty("active").GetBoolean());
        Assert.Equal("8.50", tier.Body.GetProperty("unit_amount").GetRawText());
        Assert.Equal(JsonValueKind.Null, window.Body.GetProperty("valid_from").ValueKind);
        Assert.Equal("2032-01-01T00:00:00Z", window.Str("valid_to"));
        Assert.Equal(10, window.Body.GetProperty("min_quantity").GetInt32());
        var fetched = await tenant.Client.GetJsonAsync($"/v1/prices/{priceId}");
        Assert.Equal(window.Body.GetRawText(), fetched.Body.GetRawText());
    }

    [Theory]
    [InlineData("""{"unit_amount":null}""", "unit_amount")]
    [InlineData("""{"min_quantity":null}""", "min_quantity")]
    [InlineData("""{"active":null}""", "active")]
    [InlineData("""{"unit_amount":-1}""", "unit_amount")]
    [InlineData("""{"unit_amount":1.999}""", "unit_amount")]
    [InlineData("""{"min_quantity":0}""", "min_quantity")]
    [InlineData("""{"valid_to":"2029-01-01T00:00:00Z"}""", "valid_to")]
    [InlineData("""{"sku_id":"sku_other"}""", "sku_id")]
    [InlineData("""{"price_list_id":"pl_other"}""", "price_list_id")]
    [InlineData("""{"currency":"EUR"}""", "currency")]
    [InlineData("""{"id":"price_other"}""", "id")]
    [InlineData("""{"tenant_id":"ten_other"}""", "tenant_id")]
    [InlineData("""{"created_at":"2020-01-01T00:00:00Z"}""", "created_at")]
    public async Task Patch_rejects_invalid_and_read_only_fields(string body, string field)
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.CreateSkuAsync();
        var listId = await tenant.ListAsync();
        var priceId = await tenant.PriceAsync(sku.Id, listId, 10m, validFrom: new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var before = await tenant.Client.GetJsonAsync($"/v1/prices/{priceId}");

        var answer = await tenant.Client.SendAsync(HttpMethod.Patch, $"/v1/prices/{priceId}", body);

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal([field], answer.Fields());
        var after = await tenant.Client.GetJsonAsync($"/v1/prices/{priceId}");
        Assert.Equal(before.Body.GetRawText(), after.Body.GetRawText());
    }

    [Fact]
    public async Task Delete_answers_204_then_the_price_is_gone()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.CreateSkuAsync();
        var listId = await tenant.ListAsync();
        var priceId = await tenant.PriceAsync(sku.Id, listId, 10m);
        var keptId = await tenant.PriceAsync(sku.Id, listId, 9m, minQuantity: 10);

        var deleted = await tenant.Client.SendAsync(HttpMethod.Delete, $"/v1/prices/{priceId}");
        var get = await tenant.Client.GetJsonAsync($"/v1/prices/{priceId}");
        var again = await tenant.Client.SendAsync(HttpMethod.Delete, $"/v1/prices/{priceId}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        get.AssertError(HttpStatusCode.NotFound, "not_found");
        again.AssertError(HttpStatusCode.NotFound, "not_found");
        Assert.Equal([keptId], (await tenant.Client.GetJsonAsync($"/v1/prices?sku_id={sku.Id}")).IdsOf());
    }

    [Fact]
    public async Task Deleting_a_price_leaves_existing_orders_alone()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(unitPrice: 12.00m);
        var order = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 2)));
        var priceId = (await tenant.Client.GetJsonAsync($"/v1/prices?sku_id={sku.SkuId}")).IdsOf().Single();

        var deleted = await tenant.Client.SendAsync(HttpMethod.Delete, $"/v1/prices/{priceId}");
        var fetched = await tenant.Client.GetJsonAsync($"/v1/orders/{order.Str("id")}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal("12.00", fetched.Body.GetProperty("items")[0].GetProperty("unit_price").GetRawText());
        Assert.Equal("24.00", fetched.Body.GetProperty("total").GetRawText());
    }

    [Fact]
    public async Task Another_tenants_price_is_404_for_every_route()
    {
        var owner = await app.CreateTenantAsync();
        var stranger = await app.CreateTenantAsync();
        var sku = await owner.CreateSkuAsync();
        var listId = await owner.ListAsync();
        var priceId = await owner.PriceAsync(sku.Id, listId, 10m);

        var get = await stranger.Client.GetJsonAsync($"/v1/prices/{priceId}");
        var patch = await stranger.Client.PatchAsync($"/v1/prices/{priceId}", new { unit_amount = 0 });
        var delete = await stranger.Client.SendAsync(HttpMethod.Delete, $"/v1/prices/{priceId}");
        var list = await stranger.Client.GetJsonAsync($"/v1/prices?sku_id={sku.Id}");

        get.AssertError(HttpStatusCode.NotFound, "not_found");
        patch.AssertError(HttpStatusCode.NotFound, "not_found");
        delete.AssertError(HttpStatusCode.NotFound, "not_found");
        Assert.Empty(list.IdsOf());
        var kept = await owner.Client.GetJsonAsync($"/v1/prices/{priceId}");
        Assert.Equal("10.00", kept.Body.GetProperty("unit_amount").GetRawText());
    }
}
