using System.Net;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Inventory;

public sealed class LocationTests(AppFixture app)
{
    [Fact]
    public async Task The_first_location_is_the_default_and_a_new_default_moves_it()
    {
        var tenant = await app.CreateTenantAsync();

        var first = await tenant.Client.PostJsonAsync("/v1/locations", new { code = "WH-1", name = "Warehouse 1", is_default = false });
        var second = await tenant.Client.PostJsonAsync("/v1/locations", new { code = "WH-2", name = "Warehouse 2" });
        var third = await tenant.Client.PostJsonAsync("/v1/locations", new { code = "WH-3", name = "Warehouse 3", is_default = true });

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.StartsWith("loc_", first.Str("id"));
        Assert.Equal($"/v1/locations/{first.Str("id")}", first.Message.Headers.Location?.OriginalString);
        Assert.Equal("WH-1", first.Str("code"));
        Assert.Equal("Warehouse 1", first.Str("name"));
        Assert.True(first.Body.GetProperty("is_default").GetBoolean());
        Assert.EndsWith("Z", first.Str("created_at"));
        Assert.EndsWith("Z", first.Str("updated_at"));
        Assert.False(second.Body.GetProperty("is_default").GetBoolean());
        Assert.True(third.Body.GetProperty("is_default").GetBoolean());
        var firstNow = await tenant.Client.GetJsonAsync($"/v1/locations/{first.Str("id")}");
        Assert.False(firstNow.Body.GetProperty("is_default").GetBoolean());
        Assert.Equal(third.Str("id"), await app.DefaultLocationIdAsync(tenant));
    }

    [Fact]
    public async Task Orders_reserve_at_the_location_made_default()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(5);
        var second = await tenant.CreateLocationAsync("SECOND", isDefault: true);
        await tenant.AdjustAsync(new { sku_id = sku.SkuId, location_id = second, delta = 3, reason = "count" });

