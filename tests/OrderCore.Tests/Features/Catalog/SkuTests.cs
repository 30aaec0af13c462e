using System.Net;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Catalog;

public sealed class SkuTests(AppFixture app)
{
    private static async Task<string> CreateProductAsync(TestTenant tenant, params string[] codes)
    {
        var product = await tenant.Client.PostJsonAsync("/v1/products",
            new { name = "Shirt", skus = codes.Select(c => new { sku_code = c }).ToArray() });
        Assert.Equal(HttpStatusCode.Created, product.Status);
        return product.Str("id");
    }

    [Fact]
    public async Task Add_a_sku_then_get_it_by_code_and_by_id()
    {
        var tenant = await app.CreateTenantAsync();
        var productId = await CreateProductAsync(tenant);

        var added = await tenant.Client.PostJsonAsync($"/v1/products/{productId}/skus", new { sku_code = "SHIRT-M", name = "Medium", track_inventory = false });
        var byCode = await tenant.Client.GetJsonAsync("/v1/skus/SHIRT-M");
        var byId = await tenant.Client.GetJsonAsync($"/v1/skus/{added.Str("id")}");

        Assert.Equal(HttpStatusCode.Created, added.Status);
        Assert.StartsWith("sku_", added.Str("id"));
        Assert.False(added.Body.GetProperty("track_inventory").GetBoolean());
        Assert.Equal("active", added.Str("status"));
        Assert.Equal(added.Body.GetRawText(), byCode.Body.GetRawText());
        Assert.Equal(added.Body.GetRawText(), byId.Body.GetRawText());
    }

    [Fact]
    public async Task Sku_codes_are_unique_per_tenant()
    {
        var tenant = await app.CreateTenantAsync();
        var other = await app.CreateTenantAsync();
        var productId = await CreateProductAsync(tenant, "DUP-1");

        var duplicate = await tenant.Client.PostJsonAsync($"/v1/products/{productId}/skus", new { sku_code = "DUP-1" });
        var nested = await tenant.Client.PostJsonAsync("/v1/products", new { name = "Other", skus = new[] { new { sku_code = "DUP-1" } } });
        var repeated = await tenant.Client.PostJsonAsync("/v1/products", new { name = "Twice", skus = new[] { new { sku_code = "T-1" }, new { sku_code = "T-1" } } });
        var elsewhere = await CreateProductAsync(other, "DUP-1");

        duplicate.AssertError(HttpStatusCode.Conflict, "sku_code_taken");
        nested.AssertError(HttpStatusCode.Conflict, "sku_code_taken");
        repeated.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.False(string.IsNullOrEmpty(elsewhere));
        Assert.Equal(1, await tenant.CountAsync("products"));
    }

    [Fact]
    public async Task Patch_changes_only_the_fields_sent()
    {
        var tenant = await app.CreateTenantAsync();
        await CreateProductAsync(tenant, "P-1", "P-2");
        var sku = await tenant.Client.GetJsonAsync("/v1/skus/P-1");
        var id = sku.Str("id");

        var renamed = await tenant.Client.SendAsync(HttpMethod.Patch, $"/v1/skus/{id}", new { sku_code = "P-1B", status = "inactive" });
        var clash = await tenant.Client.SendAsync(HttpMethod.Patch, $"/v1/skus/{id}", new { sku_code = "P-2" });
        var readOnly = await tenant.Client.SendAsync(HttpMethod.Patch, $"/v1/skus/{id}", new { product_id = "prod_x" });
        var nullFlag = await tenant.Client.SendAsync(HttpMethod.Patch, $"/v1/skus/{id}", """{"track_inventory":null}""");

        Assert.Equal(HttpStatusCode.OK, renamed.Status);
        Assert.Equal("P-1B", renamed.Str("sku_code"));
        Assert.Equal("inactive", renamed.Str("status"));
        Assert.True(renamed.Body.GetProperty("track_inventory").GetBoolean());
        clash.AssertError(HttpStatusCode.Conflict, "sku_code_taken");
        readOnly.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        nullFlag.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        (await tenant.Client.GetJsonAsync("/v1/skus/P-1")).AssertError(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task An_inactive_sku_cannot_be_ordered()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();

        await tenant.Client.SendAsync(HttpMethod.Patch, $"/v1/skus/{sku.SkuId}", new { status = "inactive" });
        var order = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)));

        order.AssertError(HttpStatusCode.Conflict, "product_unavailable");
    }

    [Fact]
    public async Task Another_tenants_sku_is_not_found()
    {
        var owner = await app.CreateTenantAsync();
        var stranger = await app.CreateTenantAsync();
        var sku = await owner.SeedSkuAsync(skuCode: "OWNED-1");

        (await stranger.Client.GetJsonAsync("/v1/skus/OWNED-1")).AssertError(HttpStatusCode.NotFound, "not_found");
        (await stranger.Client.GetJsonAsync($"/v1/skus/{sku.SkuId}")).AssertError(HttpStatusCode.NotFound, "not_found");
        (await stranger.Client.SendAsync(HttpMethod.Patch, $"/v1/skus/{sku.SkuId}", new { name = "x" })).AssertError(HttpStatusCode.NotFound, "not_found");
    }
}
