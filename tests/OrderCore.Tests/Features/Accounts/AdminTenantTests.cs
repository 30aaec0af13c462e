using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Accounts;

/// <summary><c>POST /admin/v1/tenants</c>: the operator creates a tenant and its first key.</summary>
public sealed class AdminTenantTests(AppFixture app)
{
    [Fact]
    public async Task The_admin_token_creates_a_tenant_and_a_working_key()
    {
        using var admin = app.AdminClient();
        var name = $"Acme {Guid.NewGuid():N}";

        var answer = await admin.PostJsonAsync("/admin/v1/tenants", new { name, rate_limit_per_minute = 1000 });

        Assert.True(answer.Status == HttpStatusCode.Created, $"{(int)answer.Status}: {answer.Body}");
        Assert.Equal(new[] { "api_key", "tenant" }, answer.Body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var tenant = answer.Body.GetProperty("tenant");
        var apiKey = answer.Body.GetProperty("api_key");
        var tenantId = tenant.GetProperty("id").GetString()!;
        Assert.StartsWith("ten_", tenantId);
        Assert.Equal(name, tenant.GetProperty("name").GetString());
        Assert.Matches("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$", tenant.GetProperty("created_at").GetString()!);

        Assert.StartsWith("key_", apiKey.GetProperty("id").GetString());
        var key = apiKey.GetProperty("key").GetString()!;
        Assert.Matches("^oc_live_[A-Za-z0-9_-]{32,}$", key);
        var prefix = apiKey.GetProperty("prefix").GetString()!;
        Assert.StartsWith(prefix, key, StringComparison.Ordinal);
        Assert.True(prefix.Length > "oc_live_".Length && prefix.Length < key.Length - 16, $"prefix '{prefix}' should be a short display prefix");
        Assert.NotEmpty(apiKey.GetProperty("scopes").EnumerateArray());
        Assert.All(apiKey.GetProperty("scopes").EnumerateArray(), s => Assert.False(string.IsNullOrEmpty(s.GetString())));
        Assert.Matches("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$", apiKey.GetProperty("created_at").GetString()!);

        using var client = app.Client(key);
        var orders = await client.GetJsonAsync("/v1/orders");
        Assert.Equal(HttpStatusCode.OK, orders.Status);
        Assert.Equal(0, orders.Body.GetProperty("total").GetInt32());

        using var bearer = app.Client();
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetJsonAsync("/v1/orders")).Status);