        var order = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 2)));

        Assert.Equal(HttpStatusCode.Created, order.Status);
        Assert.Equal((3, 2), await app.LevelAsync(tenant, sku.SkuId, second));
    }

    [Fact]
    public async Task Ten_parallel_creates_asking_for_the_default_leave_exactly_one_default()
    {
        var tenant = await app.CreateTenantAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() =>
            tenant.Client.PostJsonAsync("/v1/locations", new { code = $"P-{i}", name = "Parallel", is_default = true }))));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.Status));
        Assert.Equal(1, await app.Database.ScalarAsync<long>("SELECT count(*) FROM locations WHERE tenant_id = $1 AND is_default", tenant.Id));
        Assert.Equal(10, await tenant.CountAsync("locations"));
    }

    [Fact]
    public async Task A_client_chosen_id_is_kept_and_cannot_be_created_twice()
    {
        var tenant = await app.CreateTenantAsync();

        var created = await tenant.Client.PostJsonAsync("/v1/locations", new { id = "berlin-1", code = "BER", name = "Berlin" });
        var again = await tenant.Client.PostJsonAsync("/v1/locations", new { id = "berlin-1", code = "BER-2", name = "Berlin again" });
        var fetched = await tenant.Client.GetJsonAsync("/v1/locations/berlin-1");

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("berlin-1", created.Str("id"));
        again.AssertError(HttpStatusCode.Conflict, "resource_exists");
        Assert.Equal("Berlin", fetched.Str("name"));
        Assert.Equal(1, await tenant.CountAsync("locations"));
    }

    [Fact]
    public async Task A_code_is_unique_within_a_tenant_but_not_across_tenants()
    {
        var tenant = await app.CreateTenantAsync();
        var other = await app.CreateTenantAsync();
        await tenant.CreateLocationAsync("MAIN-WH");

        var duplicate = await tenant.Client.PostJsonAsync("/v1/locations", new { code = "MAIN-WH", name = "Again" });
        var elsewhere = await other.Client.PostJsonAsync("/v1/locations", new { code = "MAIN-WH", name = "Other tenant" });

        duplicate.AssertError(HttpStatusCode.Conflict, "location_code_taken");
        Assert.Equal(HttpStatusCode.Created, elsewhere.Status);
        Assert.Equal(1, await tenant.CountAsync("locations"));
    }

    [Fact]
    public async Task Put_creates_then_replaces()
    {
        var tenant = await app.CreateTenantAsync();

        var created = await tenant.Client.SendAsync(HttpMethod.Put, "/v1/locations/store.7", new { code = "S7", name = "Store 7" });
        var replaced = await tenant.Client.SendAsync(HttpMethod.Put, "/v1/locations/store.7", new { id = "store.7", code = "S7B", name = "Store 7 (new)" });
        var fetched = await tenant.Client.GetJsonAsync("/v1/locations/store.7");

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.True(created.Body.GetProperty("is_default").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, replaced.Status);
        Assert.Equal("S7B", fetched.Str("code"));
        Assert.Equal("Store 7 (new)", fetched.Str("name"));
        Assert.True(fetched.Body.GetProperty("is_default").GetBoolean());
        Assert.Equal(created.Str("created_at"), fetched.Str("created_at"));
        Assert.Equal(1, await tenant.CountAsync("locations"));
    }

    [Fact]
    public async Task Put_can_move_the_default_but_not_remove_it()
    {
        var tenant = await app.CreateTenantAsync();
        var first = await tenant.CreateLocationAsync("A", id: "loc-a");
        await tenant.CreateLocationAsync("B", id: "loc-b");

        var remove = await tenant.Client.SendAsync(HttpMethod.Put, $"/v1/locations/{first}", new { code = "A", name = "A", is_default = false });
        var move = await tenant.Client.SendAsync(HttpMethod.Put, "/v1/locations/loc-b", new { code = "B", name = "B", is_default = true });

        remove.AssertError(HttpStatusCode.Conflict, "default_location_required");
        Assert.Equal(HttpStatusCode.OK, move.Status);
        Assert.True(move.Body.GetProperty("is_default").GetBoolean());
        Assert.Equal("loc-b", await app.DefaultLocationIdAsync(tenant));
    }

    [Fact]
    public async Task Put_rejects_a_mismatched_or_malformed_id_and_a_taken_code()
    {
        var tenant = await app.CreateTenantAsync();
        await tenant.CreateLocationAsync("TAKEN");

        var mismatch = await tenant.Client.SendAsync(HttpMethod.Put, "/v1/locations/x1", new { id = "x2", code = "X", name = "X" });
        var malformed = await tenant.Client.SendAsync(HttpMethod.Put, "/v1/locations/store%201", new { code = "X", name = "X" });
        var taken = await tenant.Client.SendAsync(HttpMethod.Put, "/v1/locations/x3", new { code = "TAKEN", name = "X" });

        mismatch.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(mismatch.Body.GetProperty("errors").TryGetProperty("id", out _));
        malformed.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        taken.AssertError(HttpStatusCode.Conflict, "location_code_taken");
        Assert.Equal(1, await tenant.CountAsync("locations"));
    }

    [Theory]
    [InlineData("""{"name":"No code"}""", "code")]
    [InlineData("""{"code":"C1"}""", "name")]
    [InlineData("""{"code":"has space","name":"N"}""", "code")]
    [InlineData("""{"id":"bad id!","code":"C1","name":"N"}""", "id")]
    [InlineData("""{"code":"C1","name":"N","is_default":"yes"}""", "is_default")]
    [InlineData("""{"code":"C1","name":"N","tenant_id":"ten_other"}""", "tenant_id")]
    [InlineData("""{"code":"C1","name":"N","created_at":"2026-01-01T00:00:00Z"}""", "created_at")]
    public async Task Invalid_or_unknown_fields_are_rejected(string body, string field)
    {
        var tenant = await app.CreateTenantAsync();

        var post = await tenant.Client.PostJsonAsync("/v1/locations", body);
        var put = await tenant.Client.SendAsync(HttpMethod.Put, "/v1/locations/loc-1", body);

        post.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(post.Body.GetProperty("errors").TryGetProperty(field, out _), post.Body.ToString());
        put.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(put.Body.GetProperty("errors").TryGetProperty(field, out _), put.Body.ToString());
        Assert.Equal(0, await tenant.CountAsync("locations"));
    }

    [Fact]
    public async Task Another_tenants_location_is_not_found_and_never_listed()
    {
        var owner = await app.CreateTenantAsync();
        var other = await app.CreateTenantAsync();
        var id = await owner.CreateLocationAsync("OWNED");

        var get = await other.Client.GetJsonAsync($"/v1/locations/{id}");
        var unknown = await other.Client.GetJsonAsync("/v1/locations/loc_0000000000000000000000000000beef");
        var list = await other.Client.GetJsonAsync("/v1/locations");

        get.AssertError(HttpStatusCode.NotFound, "not_found");
        unknown.AssertError(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(0, list.Body.GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await owner.Client.GetJsonAsync($"/v1/locations/{id}")).Status);
    }

    [Fact]
    public async Task The_list_is_paged_newest_first()
    {
        var tenant = await app.CreateTenantAsync();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await tenant.CreateLocationAsync($"L{i}"));
        }

        var page1 = await tenant.Client.GetJsonAsync("/v1/locations?per_page=2");
        var page2 = await tenant.Client.GetJsonAsync("/v1/locations?per_page=2&page=2");
        var after = await tenant.Client.GetJsonAsync($"/v1/locations?per_page=2&starting_after={ids[2]}");

        Assert.Equal(new[] { ids[2], ids[1] }, page1.Body.GetProperty("data").EnumerateArray().Select(l => l.GetProperty("id").GetString()));
        Assert.Equal(3, page1.Body.GetProperty("total").GetInt32());
        Assert.True(page1.Body.GetProperty("has_more").GetBoolean());
        Assert.Equal(new[] { ids[0] }, page2.Body.GetProperty("data").EnumerateArray().Select(l => l.GetProperty("id").GetString()));
        Assert.False(page2.Body.GetProperty("has_more").GetBoolean());
        Assert.Equal(new[] { ids[1], ids[0] }, after.Body.GetProperty("data").EnumerateArray().Select(l => l.GetProperty("id").GetString()));
    }
}
