using System.Net;
using System.Text.Json;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Accounts;

public sealed class ApiKeyTests(AppFixture app)
{
    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(s => s.GetString()!).ToArray();

    [Fact]
    public async Task A_new_key_is_shown_once_and_can_do_only_what_its_scopes_allow()
    {
        var tenant = await app.CreateTenantAsync();

        var created = await tenant.Client.PostJsonAsync("/v1/account/api-keys", new { name = "ERP sync", scopes = new[] { "orders:read" } });

        Assert.Equal(HttpStatusCode.Created, created.Status);
        var key = created.Str("key");
        Assert.StartsWith("oc_live_", key);
        Assert.Equal(["orders:read"], Strings(created.Body.GetProperty("scopes")));
        Assert.Equal(1000, created.Body.GetProperty("rate_limit_per_minute").GetInt32());
        var listed = await tenant.Client.GetJsonAsync("/v1/account/api-keys");
        var row = listed.Body.GetProperty("data").EnumerateArray().Single(k => k.GetProperty("id").GetString() == created.Str("id"));
        Assert.False(row.TryGetProperty("key", out _));
        Assert.Equal("active", row.GetProperty("status").GetString());
        Assert.Equal(key[..12], row.GetProperty("prefix").GetString());

        using var erp = app.Client(key);
        Assert.Equal(HttpStatusCode.OK, (await erp.GetJsonAsync("/v1/orders")).Status);
        var write = await erp.PostJsonAsync("/v1/orders", new { items = Array.Empty<object>() });
        write.AssertError(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(["orders:write"], Strings(write.Body.GetProperty("missing_scopes")));
        var account = await erp.GetJsonAsync("/v1/account/auth");
        Assert.Equal(["account:read"], Strings(account.AssertError(HttpStatusCode.Forbidden, "forbidden").Body.GetProperty("missing_scopes")));
    }

    [Fact]
    public async Task A_key_cannot_grant_scopes_it_lacks()
    {
        var tenant = await app.CreateTenantAsync();
        var (_, limited) = await app.IssueKeyAsync(tenant.Id, ["account:write", "orders:read"]);
        using var client = app.Client(limited);

        var wider = await client.PostJsonAsync("/v1/account/api-keys", new { name = "x", scopes = new[] { "orders:read", "orders:write" } });
        var star = await client.PostJsonAsync("/v1/account/api-keys", new { name = "x", scopes = new[] { "*" } });
        var narrower = await client.PostJsonAsync("/v1/account/api-keys", new { name = "x", scopes = new[] { "orders:read" } });

        Assert.Equal(["orders:write"], Strings(wider.AssertError(HttpStatusCode.Forbidden, "forbidden").Body.GetProperty("missing_scopes")));
        Assert.Equal(["*"], Strings(star.AssertError(HttpStatusCode.Forbidden, "forbidden").Body.GetProperty("missing_scopes")));
        Assert.Equal(HttpStatusCode.Created, narrower.Status);
        Assert.Equal(2, await app.Database.ScalarAsync<long>("SELECT count(*) FROM api_keys WHERE tenant_id = $1 AND 'orders:read' = ANY(scopes)", tenant.Id));
    }

    [Theory]
    [InlineData("""{"name":"x","scopes":["orders:delete"]}""", "scopes[0]")]
    [InlineData("""{"name":"x","scopes":[]}""", "scopes")]
    [InlineData("""{"scopes":["orders:read"]}""", "name")]
    [InlineData("""{"name":"x","scopes":["orders:read"],"ttl_days":0}""", "ttl_days")]
    [InlineData("""{"name":"x","scopes":["orders:read"],"ttl_days":5,"expires_at":"2099-01-01T00:00:00Z"}""", "expires_at")]
    [InlineData("""{"name":"x","scopes":["orders:read"],"expires_at":"2001-01-01T00:00:00Z"}""", "expires_at")]
    [InlineData("""{"name":"x","scopes":["orders:read"],"rate_limit_per_minute":0}""", "rate_limit_per_minute")]
    public async Task An_invalid_key_request_answers_400_naming_the_field(string body, string field)
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await tenant.Client.PostJsonAsync("/v1/account/api-keys", body);

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty(field, out _), answer.Body.ToString());
    }

    [Fact]
    public async Task Revoking_a_key_takes_effect_at_once_on_every_instance()
    {
        var tenant = await app.CreateTenantAsync();
        var (keyId, key) = await app.IssueKeyAsync(tenant.Id, ["orders:read"]);
        await using var other = new OrderCoreFactory(app.Settings());
        using var onOther = app.Client(key, other.Start());
        using var onShared = app.Client(key);
        Assert.Equal(HttpStatusCode.OK, (await onOther.GetJsonAsync("/v1/orders")).Status);
        Assert.Equal(HttpStatusCode.OK, (await onShared.GetJsonAsync("/v1/orders")).Status);

        var revoked = await tenant.Client.SendAsync(HttpMethod.Delete, $"/v1/account/api-keys/{keyId}");

        Assert.Equal(HttpStatusCode.NoContent, revoked.Status);
        Assert.Equal("Invalid API key", (await onShared.GetJsonAsync("/v1/orders")).AssertError(HttpStatusCode.Unauthorized, "unauthorized").Str("message"));
        Assert.Equal("Invalid API key", (await onOther.GetJsonAsync("/v1/orders")).AssertError(HttpStatusCode.Unauthorized, "unauthorized").Str("message"));
        var listed = await tenant.Client.GetJsonAsync("/v1/account/api-keys");
        Assert.Equal("revoked", listed.Body.GetProperty("data").EnumerateArray().Single(k => k.GetProperty("id").GetString() == keyId).GetProperty("status").GetString());
        (await tenant.Client.SendAsync(HttpMethod.Delete, "/v1/account/api-keys/key_unknown")).AssertError(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Another_tenants_key_cannot_be_revoked()
    {
        var tenant = await app.CreateTenantAsync();
        var other = await app.CreateTenantAsync();
        var (keyId, key) = await app.IssueKeyAsync(other.Id, ["orders:read"]);

        (await tenant.Client.SendAsync(HttpMethod.Delete, $"/v1/account/api-keys/{keyId}")).AssertError(HttpStatusCode.NotFound, "not_found");

        using var client = app.Client(key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync("/v1/orders")).Status);
    }

    [Fact]
    public async Task Rolling_a_key_gives_a_new_one_and_the_old_one_works_until_the_grace_period_ends()
    {
        var clock = new FakeClock(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        await using var factory = app.FactoryWithClock(clock);
        var baseAddress = factory.Start();
        var (tenantId, mainKey) = await app.CreateTenantOnAsync(baseAddress);
        var (oldId, oldKey) = await app.IssueKeyAsync(tenantId, ["orders:read", "account:read"], rateLimitPerMinute: 77, baseAddress: baseAddress);
        using var main = app.Client(mainKey, baseAddress);
        using var old = app.Client(oldKey, baseAddress);

        var rolled = await main.PostJsonAsync($"/v1/account/api-keys/{oldId}/roll", new { grace_hours = 2 });

        Assert.Equal(HttpStatusCode.Created, rolled.Status);
        var fresh = rolled.Body.GetProperty("api_key");
        Assert.NotEqual(oldId, fresh.GetProperty("id").GetString());
        Assert.Equal(["orders:read", "account:read"], Strings(fresh.GetProperty("scopes")));
        Assert.Equal(77, fresh.GetProperty("rate_limit_per_minute").GetInt32());
        Assert.Equal("2026-03-02T11:00:00Z", rolled.Body.GetProperty("rolled_key").GetProperty("expires_at").GetString());
        using var renewed = app.Client(fresh.GetProperty("key").GetString()!, baseAddress);
        Assert.Equal(HttpStatusCode.OK, (await old.GetJsonAsync("/v1/orders")).Status);
        Assert.Equal(HttpStatusCode.OK, (await renewed.GetJsonAsync("/v1/orders")).Status);

        clock.Advance(TimeSpan.FromHours(2));

        var expired = (await old.GetJsonAsync("/v1/orders")).AssertError(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("expired_api_key", expired.Str("auth_reason"));
        Assert.Equal(HttpStatusCode.OK, (await renewed.GetJsonAsync("/v1/orders")).Status);
        (await main.PostJsonAsync($"/v1/account/api-keys/{oldId}/roll", new { }))
            .AssertError(HttpStatusCode.Conflict, "api_key_inactive");
    }

    [Fact]
    public async Task Roll_rejects_a_grace_period_out_of_range_and_unknown_keys()
    {
        var tenant = await app.CreateTenantAsync();
        var (keyId, _) = await app.IssueKeyAsync(tenant.Id, ["orders:read"]);

        (await tenant.Client.PostJsonAsync($"/v1/account/api-keys/{keyId}/roll", new { grace_hours = 721 }))
            .AssertError(HttpStatusCode.BadRequest, "validation_failed");
        (await tenant.Client.PostJsonAsync("/v1/account/api-keys/key_unknown/roll", new { }))
            .AssertError(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Expiry_status_is_active_then_expiring_soon_then_the_key_is_refused_as_expired()
    {
        var clock = new FakeClock(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        await using var factory = app.FactoryWithClock(clock);
        var baseAddress = factory.Start();
        var (tenantId, mainKey) = await app.CreateTenantOnAsync(baseAddress);
        var (keyId, key) = await app.IssueKeyAsync(tenantId, ["account:read"], ttlDays: 30, baseAddress: baseAddress);
        using var client = app.Client(key, baseAddress);
        using var main = app.Client(mainKey, baseAddress);

        var fresh = await client.GetJsonAsync("/v1/account/auth");
        Assert.Equal("active", fresh.Str("api_key_expiry_status"));
        Assert.Equal(30, fresh.Body.GetProperty("api_key_expires_in_days").GetInt32());
        Assert.Equal("2026-05-31T12:00:00Z", fresh.Str("api_key_expires_at"));

        clock.Advance(TimeSpan.FromDays(23) + TimeSpan.FromHours(1));
        var soon = await client.GetJsonAsync("/v1/account/auth");
        Assert.Equal("expiring_soon", soon.Str("api_key_expiry_status"));
        Assert.Equal(6, soon.Body.GetProperty("api_key_expires_in_days").GetInt32());

        clock.Advance(TimeSpan.FromDays(7));
        var refused = (await client.GetJsonAsync("/v1/account/auth")).AssertError(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("API key expired", refused.Str("message"));
        Assert.Equal("expired_api_key", refused.Str("auth_reason"));
        var listed = await main.GetJsonAsync("/v1/account/api-keys");
        Assert.Equal("expired", listed.Body.GetProperty("data").EnumerateArray().Single(k => k.GetProperty("id").GetString() == keyId).GetProperty("status").GetString());
        var status = await main.GetJsonAsync("/v1/account/status");
        Assert.Equal(1, status.Body.GetProperty("api_keys").GetProperty("expired").GetInt32());
        Assert.Equal(1, status.Body.GetProperty("api_keys").GetProperty("active").GetInt32());
    }

    [Fact]
    public async Task Auth_describes_the_tenant_and_the_key()
    {
        var tenant = await app.CreateTenantAsync("Auth Shop");

        var auth = await tenant.Client.GetJsonAsync("/v1/account/auth");

        Assert.Equal(HttpStatusCode.OK, auth.Status);
        Assert.Equal(tenant.Id, auth.Str("tenant_id"));
        Assert.Equal("Auth Shop", auth.Str("tenant_name"));
        Assert.Equal("api_key", auth.Str("auth_mode"));
        Assert.StartsWith("key_", auth.Str("api_key_id"));
        Assert.Equal(tenant.ApiKey[..12], auth.Str("api_key_prefix"));
        Assert.Equal(["*"], Strings(auth.Body.GetProperty("api_key_scopes")));
        Assert.Equal(1000, auth.Body.GetProperty("rate_limit_per_minute").GetInt32());
        Assert.Equal(JsonValueKind.Null, auth.Body.GetProperty("api_key_expiry_status").ValueKind);
    }

    [Fact]
    public async Task Status_shows_the_plan_and_the_keys_by_status()
    {
        var tenant = await app.CreateTenantAsync();
        await app.IssueKeyAsync(tenant.Id, ["orders:read"], ttlDays: 3);
        var (revokedId, _) = await app.IssueKeyAsync(tenant.Id, ["orders:read"]);
        await tenant.Client.SendAsync(HttpMethod.Delete, $"/v1/account/api-keys/{revokedId}");

        var status = await tenant.Client.GetJsonAsync("/v1/account/status");

        Assert.Equal("trial", status.Str("plan"));
        Assert.Equal("active", status.Str("plan_status"));
        var trialEnds = DateTimeOffset.Parse(status.Str("trial_ends_at"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(trialEnds - DateTimeOffset.UtcNow, TimeSpan.FromDays(13), TimeSpan.FromDays(14));
        var keys = status.Body.GetProperty("api_keys");
        Assert.Equal((1, 1, 0, 1), (keys.GetProperty("active").GetInt32(), keys.GetProperty("expiring_soon").GetInt32(),
            keys.GetProperty("expired").GetInt32(), keys.GetProperty("revoked").GetInt32()));
    }
}
