using System.Net;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Platform;

public sealed class IdempotencyTests(AppFixture app)
{
    [Fact]
    public async Task A_replay_returns_the_stored_order_and_creates_nothing()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 5);

        var first = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 2)), "key-replay");
        var replay = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 2)), "key-replay");

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Null(first.Header("Idempotent-Replayed"));
        Assert.Equal(HttpStatusCode.Created, replay.Status);
        Assert.Equal("true", replay.Header("Idempotent-Replayed"));
        Assert.Equal(first.Body.GetRawText(), replay.Body.GetRawText());
        Assert.Equal(first.Message.Headers.Location, replay.Message.Headers.Location);
        Assert.Equal(1, await tenant.CountAsync("orders"));
        Assert.Equal((5, 2), await tenant.StockAsync(sku.SkuId));
        var list = await tenant.Client.GetJsonAsync("/v1/orders");
        Assert.Equal(1, list.Body.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task The_body_field_works_like_the_header()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();
        var body = new { items = new[] { new { sku_id = sku.SkuId, quantity = 1 } }, idempotency_key = "body-key-1" };

        var first = await tenant.Client.PostJsonAsync("/v1/orders", body);
        var replay = await tenant.Client.PostJsonAsync("/v1/orders", body);
        var sameInHeaderToo = await tenant.Client.PostJsonAsync("/v1/orders", body, "body-key-1");

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal("true", replay.Header("Idempotent-Replayed"));
        Assert.Equal(first.Str("id"), replay.Str("id"));
        Assert.Equal(first.Str("id"), sameInHeaderToo.Str("id"));
        Assert.Equal(1, await tenant.CountAsync("orders"));
    }

    [Fact]
    public async Task Header_and_body_field_that_differ_are_rejected()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();
        var body = new { items = new[] { new { sku_id = sku.SkuId, quantity = 1 } }, idempotency_key = "in-body" };

        var answer = await tenant.Client.PostJsonAsync("/v1/orders", body, "in-header");

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty("idempotency_key", out _));
        Assert.Equal(0, await tenant.CountAsync("orders"));
    }

    [Fact]
    public async Task The_same_key_with_a_different_body_is_a_mismatch()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();

        await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)), "key-mismatch");
        var other = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 3)), "key-mismatch");

        other.AssertError(HttpStatusCode.UnprocessableEntity, "idempotency_key_mismatch");
        Assert.Equal(1, await tenant.CountAsync("orders"));
        Assert.Equal((100, 1), await tenant.StockAsync(sku.SkuId));
    }

    [Fact]
    public async Task The_same_key_on_another_path_is_a_mismatch()
    {
        var tenant = await app.CreateTenantAsync();

        await tenant.Client.PostJsonAsync("/v1/onboarding/demo-data", new { }, "key-path");
        var order = await tenant.Client.PostJsonAsync("/v1/orders", new { }, "key-path");

        order.AssertError(HttpStatusCode.UnprocessableEntity, "idempotency_key_mismatch");
    }

    [Fact]
    public async Task Twenty_parallel_requests_with_one_key_create_exactly_one_order()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 50);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(_ => Task.Run(() => tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)), "key-parallel"))));

        var created = answers.Where(a => a.Status == HttpStatusCode.Created).ToList();
        Assert.NotEmpty(created);
        Assert.Single(created.Select(a => a.Str("id")).Distinct());
        foreach (var answer in answers.Where(a => a.Status != HttpStatusCode.Created))
        {
            answer.AssertError(HttpStatusCode.Conflict, "idempotency_key_in_use");
        }

        Assert.Equal(1, await tenant.CountAsync("orders"));
        Assert.Equal((50, 1), await tenant.StockAsync(sku.SkuId));
    }

    [Fact]
    public async Task Parallel_retries_of_a_finished_request_are_all_replayed()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();
        var first = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)), "key-finished");

        var retries = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(_ => Task.Run(() => tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)), "key-finished"))));

        Assert.All(retries, r =>
        {
            Assert.Equal(HttpStatusCode.Created, r.Status);
            Assert.Equal("true", r.Header("Idempotent-Replayed"));
            Assert.Equal(first.Str("id"), r.Str("id"));
        });
        Assert.Equal(1, await tenant.CountAsync("orders"));
    }

    [Fact]
    public async Task Keys_are_scoped_to_the_tenant()
    {
        var tenantA = await app.CreateTenantAsync();
        var tenantB = await app.CreateTenantAsync();
        var skuA = await tenantA.SeedSkuAsync();
        var skuB = await tenantB.SeedSkuAsync();

        var orderA = await tenantA.Client.PostJsonAsync("/v1/orders", Http.Order((skuA.SkuId, 1)), "shared-key");
        var orderB = await tenantB.Client.PostJsonAsync("/v1/orders", Http.Order((skuB.SkuId, 1)), "shared-key");

        Assert.Equal(HttpStatusCode.Created, orderA.Status);
        Assert.Equal(HttpStatusCode.Created, orderB.Status);
        Assert.Null(orderB.Header("Idempotent-Replayed"));
        Assert.NotEqual(orderA.Str("id"), orderB.Str("id"));
    }

    [Fact]
    public async Task A_client_error_is_stored_and_replayed_but_changes_nothing()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 1);

        var first = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 5)), "key-4xx");
        var replay = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 5)), "key-4xx");

        first.AssertError(HttpStatusCode.Conflict, "insufficient_stock");
        Assert.Equal(HttpStatusCode.Conflict, replay.Status);
        Assert.Equal("true", replay.Header("Idempotent-Replayed"));
        Assert.Equal(first.Str("message"), replay.Str("message"));
        Assert.Equal((1, 0), await tenant.StockAsync(sku.SkuId));
        Assert.Equal(0, await tenant.CountAsync("orders"));
    }

    [Theory]
    [InlineData(256)]
    [InlineData(0)]
    public async Task Keys_longer_than_255_characters_or_empty_are_rejected(int length)
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();
        var body = new { items = new[] { new { sku_id = sku.SkuId, quantity = 1 } }, idempotency_key = new string('k', length) };

        var answer = await tenant.Client.PostJsonAsync("/v1/orders", body);

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(0, await tenant.CountAsync("orders"));
    }

    [Fact]
    public async Task The_order_and_its_idempotency_record_commit_together()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();

        var order = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)), "key-atomic");

        var stored = await app.Database.ScalarAsync<int>(
            "SELECT status_code FROM idempotency_records WHERE scope = $1 AND key = $2", tenant.Id, "key-atomic");
        Assert.Equal(201, stored);
        Assert.Equal(HttpStatusCode.Created, order.Status);
    }
}
