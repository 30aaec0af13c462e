using System.Net;
using OrderCore.Api.Platform.Readiness;
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
        Assert.Equal("fail", checks["webhook_endpoint"].Status);
        Assert.Equal("fail", checks["webhook_delivery"].Status);
    }

    [Fact]
    public async Task A_tenant_with_catalog_stock_an_order_an_endpoint_and_a_recent_delivery_is_ready()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 5);
        Assert.Equal(HttpStatusCode.Created, (await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)))).Status);
        var endpointId = await AddEndpointAsync(tenant, active: true, "{order.*}");
        await AddDeliveryAsync(tenant, endpointId, "succeeded", updatedHoursAgo: 1);

        var answer = await tenant.Client.GetJsonAsync("/v1/account/readiness");

        Assert.True(answer.Body.GetProperty("ready").GetBoolean(), answer.Body.ToString());
        Assert.All(Checks(answer).Values, check => Assert.Equal("pass", check.Status));
    }

    [Theory]
    [InlineData(true, "{checkout.completed}", "pass")]
    [InlineData(true, "{*}", "pass")]
    [InlineData(true, "{inventory.adjusted}", "fail")]
    [InlineData(false, "{checkout.completed}", "fail")]
    public async Task The_endpoint_check_wants_an_active_endpoint_for_checkout_completed(bool active, string events, string expected)
    {
        var tenant = await app.CreateTenantAsync();
        await AddEndpointAsync(tenant, active, events);

        var checks = Checks(await tenant.Client.GetJsonAsync("/v1/account/readiness"));

        Assert.Equal(expected, checks["webhook_endpoint"].Status);
    }

    [Fact]
    public async Task The_delivery_check_wants_a_success_in_24_hours_and_no_abandoned_delivery_since()
    {
        var old = await app.CreateTenantAsync();
        var endpoint = await AddEndpointAsync(old, true, "{*}");
        await AddDeliveryAsync(old, endpoint, "succeeded", updatedHoursAgo: 30);
        var abandoned = await app.CreateTenantAsync();
        endpoint = await AddEndpointAsync(abandoned, true, "{*}");
        await AddDeliveryAsync(abandoned, endpoint, "succeeded", updatedHoursAgo: 2);
        await AddDeliveryAsync(abandoned, endpoint, "abandoned", updatedHoursAgo: 1);
        var recovered = await app.CreateTenantAsync();
        endpoint = await AddEndpointAsync(recovered, true, "{*}");
        await AddDeliveryAsync(recovered, endpoint, "abandoned", updatedHoursAgo: 3);
        await AddDeliveryAsync(recovered, endpoint, "succeeded", updatedHoursAgo: 1);

        Assert.Equal("fail", Checks(await old.Client.GetJsonAsync("/v1/account/readiness"))["webhook_delivery"].Status);
        Assert.Equal("fail", Checks(await abandoned.Client.GetJsonAsync("/v1/account/readiness"))["webhook_delivery"].Status);
        Assert.Equal("pass", Checks(await recovered.Client.GetJsonAsync("/v1/account/readiness"))["webhook_delivery"].Status);
    }

    private async Task<string> AddEndpointAsync(TestTenant tenant, bool active, string events)
    {
        var id = OrderCore.Api.Platform.Identifiers.Ids.New("we");
        await app.Database.ExecuteAsync($"""
            INSERT INTO webhook_endpoints (tenant_id, id, url, events, secret_ciphertext, active, created_at, updated_at)
            VALUES ($1, $2, 'https://example.com/', '{events}', 'x', $3, now(), now())
            """, tenant.Id, id, active);
        return id;
    }

    private async Task AddDeliveryAsync(TestTenant tenant, string endpointId, string status, int updatedHoursAgo)
    {
        var at = DateTimeOffset.UtcNow.AddHours(-updatedHoursAgo);
        await app.Database.ExecuteAsync("""
            INSERT INTO webhook_deliveries (tenant_id, id, endpoint_id, event_id, event_type, status, attempt, latency_ms, created_at, updated_at, delivered_at)
            VALUES ($1, $2, $3, $4, 'checkout.completed', $5, 1, 10, $6, $6, $7)
            """, tenant.Id, OrderCore.Api.Platform.Identifiers.Ids.New("dlv"), endpointId, OrderCore.Api.Platform.Identifiers.Ids.New("evt"),
            status, at, status == "succeeded" ? at : DBNull.Value);
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
    public async Task Another_feature_adds_a_check_or_replaces_one_in_place()
    {
        await using var factory = new OrderCoreFactory(app.Settings(), services => services
            .AddReadinessCheck<AlwaysWarnsCheck>()
            .ReplaceReadinessCheck<OrderCore.Api.Features.Webhooks.WebhookEndpointCheck, EndpointCheckStub>());
        var baseAddress = factory.Start();
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 5);
        using var client = app.Client(tenant.ApiKey, baseAddress);
        Assert.Equal(HttpStatusCode.Created, (await client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)))).Status);
        await AddDeliveryAsync(tenant, await AddEndpointAsync(tenant, active: false, "{order.*}"), "succeeded", updatedHoursAgo: 1);

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