        // the key's tenant is the new tenant
        var tenantRow = await app.Database.ScalarAsync<string>("SELECT name FROM tenants WHERE id = $1", tenantId);
        Assert.Equal(name, tenantRow);
    }

    [Fact]
    public async Task Only_a_hash_and_the_display_prefix_of_the_key_are_stored()
    {
        using var admin = app.AdminClient();

        var answer = await admin.PostJsonAsync("/admin/v1/tenants", new { name = "Hash check" });

        Assert.Equal(HttpStatusCode.Created, answer.Status);
        var tenantId = answer.Body.GetProperty("tenant").GetProperty("id").GetString()!;
        var keyId = answer.Body.GetProperty("api_key").GetProperty("id").GetString()!;
        var key = answer.Body.GetProperty("api_key").GetProperty("key").GetString()!;
        var prefix = answer.Body.GetProperty("api_key").GetProperty("prefix").GetString()!;

        // every column of the key's row, as text: none holds the key (nor its secret part)
        var secretPart = key["oc_live_".Length..];
        var columns = new List<(string Column, string? Value)>();
        await using (var command = app.Database.DataSource.CreateCommand(
                         "SELECT kv.key, kv.value #>> '{}' FROM api_keys k, jsonb_each(to_jsonb(k)) kv WHERE k.tenant_id = $1"))
        {
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = tenantId });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                columns.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
            }
        }

        Assert.NotEmpty(columns);
        Assert.All(columns, c =>
        {
            Assert.NotEqual(key, c.Value);
            Assert.DoesNotContain(secretPart, c.Value ?? "", StringComparison.Ordinal);
        });

        byte[] storedHash;
        string storedPrefix;
        await using (var command = app.Database.DataSource.CreateCommand("SELECT key_hash, prefix FROM api_keys WHERE tenant_id = $1 AND id = $2"))
        {
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = tenantId });
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = keyId });
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync(), "the key row is missing");
            storedHash = (byte[])reader.GetValue(0);
            storedPrefix = reader.GetString(1);
        }

        Assert.Equal(32, storedHash.Length);
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(key)), storedHash);
        Assert.Equal(prefix, storedPrefix);
    }

    [Fact]
    public async Task Two_tenants_get_different_keys()
    {
        using var admin = app.AdminClient();

        var first = await admin.PostJsonAsync("/admin/v1/tenants", new { name = "One" });
        var second = await admin.PostJsonAsync("/admin/v1/tenants", new { name = "Two" });

        Assert.NotEqual(KeyOf(first), KeyOf(second));
        Assert.NotEqual(first.Body.GetProperty("tenant").GetProperty("id").GetString(), second.Body.GetProperty("tenant").GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("none")]
    [InlineData("wrong")]
    [InlineData("api-key")]
    [InlineData("x-api-key-header")]
    public async Task Without_the_admin_token_the_answer_is_401_and_nothing_is_created(string variant)
    {
        var tenant = await app.CreateTenantAsync();
        using var client = app.Client();
        var name = $"Intruder {Guid.NewGuid():N}";
        var headers = variant switch
        {
            "none" => new Dictionary<string, string>(),
            "wrong" => new Dictionary<string, string> { ["Authorization"] = "Bearer " + app.AdminToken + "x" },
            "api-key" => new Dictionary<string, string> { ["Authorization"] = "Bearer " + tenant.ApiKey },
            "x-api-key-header" => new Dictionary<string, string> { ["X-API-Key"] = app.AdminToken },
            _ => throw new ArgumentOutOfRangeException(nameof(variant)),
        };

        var answer = await client.SendAsync(HttpMethod.Post, "/admin/v1/tenants", new { name }, headers);

        answer.AssertError(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.DoesNotContain(app.AdminToken, answer.Body.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(0, await app.Database.ScalarAsync<long>("SELECT count(*) FROM tenants WHERE name = $1", name));
    }

    [Theory]
    [InlineData("""{}""", "name")]
    [InlineData("""{"name":""}""", "name")]
    [InlineData("""{"name":null}""", "name")]
    [InlineData("""{"name":42}""", "name")]
    [InlineData("""{"name":"Ok","plan":"gold"}""", "plan")]
    [InlineData("""{"name":"Ok","rate_limit_per_minute":"many"}""", "rate_limit_per_minute")]
    public async Task An_invalid_body_answers_400_validation_failed(string body, string field)
    {
        using var admin = app.AdminClient();

        var answer = await admin.SendAsync(HttpMethod.Post, "/admin/v1/tenants", body);

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}: {answer.Body}");
        // other tests create tenants concurrently, under other names; this one must not have added one
        Assert.Equal(0, await app.Database.ScalarAsync<long>("SELECT count(*) FROM tenants WHERE name IN ('Ok', '')"));
    }

    [Fact]
    public async Task Malformed_json_answers_400_invalid_json()
    {
        using var admin = app.AdminClient();

        var answer = await admin.SendAsync(HttpMethod.Post, "/admin/v1/tenants", """{"name": "x" """);

        answer.AssertError(HttpStatusCode.BadRequest, "invalid_json");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Without_ORDERCORE_ADMIN_TOKEN_the_admin_routes_answer_404(bool removeTheSetting)
    {
        var settings = app.Settings();
        if (removeTheSetting)
        {
            settings.Remove("ORDERCORE_ADMIN_TOKEN");
        }
        else
        {
            settings["ORDERCORE_ADMIN_TOKEN"] = "";
        }

        await using var factory = new OrderCoreFactory(settings);
        var baseAddress = factory.Start();
        using var client = app.Client(baseAddress: baseAddress);
        var name = $"No admin {Guid.NewGuid():N}";

        var withOldToken = await client.SendAsync(HttpMethod.Post, "/admin/v1/tenants", new { name },
            new Dictionary<string, string> { ["Authorization"] = "Bearer " + app.AdminToken });
        var withEmptyToken = await client.SendAsync(HttpMethod.Post, "/admin/v1/tenants", new { name },
            new Dictionary<string, string> { ["Authorization"] = "Bearer " });
        var anonymous = await client.SendAsync(HttpMethod.Post, "/admin/v1/tenants", new { name });
        var health = await client.GetJsonAsync("/health");

        withOldToken.AssertError(HttpStatusCode.NotFound, "not_found");
        withEmptyToken.AssertError(HttpStatusCode.NotFound, "not_found");
        anonymous.AssertError(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(HttpStatusCode.OK, health.Status);
        Assert.Equal(0, await app.Database.ScalarAsync<long>("SELECT count(*) FROM tenants WHERE name = $1", name));
    }

    private static string KeyOf(ApiResponse answer)
    {
        Assert.Equal(HttpStatusCode.Created, answer.Status);
        return answer.Body.GetProperty("api_key").GetProperty("key").GetString()!;
    }
}
