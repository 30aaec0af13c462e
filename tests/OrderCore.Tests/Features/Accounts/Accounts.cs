using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Accounts;

/// <summary>Key and tenant helpers for the account tests: keys are minted through the real admin route.</summary>
public static class Accounts
{
    /// <summary>A key with exactly <paramref name="scopes"/>, issued by the operator for <paramref name="tenantId"/>.</summary>
    public static async Task<(string Id, string Key)> IssueKeyAsync(this AppFixture app, string tenantId, string[] scopes, int? ttlDays = null,
        int? rateLimitPerMinute = null, Uri? baseAddress = null)
    {
        using var admin = app.AdminClient(baseAddress);
        var answer = await admin.PostJsonAsync($"/admin/v1/tenants/{tenantId}/api-keys",
            new { name = "test key", scopes, ttl_days = ttlDays, rate_limit_per_minute = rateLimitPerMinute });
        Assert.True(answer.Status == HttpStatusCode.Created, answer.Body.ToString());
        return (answer.Str("id"), answer.Str("key"));
    }

    /// <summary>A new tenant created on another instance (e.g. one with a fake clock); answers its id and full-access key.</summary>
    public static async Task<(string Id, string Key)> CreateTenantOnAsync(this AppFixture app, Uri baseAddress)
    {
        using var admin = app.AdminClient(baseAddress);
        var answer = await admin.PostJsonAsync("/admin/v1/tenants", new { name = $"Tenant {Guid.NewGuid():N}" });
        Assert.Equal(HttpStatusCode.Created, answer.Status);
        return (answer.Body.GetProperty("tenant").GetProperty("id").GetString()!, answer.Body.GetProperty("api_key").GetProperty("key").GetString()!);
    }

    /// <summary>A separate instance of the app on the same database, with a fake clock and extra settings.</summary>
    public static OrderCoreFactory FactoryWithClock(this AppFixture app, FakeClock clock, Dictionary<string, string?>? settings = null)
    {
        var all = app.Settings();
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        return new OrderCoreFactory(all, services => services.AddSingleton<TimeProvider>(clock));
    }
}
