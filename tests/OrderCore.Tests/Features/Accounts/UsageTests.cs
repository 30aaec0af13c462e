using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderCore.Api.Platform.Usage;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Accounts;

public sealed class UsageTests(AppFixture app)
{
    [Fact]
    public async Task Usage_counts_this_months_orders_and_requests_and_projects_the_month_linearly()
    {
        // 14 of November's 30 days have passed: the projection scales by 30/14.
        var clock = new FakeClock(new DateTimeOffset(2026, 11, 15, 0, 0, 0, TimeSpan.Zero));
        await using var factory = app.FactoryWithClock(clock, new() { ["Plans:TrialOrderQuota"] = "10", ["Usage:FlushInterval"] = "01:00:00" });
        var baseAddress = factory.Start();
        var (tenantId, key) = await app.CreateTenantOnAsync(baseAddress);
        var tenant = new TestTenant(app, tenantId, key);
        var sku = await tenant.SeedSkuAsync(stock: 100);
        using var client = app.Client(key, baseAddress);
        for (var i = 0; i < 7; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)))).Status);
        }

        // an order of last month does not count
        await app.Database.ExecuteAsync(
            "UPDATE orders SET created_at = '2026-10-31T23:59:59Z' WHERE tenant_id = $1 AND id = (SELECT min(id) FROM orders WHERE tenant_id = $1)", tenantId);

        var usage = await client.GetJsonAsync("/v1/account/usage");

        Assert.Equal(HttpStatusCode.OK, usage.Status);
        Assert.Equal("2026-11", usage.Str("period"));
        Assert.Equal(6, usage.Body.GetProperty("orders_created").GetInt64());
        Assert.Equal(8, usage.Body.GetProperty("api_requests").GetInt64()); // 7 orders and this request
        Assert.Equal(0, usage.Body.GetProperty("webhook_deliveries").GetInt64());
        Assert.Equal(10, usage.Body.GetProperty("order_quota").GetInt64());
        Assert.Equal(13, usage.Body.GetProperty("projected_orders").GetInt64()); // ceil(6 * 30 / 14)
        Assert.True(usage.Body.GetProperty("projected_exceeds_quota").GetBoolean());

        // nothing was written per request: the counts reach the table when the flusher runs
        Assert.Equal(0, await app.Database.ScalarAsync<long>("SELECT count(*) FROM api_usage WHERE tenant_id = $1", tenantId));
        await factory.Services.GetServices<IHostedService>().OfType<ApiUsageFlusher>().Single().RunOnceAsync(CancellationToken.None);
        Assert.Equal(8, await app.Database.ScalarAsync<long>("SELECT api_requests FROM api_usage WHERE tenant_id = $1 AND month = '2026-11-01'", tenantId));
        var after = await client.GetJsonAsync("/v1/account/usage");
        Assert.Equal(9, after.Body.GetProperty("api_requests").GetInt64());

        // the next month starts from zero
        clock.Advance(TimeSpan.FromDays(16));
        var december = await client.GetJsonAsync("/v1/account/usage");
        Assert.Equal("2026-12", december.Str("period"));
        Assert.Equal(0, december.Body.GetProperty("orders_created").GetInt64());
        Assert.Equal(1, december.Body.GetProperty("api_requests").GetInt64());
        Assert.Equal(0, december.Body.GetProperty("projected_orders").GetInt64());
        Assert.False(december.Body.GetProperty("projected_exceeds_quota").GetBoolean());

        // what was counted since the last flush is written when the instance stops
        await client.GetJsonAsync("/v1/orders");
        await factory.DisposeAsync();
        Assert.Equal(2, await app.Database.ScalarAsync<long>("SELECT api_requests FROM api_usage WHERE tenant_id = $1 AND month = '2026-12-01'", tenantId));
    }

    [Fact]
    public async Task Usage_within_the_quota_does_not_exceed_it()
    {
        var tenant = await app.CreateTenantAsync();

        var usage = await tenant.Client.GetJsonAsync("/v1/account/usage");

        Assert.Equal(0, usage.Body.GetProperty("orders_created").GetInt64());
        Assert.Equal(100, usage.Body.GetProperty("order_quota").GetInt64());
        Assert.False(usage.Body.GetProperty("projected_exceeds_quota").GetBoolean());
        Assert.True(usage.Body.GetProperty("api_requests").GetInt64() >= 1);
    }
}
