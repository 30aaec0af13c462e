using System.Net;
using System.Text.Json;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Customers;

public sealed class CustomerTests(AppFixture app)
{
    [Fact]
    public async Task Create_get_and_filter_by_email()
    {
        var tenant = await app.CreateTenantAsync();

        var created = await tenant.Client.PostJsonAsync("/v1/customers",
            new { email = " Ada@Example.com ", name = "Ada", external_id = "crm-1", metadata = new { tier = "gold" } });
        await tenant.Client.PostJsonAsync("/v1/customers", new { email = "bob@example.com", name = "Bob" });
        var fetched = await tenant.Client.GetJsonAsync($"/v1/customers/{created.Str("id")}");
        var filtered = await tenant.Client.GetJsonAsync("/v1/customers?email=ADA@example.com");

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.StartsWith("cust_", created.Str("id"));
        Assert.Equal("ada@example.com", created.Str("email"));
        Assert.Equal(created.Body.GetRawText(), fetched.Body.GetRawText());
        var only = Assert.Single(filtered.Body.GetProperty("data").EnumerateArray());
        Assert.Equal(created.Str("id"), only.GetProperty("id").GetString());
    }

    [Fact]
    public async Task The_email_filter_matches_the_whole_address_only()
    {
        var tenant = await app.CreateTenantAsync();
        var ids = new Dictionary<string, string>();
        foreach (var email in new[] { "ada@example.com", "ada@example.co", "xada@example.com", "ada@example.com.au", "a_a@example.com", "aXa@example.com" })
        {
            var created = await tenant.Client.PostJsonAsync("/v1/customers", new { email });
            Assert.Equal(HttpStatusCode.Created, created.Status);
            ids[email] = created.Str("id");
        }

        async Task<string[]> FilterAsync(string email)
        {
            var list = await tenant.Client.GetJsonAsync($"/v1/customers?email={Uri.EscapeDataString(email)}");
            Assert.Equal(HttpStatusCode.OK, list.Status);
            return list.Body.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToArray();
        }

        Assert.Equal([ids["ada@example.com"]], await FilterAsync("ada@example.com"));
        Assert.Equal([ids["ada@example.com"]], await FilterAsync(" ADA@Example.COM "));
        Assert.Equal([ids["a_a@example.com"]], await FilterAsync("a_a@example.com"));
        Assert.Equal([ids["aXa@example.com"]], await FilterAsync("axa@example.com"));
        Assert.Empty(await FilterAsync("ada@example"));
        Assert.Empty(await FilterAsync("%@example.com"));
        Assert.Empty(await FilterAsync("ada@example.com%"));
        Assert.Empty(await FilterAsync("*@example.com"));
        Assert.Empty(await FilterAsync("nobody@example.com"));
    }

    [Fact]
    public async Task Customer_metadata_is_limited_like_order_metadata()
    {
        var tenant = await app.CreateTenantAsync();
        var fiftyOne = Enumerable.Range(0, 51).ToDictionary(i => $"k{i}", i => (object)i);

        var post = await tenant.Client.PostJsonAsync("/v1/customers", new { name = "A", metadata = fiftyOne });
        var put = await tenant.Client.SendAsync(HttpMethod.Put, "/v1/customers/crm-7", new { metadata = new { note = new string('n', 9000) } });
        var ok = await tenant.Client.PostJsonAsync("/v1/customers", new { name = "B" });
        var patch = await tenant.Client.SendAsync(HttpMethod.Patch, $"/v1/customers/{ok.Str("id")}", new { metadata = fiftyOne });

        post.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        put.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        patch.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(1, (await tenant.Client.GetJsonAsync("/v1/customers")).Body.GetProperty("total").GetInt32());
        Assert.Equal(JsonValueKind.Null, (await tenant.Client.GetJsonAsync($"/v1/customers/{ok.Str("id")}")).Body.GetProperty("metadata").ValueKind);
    }

    [Fact]
    public async Task Writable_ids_post_and_put()
    {
        var tenant = await app.CreateTenantAsync();

        var posted = await tenant.Client.PostJsonAsync("/v1/customers", new { id = "crm:42", name = "A" });
        var duplicate = await tenant.Client.PostJsonAsync("/v1/customers", new { id = "crm:42", name = "B" });
        var put = await tenant.Client.SendAsync(HttpMethod.Put, "/v1/customers/crm:43", new { name = "C" });
        var replaced = await tenant.Client.SendAsync(HttpMethod.Put, "/v1/customers/crm:43", new { email = "c@example.com" });
        var order = await tenant.Client.PostJsonAsync("/v1/orders", new
        {
            customer_id = "crm:43",
            items = new[] { new { sku_id = (await tenant.SeedSkuAsync()).SkuId, quantity = 1 } },
        });

        Assert.Equal("crm:42", posted.Str("id"));
        duplicate.AssertError(HttpStatusCode.Conflict, "resource_exists");
        Assert.Equal(HttpStatusCode.Created, put.Status);
        Assert.Equal(HttpStatusCode.OK, replaced.Status);
        Assert.Equal(JsonValueKind.Null, replaced.Body.GetProperty("name").ValueKind);
        Assert.Equal("crm:43", order.Str("customer_id"));
    }

    [Fact]
    public async Task Patch_changes_only_the_fields_sent_and_rejects_read_only_ones()
    {
        var tenant = await app.CreateTenantAsync();
        var created = await tenant.Client.PostJsonAsync("/v1/customers", new { email = "x@example.com", name = "X" });
        var id = created.Str("id");

        var patched = await tenant.Client.SendAsync(HttpMethod.Patch, $"/v1/customers/{id}", new { name = "Y" });
        var idChange = await tenant.Client.SendAsync(HttpMethod.Patch, $"/v1/customers/{id}", new { id = "other" });
        var tenantChange = await tenant.Client.SendAsync(HttpMethod.Patch, $"/v1/customers/{id}", new { tenant_id = "ten_x" });
        var badEmail = await tenant.Client.SendAsync(HttpMethod.Patch, $"/v1/customers/{id}", new { email = "not-an-email" });

        Assert.Equal("Y", patched.Str("name"));
        Assert.Equal("x@example.com", patched.Str("email"));
        idChange.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        tenantChange.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        badEmail.AssertError(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Another_tenants_customer_is_not_found()
    {
        var owner = await app.CreateTenantAsync();
        var stranger = await app.CreateTenantAsync();
        var id = (await owner.Client.PostJsonAsync("/v1/customers", new { name = "Mine" })).Str("id");

        (await stranger.Client.GetJsonAsync($"/v1/customers/{id}")).AssertError(HttpStatusCode.NotFound, "not_found");
        (await stranger.Client.SendAsync(HttpMethod.Patch, $"/v1/customers/{id}", new { name = "Hijack" })).AssertError(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(0, (await stranger.Client.GetJsonAsync("/v1/customers")).Body.GetProperty("total").GetInt32());
    }
}
