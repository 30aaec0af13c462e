using System.Net;
using OrderCore.Tests.Features.Accounts;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Platform;

/// <summary>
/// Keys are cached per instance (ApiKeyCache); every change to a key or tenant must still reach every
/// instance, including keys each instance has already cached.
/// </summary>
public sealed class AuthCacheTests(AppFixture app)
{
    [Fact]
    public async Task Suspending_a_tenant_reaches_keys_already_cached_on_every_instance()
    {
        var tenant = await app.CreateTenantAsync();
        await using var other = new OrderCoreFactory(app.Settings());
        using var onOther = app.Client(tenant.ApiKey, other.Start());
        using var admin = app.AdminClient();
        Assert.Equal(HttpStatusCode.OK, (await tenant.Client.GetJsonAsync("/v1/orders")).Status);
        Assert.Equal(HttpStatusCode.OK, (await onOther.GetJsonAsync("/v1/orders")).Status);

        await admin.SendAsync(HttpMethod.Patch, $"/admin/v1/tenants/{tenant.Id}", new { status = "suspended" });

        (await tenant.Client.GetJsonAsync("/v1/orders")).AssertError(HttpStatusCode.Forbidden, "tenant_suspended");
        (await onOther.GetJsonAsync("/v1/orders")).AssertError(HttpStatusCode.Forbidden, "tenant_suspended");

        await admin.SendAsync(HttpMethod.Patch, $"/admin/v1/tenants/{tenant.Id}", new { status = "active" });

        Assert.Equal(HttpStatusCode.OK, (await tenant.Client.GetJsonAsync("/v1/orders")).Status);
        Assert.Equal(HttpStatusCode.OK, (await onOther.GetJsonAsync("/v1/orders")).Status);
    }

    [Fact]
    public async Task A_key_revoked_in_the_database_directly_stops_working_on_every_instance()
    {
        var tenant = await app.CreateTenantAsync();
        var (keyId, key) = await app.IssueKeyAsync(tenant.Id, ["orders:read"]);
        await using var other = new OrderCoreFactory(app.Settings());
        using var onOther = app.Client(key, other.Start());
        using var onShared = app.Client(key);
        Assert.Equal(HttpStatusCode.OK, (await onShared.GetJsonAsync("/v1/orders")).Status);
        Assert.Equal(HttpStatusCode.OK, (await onOther.GetJsonAsync("/v1/orders")).Status);

        // Not through the API: only the table's trigger (NOTIFY ordercore_auth) tells the instances.
        await app.Database.ExecuteAsync("UPDATE api_keys SET revoked_at = now() WHERE id = $1", keyId);

        Assert.True(await AnswersAsync(onShared, HttpStatusCode.Unauthorized), "the shared instance still accepts the revoked key");
        Assert.True(await AnswersAsync(onOther, HttpStatusCode.Unauthorized), "the other instance still accepts the revoked key");
    }

    [Fact]
    public async Task Parallel_requests_of_two_tenants_on_pooled_contexts_only_ever_see_their_own_orders()
    {
        var a = await app.CreateTenantAsync();
        var b = await app.CreateTenantAsync();
        var ordersOf = new Dictionary<string, HashSet<string>>();
        foreach (var tenant in new[] { a, b })
        {
            var sku = await tenant.SeedSkuAsync();
            ordersOf[tenant.Id] = [];
            for (var i = 0; i < 3; i++)
            {
                ordersOf[tenant.Id].Add((await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)))).Str("id"));
            }
        }

        var lists = await Task.WhenAll(Enumerable.Range(0, 60).Select(async i =>
        {
            var tenant = i % 2 == 0 ? a : b;
            var answer = await tenant.Client.GetJsonAsync("/v1/orders");
            Assert.Equal(HttpStatusCode.OK, answer.Status);
            return (tenant.Id, Ids: answer.Body.GetProperty("data").EnumerateArray().Select(o => o.GetProperty("id").GetString()!).ToHashSet());
        }));

        Assert.All(lists, list => Assert.True(ordersOf[list.Id].SetEquals(list.Ids), $"tenant {list.Id} saw {string.Join(", ", list.Ids)}"));
    }

    /// <summary>Whether the client's key gets <paramref name="status"/> within a few seconds (a notification is asynchronous).</summary>
    private static async Task<bool> AnswersAsync(HttpClient client, HttpStatusCode status)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if ((await client.GetJsonAsync("/v1/orders")).Status == status)
            {
                return true;
            }

            await Task.Delay(50);
        }

        return false;
    }
}
