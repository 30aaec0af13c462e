using System.Net;
using OrderCore.Tests.Features.Inventory;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Catalog;

public sealed class ProductTests(AppFixture app)
{
    private static object NewProduct(string name = "Mug", string? id = null, params string[] skuCodes) => new
    {
        id,
        name,
        description = "A mug",
        external_id = "ext-1",
        metadata = new { color = "blue" },
        skus = skuCodes.Select(c => new { sku_code = c, name = $"{name} {c}" }).ToArray(),
    };

    [Fact]
    public async Task Create_then_get_with_nested_skus()
    {
        var tenant = await app.CreateTenantAsync();

        var created = await tenant.Client.PostJsonAsync("/v1/products", NewProduct("Mug", null, "MUG-1", "MUG-2"));

        Assert.Equal(HttpStatusCode.Created, created.Status);
        var id = created.Str("id");
        Assert.StartsWith("prod_", id);
        Assert.Equal("active", created.Str("status"));
        Assert.Equal("blue", created.Body.GetProperty("metadata").GetProperty("color").GetString());
        var skus = created.Body.GetProperty("skus").EnumerateArray().ToList();
        Assert.Equal(2, skus.Count);
        Assert.All(skus, s => Assert.True(s.GetProperty("track_inventory").GetBoolean()));
        Assert.All(skus, s => Assert.Equal(id, s.GetProperty("product_id").GetString()));

        var fetched = await tenant.Client.GetJsonAsync($"/v1/products/{id}");
        Assert.Equal(HttpStatusCode.OK, fetched.Status);
        Assert.Equal(created.Body.GetRawText(), fetched.Body.GetRawText());
        Assert.Equal($"/v1/products/{id}", created.Message.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_client_chosen_id_is_kept_and_cannot_be_created_twice()
    {
        var tenant = await app.CreateTenantAsync();

        var created = await tenant.Client.PostJsonAsync("/v1/products", NewProduct("Mug", "erp:mug.01"));
        var again = await tenant.Client.PostJsonAsync("/v1/products", NewProduct("Mug", "erp:mug.01"));

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("erp:mug.01", created.Str("id"));
        again.AssertError(HttpStatusCode.Conflict, "resource_exists");
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("prod_0123456789abcdef0123456789abcdef")]
    [InlineData("ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJ")]
    [InlineData("")]
    public async Task A_malformed_client_id_is_rejected(string id)
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await tenant.Client.PostJsonAsync("/v1/products", NewProduct("Mug", id));

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty("id", out _));
    }

    [Fact]
    public async Task Put_creates_then_replaces()
    {
        var tenant = await app.CreateTenantAsync();

        var created = await tenant.Client.SendAsync(HttpMethod.Put, "/v1/products/shop-42", new { name = "First", skus = new[] { new { sku_code = "S42" } } });
        var replaced = await tenant.Client.SendAsync(HttpMethod.Put, "/v1/products/shop-42", new { name = "Second", status = "draft" });

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(HttpStatusCode.OK, replaced.Status);
        Assert.Equal("Second", replaced.Str("name"));
        Assert.Equal("draft", replaced.Str("status"));
        Assert.Equal(JsonValueKindNull, replaced.Body.GetProperty("description").ValueKind);
        Assert.Single(replaced.Body.GetProperty("skus").EnumerateArray());
        Assert.Equal(1, await tenant.CountAsync("products"));
    }

