using System.Net;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Accounts;

public sealed class TenantAdminTests(AppFixture app)
{
    [Fact]
    public async Task A_suspended_tenants_keys_answer_403_tenant_suspended_until_it_is_active_again()
    {
        var tenant = await app.CreateTenantAsync();
        using var admin = app.AdminClient();

        var suspended = await admin.SendAsync(HttpMethod.Patch, $"/admin/v1/tenants/{tenant.Id}", new { status = "suspended" });

        Assert.Equal("suspended", suspended.Str("status"));
        (await tenant.Client.GetJsonAsync("/v1/orders")).AssertError(HttpStatusCode.Forbidden, "tenant_suspended");
        (await tenant.Client.GetJsonAsync("/v1/account/auth")).AssertError(HttpStatusCode.Forbidden, "tenant_suspended");
        (await tenant.Client.PostJsonAsync("/v1/customers", new { name = "x" })).AssertError(HttpStatusCode.Forbidden, "tenant_suspended");
        Assert.Equal(0, await tenant.CountAsync("customers"));

        await admin.SendAsync(HttpMethod.Patch, $"/admin/v1/tenants/{tenant.Id}", new { status = "active" });
        Assert.Equal(HttpStatusCode.OK, (await tenant.Client.GetJsonAsync("/v1/orders")).Status);
    }

    [Fact]
    public async Task The_operator_lists_tenants_and_changes_the_plan_and_default_rate_limit()
    {
        var tenant = await app.CreateTenantAsync();
        using var admin = app.AdminClient();

        var patched = await admin.SendAsync(HttpMethod.Patch, $"/admin/v1/tenants/{tenant.Id}",
            new { plan = "growth", rate_limit_per_minute = 250, trial_ends_at = (string?)null });

        Assert.Equal(HttpStatusCode.OK, patched.Status);
        Assert.Equal("growth", patched.Str("plan"));
        Assert.Equal(250, patched.Body.GetProperty("rate_limit_per_minute").GetInt32());
        var status = await tenant.Client.GetJsonAsync("/v1/account/status");
        Assert.Equal("growth", status.Str("plan"));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, status.Body.GetProperty("trial_ends_at").ValueKind);
        Assert.Equal("\"per-key\";q=250;w=60", (await tenant.Client.GetJsonAsync("/v1/orders")).Header("RateLimit-Policy"));
        var listed = await admin.GetJsonAsync("/admin/v1/tenants?per_page=100");
        Assert.Contains(listed.Body.GetProperty("data").EnumerateArray(), t => t.GetProperty("id").GetString() == tenant.Id);
    }

    [Theory]
    [InlineData("""{"status":"paused"}""", "status")]
    [InlineData("""{"plan":"platinum"}""", "plan")]
    [InlineData("""{"name":null}""", "name")]
    [InlineData("""{"rate_limit_per_minute":0}""", "rate_limit_per_minute")]
    [InlineData("""{"id":"ten_other"}""", "id")]
    public async Task An_invalid_tenant_change_answers_400(string body, string field)
    {
        var tenant = await app.CreateTenantAsync();
        using var admin = app.AdminClient();

        var answer = await admin.SendAsync(HttpMethod.Patch, $"/admin/v1/tenants/{tenant.Id}", body);

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty(field, out _), answer.Body.ToString());
    }

    [Fact]
    public async Task The_operator_issues_keys_with_any_scopes_and_unknown_tenants_answer_404()
    {
        var tenant = await app.CreateTenantAsync();
        using var admin = app.AdminClient();

        var issued = await admin.PostJsonAsync($"/admin/v1/tenants/{tenant.Id}/api-keys",
            new { name = "support tool", scopes = new[] { "orders:read" }, ttl_days = 10, rate_limit_per_minute = 50 });

        Assert.Equal(HttpStatusCode.Created, issued.Status);
        using var client = app.Client(issued.Str("key"));
        var orders = await client.GetJsonAsync("/v1/orders");
        Assert.Equal(HttpStatusCode.OK, orders.Status);
        Assert.Equal("\"per-key\";q=50;w=60", orders.Header("RateLimit-Policy"));
        (await admin.PostJsonAsync("/admin/v1/tenants/ten_unknown/api-keys", new { name = "x", scopes = new[] { "*" } }))
            .AssertError(HttpStatusCode.NotFound, "not_found");
        (await admin.SendAsync(HttpMethod.Patch, "/admin/v1/tenants/ten_unknown", new { plan = "growth" }))
            .AssertError(HttpStatusCode.NotFound, "not_found");
        using var tenantAsAdmin = app.Client(tenant.ApiKey);
        (await tenantAsAdmin.GetJsonAsync("/admin/v1/tenants")).AssertError(HttpStatusCode.Unauthorized, "unauthorized");
    }
}
