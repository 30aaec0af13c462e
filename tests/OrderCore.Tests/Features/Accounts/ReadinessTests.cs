using System.Net;
using OrderCore.Api.Features.Accounts;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Accounts;

public sealed class ReadinessTests(AppFixture app)
{
    private static Dictionary<string, (string Status, string Detail)> Checks(ApiResponse answer) =>
        answer.Body.GetProperty("checks").EnumerateArray().ToDictionary(
            c => c.GetProperty("name").GetString()!,
            c => (c.GetProperty("status").GetString()!, c.GetProperty("detail").GetString()!));

    [Fact]
    public async Task A_new_tenant_is_not_ready_and_each_failing_check_says_why()
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await tenant.Client.GetJsonAsync("/v1/account/readiness");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.False(answer.Body.GetProperty("ready").GetBoolean());
        var checks = Checks(answer);
        Assert.Equal(["api_key_access", "api_key_ttl", "catalog", "inventory", "webhook_endpoint", "webhook_delivery", "order_created"], checks.Keys);
        Assert.Equal("pass", checks["api_key_access"].Status);
        Assert.Equal("pass", checks["api_key_ttl"].Status);
        Assert.Equal("fail", checks["catalog"].Status);
        Assert.Equal("fail", checks["inventory"].Status);
        Assert.Equal("fail", checks["order_created"].Status);
        Assert.Equal(("warn", "webhooks are not available yet"), checks["webhook_endpoint"]);
        Assert.Equal(("warn", "webhooks are not available yet"), checks["webhook_delivery"]);
    }

    [Fact]
    public async Task A_tenant_with_catalog_stock_and_an_order_is_ready_with_the_webhook_checks_warning()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 5);
        Assert.Equal(HttpStatusCode.Created, (await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)))).Status);

        var answer = await tenant.Client.GetJsonAsync("/v1/account/readiness");

        Assert.True(answer.Body.GetProperty("ready").GetBoolean(), answer.Body.ToString());
        var checks = Checks(answer);
        Assert.All(new[] { "api_key_access", "api_key_ttl", "catalog", "inventory", "order_created" }, name => Assert.Equal("pass", checks[name].Status));
        Assert.Equal("warn", checks["webhook_endpoint"].Status);
        Assert.Equal("warn", checks["webhook_delivery"].Status);
    }

    [Fact]
    public async Task Catalog_without_available_stock_fails_the_inventory_check_only()
    {
        var tenant = await app.CreateTenantAsync();
        await tenant.SeedSkuAsync(stock: 0);

        var checks = Checks(await tenant.Client.GetJsonAsync("/v1/account/readiness"));

        Assert.Equal("pass", checks["catalog"].Status);
        Assert.Equal("fail", checks["inventory"].Status);
    }

    [Fact]
    public async Task An_archived_product_is_no_catalog()
    {
        var tenant = await app.CreateTenantAsync();
        await tenant.SeedSkuAsync(productStatus: OrderCore.Api.Features.Catalog.ProductStatus.Archived);

        var checks = Checks(await tenant.Client.GetJsonAsync("/v1/account/readiness"));

        Assert.Equal("fail", checks["catalog"].Status);
    }

    [Fact]
    public async Task A_key_that_cannot_create_orders_fails_key_access()
    {
        var tenant = await app.CreateTenantAsync();
        var (_, key) = await app.IssueKeyAsync(tenant.Id, ["account:read", "orders:read"]);
        using var client = app.Client(key);

        var answer = await client.GetJsonAsync("/v1/account/readiness");

        Assert.False(answer.Body.GetProperty("ready").GetBoolean());
        Assert.Equal(("fail", "this key lacks orders:write"), Checks(answer)["api_key_access"]);
    }

    [Theory]
    [InlineData(3, "fail")]
    [InlineData(20, "warn")]
    [InlineData(90, "pass")]
    public async Task A_key_close_to_expiry_fails_or_warns_the_ttl_check(int ttlDays, string expected)
    {
        var tenant = await app.CreateTenantAsync();
        var (_, key) = await app.IssueKeyAsync(tenant.Id, ["*"], ttlDays: ttlDays);
        using var client = app.Client(key);

        var checks = Checks(await client.GetJsonAsync("/v1/account/readiness"));

        Assert.Equal(expected, checks["api_key_ttl"].Status);
        Assert.Contains("expires at", checks["api_key_ttl"].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_feature_adds_a_check_or_replaces_a_placeholder_in_place()
    {
        await using var factory = new OrderCoreFactory(app.Settings(), services => services
            .AddReadinessCheck<AlwaysWarnsCheck>()
            .ReplaceReadinessCheck<WebhookEndpointCheckPlaceholder, EndpointCheckStub>());
        var baseAddress = factory.Start();
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 5);
        using var client = app.Client(tenant.ApiKey, baseAddress);
        Assert.Equal(HttpStatusCode.Created, (await client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)))).Status);

        var answer = await client.GetJsonAsync("/v1/account/readiness");

        Assert.True(answer.Body.GetProperty("ready").GetBoolean(), answer.Body.ToString());
        var last = answer.Body.GetProperty("checks").EnumerateArray().Last();
        Assert.Equal("extra", last.GetProperty("name").GetString());
        Assert.Equal("warn", last.GetProperty("status").GetString());
        Assert.Equal(8, answer.Body.GetProperty("checks").GetArrayLength());
        var replaced = answer.Body.GetProperty("checks")[4];
        Assert.Equal(("webhook_endpoint", "pass"), (replaced.GetProperty("name").GetString(), replaced.GetProperty("status").GetString()));
    }

    private sealed class EndpointCheckStub : IReadinessCheck
    {
        public string Name => "webhook_endpoint";

        public Task<ReadinessCheckResult> CheckAsync(ReadinessContext context, CancellationToken cancellationToken) =>
            Task.FromResult(new ReadinessCheckResult(Name, ReadinessStatus.Pass, "stub endpoint"));
    }

    private sealed class AlwaysWarnsCheck : IReadinessCheck
    {
        public string Name => "extra";

        public Task<ReadinessCheckResult> CheckAsync(ReadinessContext context, CancellationToken cancellationToken) =>
            Task.FromResult(new ReadinessCheckResult(Name, ReadinessStatus.Warn, "registered by a test"));
    }
}