    [Fact]
    public async Task Put_with_a_different_body_id_is_rejected()
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await tenant.Client.SendAsync(HttpMethod.Put, "/v1/products/a1", new { id = "b2", name = "X" });

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Patch_changes_only_the_fields_sent_and_null_clears()
    {
        var tenant = await app.CreateTenantAsync();
        var created = await tenant.Client.PostJsonAsync("/v1/products", NewProduct("Mug"));
        var id = created.Str("id");

        var patched = await tenant.Client.SendAsync(HttpMethod.Patch, $"/v1/products/{id}", """{"name":"Big mug","description":null}""");

        Assert.Equal(HttpStatusCode.OK, patched.Status);
        Assert.Equal("Big mug", patched.Str("name"));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, patched.Body.GetProperty("description").ValueKind);
        Assert.Equal("ext-1", patched.Str("external_id"));
        Assert.Equal("blue", patched.Body.GetProperty("metadata").GetProperty("color").GetString());
        Assert.Equal(created.Str("created_at"), patched.Str("created_at"));
    }

    [Theory]
    [InlineData("""{"id":"other"}""", "id")]
    [InlineData("""{"tenant_id":"ten_x"}""", "tenant_id")]
    [InlineData("""{"created_at":"2026-01-01T00:00:00Z"}""", "created_at")]
    [InlineData("""{"updated_at":"2026-01-01T00:00:00Z"}""", "updated_at")]
    [InlineData("""{"skus":[]}""", "skus")]
    [InlineData("""{"name":null}""", "name")]
    [InlineData("""{"status":"gone"}""", "status")]
    public async Task Patch_rejects_read_only_unknown_and_invalid_fields(string body, string field)
    {
        var tenant = await app.CreateTenantAsync();
        var created = await tenant.Client.PostJsonAsync("/v1/products", NewProduct("Mug"));
        var id = created.Str("id");

        var answer = await tenant.Client.SendAsync(HttpMethod.Patch, $"/v1/products/{id}", body);

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty(field, out _), answer.Body.ToString());
        var unchanged = await tenant.Client.GetJsonAsync($"/v1/products/{id}");
        Assert.Equal(created.Body.GetRawText(), unchanged.Body.GetRawText());
    }

    [Fact]
    public async Task Create_rejects_mass_assignment_of_tenant_and_timestamps()
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await tenant.Client.PostJsonAsync("/v1/products", new { name = "Mug", tenant_id = "ten_other", created_at = "2020-01-01T00:00:00Z" });

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        var errors = answer.Body.GetProperty("errors");
        Assert.True(errors.TryGetProperty("tenant_id", out _));
        Assert.True(errors.TryGetProperty("created_at", out _));
        Assert.Equal(0, await tenant.CountAsync("products"));
    }

    [Fact]
    public async Task List_filters_by_status_and_searches_name_and_sku_code()
    {
        var tenant = await app.CreateTenantAsync();
        await tenant.Client.PostJsonAsync("/v1/products", NewProduct("Blue Mug", null, "MUG-B"));
        await tenant.Client.PostJsonAsync("/v1/products", new { name = "Teapot", status = "draft", skus = new[] { new { sku_code = "TEA-1" } } });
        await tenant.Client.PostJsonAsync("/v1/products", new { name = "Spoon_50%", skus = new[] { new { sku_code = "SPN" } } });

        var drafts = await tenant.Client.GetJsonAsync("/v1/products?status=draft");
        var byName = await tenant.Client.GetJsonAsync("/v1/products?q=mug");
        var byCode = await tenant.Client.GetJsonAsync("/v1/products?q=tea-");
        var literal = await tenant.Client.GetJsonAsync("/v1/products?q=_50%25");
        var all = await tenant.Client.GetJsonAsync("/v1/products?per_page=2");
        var bad = await tenant.Client.GetJsonAsync("/v1/products?status=deleted");

        Assert.Equal(["Teapot"], Names(drafts));
        Assert.Equal(["Blue Mug"], Names(byName));
        Assert.Equal(["Teapot"], Names(byCode));
        Assert.Equal(["Spoon_50%"], Names(literal));
        Assert.Equal(3, all.Body.GetProperty("total").GetInt32());
        Assert.True(all.Body.GetProperty("has_more").GetBoolean());
        Assert.Equal(["Spoon_50%", "Teapot"], Names(all));
        bad.AssertError(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Delete_erases_an_unused_product()
    {
        var tenant = await app.CreateTenantAsync();
        var created = await tenant.Client.PostJsonAsync("/v1/products", NewProduct("Mug", null, "DEL-1"));
        var id = created.Str("id");

        var deleted = await tenant.Client.SendAsync(HttpMethod.Delete, $"/v1/products/{id}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        (await tenant.Client.GetJsonAsync($"/v1/products/{id}")).AssertError(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(0, await tenant.CountAsync("skus"));
    }

    [Fact]
    public async Task Delete_of_a_stocked_but_never_reserved_product_erases_its_stock_movements()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(10);
        Assert.Equal(1, await tenant.CountAsync("inventory_movement_rows"));

        var deleted = await tenant.Client.SendAsync(HttpMethod.Delete, $"/v1/products/{sku.ProductId}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal(0, await tenant.CountAsync("inventory_movements"));
        Assert.Equal(0, await tenant.CountAsync("skus"));
    }

    [Fact]
    public async Task Delete_of_an_ordered_product_archives_it_and_it_can_no_longer_be_ordered()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();
        var order = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)));
        Assert.Equal(HttpStatusCode.Created, order.Status);

        var deleted = await tenant.Client.SendAsync(HttpMethod.Delete, $"/v1/products/{sku.ProductId}");
        var product = await tenant.Client.GetJsonAsync($"/v1/products/{sku.ProductId}");
        var another = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)));

        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal("archived", product.Str("status"));
        another.AssertError(HttpStatusCode.Conflict, "product_unavailable");
        Assert.Equal(HttpStatusCode.OK, (await tenant.Client.GetJsonAsync($"/v1/orders/{order.Str("id")}")).Status);
    }

    [Fact]
    public async Task Another_tenants_product_is_not_found_for_every_route()
    {
        var owner = await app.CreateTenantAsync();
        var stranger = await app.CreateTenantAsync();
        var id = (await owner.Client.PostJsonAsync("/v1/products", NewProduct("Mug", "shared-id"))).Str("id");

        (await stranger.Client.GetJsonAsync($"/v1/products/{id}")).AssertError(HttpStatusCode.NotFound, "not_found");
        (await stranger.Client.SendAsync(HttpMethod.Patch, $"/v1/products/{id}", new { name = "Hijacked" })).AssertError(HttpStatusCode.NotFound, "not_found");
        (await stranger.Client.SendAsync(HttpMethod.Delete, $"/v1/products/{id}")).AssertError(HttpStatusCode.NotFound, "not_found");
        (await stranger.Client.PostJsonAsync($"/v1/products/{id}/skus", new { sku_code = "X1" })).AssertError(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(0, (await stranger.Client.GetJsonAsync("/v1/products")).Body.GetProperty("total").GetInt32());

        // the same writable id is free in another tenant
        var own = await stranger.Client.SendAsync(HttpMethod.Put, $"/v1/products/{id}", new { name = "Mine" });
        Assert.Equal(HttpStatusCode.Created, own.Status);
        Assert.Equal("Mug", (await owner.Client.GetJsonAsync($"/v1/products/{id}")).Str("name"));
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;

    private static List<string> Names(ApiResponse page) =>
        page.Body.GetProperty("data").EnumerateArray().Select(p => p.GetProperty("name").GetString()!).ToList();
}
