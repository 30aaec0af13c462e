using System.Net;
using OrderCore.Tests.Features.Accounts;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Platform;

/// <summary>Idempotent replays of answers that hold a key or a secret (routes marked WithSecretInAnswer).</summary>
public sealed class SecretReplayTests(AppFixture app)
{
    [Fact]
    public async Task A_created_api_key_is_stored_encrypted_replayed_to_its_caller_only_and_kept_an_hour()
    {
        var tenant = await app.CreateTenantAsync();
        var (_, otherKey) = await app.IssueKeyAsync(tenant.Id, ["account:read", "account:write"]);
        var body = new { name = "ERP sync", scopes = new[] { "orders:read" } };

        var created = await tenant.Client.PostJsonAsync("/v1/account/api-keys", body, "secret-key-1");
        var replay = await tenant.Client.PostJsonAsync("/v1/account/api-keys", body, "secret-key-1");
        using var other = app.Client(otherKey);
        var byOtherKey = await other.PostJsonAsync("/v1/account/api-keys", body, "secret-key-1");

        Assert.Equal(HttpStatusCode.Created, created.Status);
        var key = created.Str("key");
        Assert.Equal("true", replay.Header("Idempotent-Replayed"));
        Assert.Equal(key, replay.Str("key"));
        byOtherKey.AssertError(HttpStatusCode.Conflict, "idempotency_key_other_caller");
        Assert.DoesNotContain(key, byOtherKey.Body.GetRawText(), StringComparison.Ordinal);
        await AssertStoredWithoutAsync(tenant.Id, "secret-key-1", key);
        var hours = await app.Database.ScalarAsync<double>(
            "SELECT extract(epoch FROM expires_at - created_at) / 3600 FROM idempotency_records WHERE scope = $1 AND key = $2", tenant.Id, "secret-key-1");
        Assert.True(hours <= 1.0, $"kept {hours} h");
    }

    [Fact]
    public async Task A_webhook_secret_and_its_rotation_are_stored_encrypted()
    {
        var tenant = await app.CreateTenantAsync();
        var endpoint = new { url = "http://127.0.0.1:9/hook", events = new[] { "*" } };

        var created = await tenant.Client.PostJsonAsync("/v1/webhooks/endpoints", endpoint, "secret-hook-1");
        var rotated = await tenant.Client.PostJsonAsync($"/v1/webhooks/endpoints/{created.Str("id")}/rotate-secret", new { }, "secret-hook-2");
        var replay = await tenant.Client.PostJsonAsync("/v1/webhooks/endpoints", endpoint, "secret-hook-1");

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.StartsWith("whsec_", created.Str("secret"), StringComparison.Ordinal);
        Assert.Equal(created.Str("secret"), replay.Str("secret"));
        await AssertStoredWithoutAsync(tenant.Id, "secret-hook-1", created.Str("secret"));
        await AssertStoredWithoutAsync(tenant.Id, "secret-hook-2", rotated.Str("secret"));
    }

    [Fact]
    public async Task A_tenant_created_by_the_operator_is_stored_encrypted()
    {
        using var admin = app.AdminClient();
        var body = new { name = $"Tenant {Guid.NewGuid():N}" };
        var idempotencyKey = $"secret-tenant-{Guid.NewGuid():N}";

        var created = await admin.PostJsonAsync("/admin/v1/tenants", body, idempotencyKey);
        var replay = await admin.PostJsonAsync("/admin/v1/tenants", body, idempotencyKey);

        var key = created.Body.GetProperty("api_key").GetProperty("key").GetString()!;
        Assert.Equal(key, replay.Body.GetProperty("api_key").GetProperty("key").GetString());
        await AssertStoredWithoutAsync("admin", idempotencyKey, key);
    }

    [Fact]
    public async Task Answers_without_a_secret_are_replayed_to_any_key_of_the_tenant()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();
        var (_, otherKey) = await app.IssueKeyAsync(tenant.Id, ["orders:read", "orders:write"]);

        var first = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)), "plain-1");
        using var other = app.Client(otherKey);
        var replay = await other.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)), "plain-1");

        Assert.Equal(first.Str("id"), replay.Str("id"));
        Assert.True(await app.Database.ScalarAsync<bool>(
            "SELECT sealed_for IS NULL FROM idempotency_records WHERE scope = $1 AND key = $2", tenant.Id, "plain-1"));
    }

    /// <summary>Reads the table directly: the record exists, and neither the secret nor its prefix is in it.</summary>
    private async Task AssertStoredWithoutAsync(string scope, string idempotencyKey, string secret)
    {
        var stored = await app.Database.ScalarAsync<byte[]>(
            "SELECT body FROM idempotency_records WHERE scope = $1 AND key = $2", scope, idempotencyKey);
        var text = System.Text.Encoding.UTF8.GetString(stored);
        Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("oc_live_", text, StringComparison.Ordinal);
        Assert.DoesNotContain("whsec_", text, StringComparison.Ordinal);
        Assert.NotNull(await app.Database.ScalarAsync<string>(
            "SELECT sealed_for FROM idempotency_records WHERE scope = $1 AND key = $2", scope, idempotencyKey));
    }
}
