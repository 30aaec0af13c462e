using System.Globalization;
using System.Net;
using Npgsql;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Orders;

/// <summary>
/// Order numbers (<c>OC-000123</c>): unique and increasing per tenant, from the tenant's own sequence; a failed or
/// rolled-back order may leave a gap, and no order waits for another one's number.
/// </summary>
public sealed class OrderNumberTests(AppFixture app)
{
    [Fact]
    public async Task Each_tenant_starts_at_OC_000001_and_counts_independently()
    {
        var a = await app.CreateTenantAsync();
        var b = await app.CreateTenantAsync();
        var skuA = await a.SeedSkuAsync();
        var skuB = await b.SeedSkuAsync();

        var numbers = new List<(char Tenant, string Number)>();
        foreach (var who in "AABABA")
        {
            var (tenant, sku) = who == 'A' ? (a, skuA) : (b, skuB);
            var answer = await tenant.PlaceAsync(Http.Order((sku.SkuId, 1)));
            numbers.Add((who, answer.Str("order_number")));
        }

        Assert.Equal(new[] { "OC-000001", "OC-000002", "OC-000003", "OC-000004" }, numbers.Where(n => n.Tenant == 'A').Select(n => n.Number));
        Assert.Equal(new[] { "OC-000001", "OC-000002" }, numbers.Where(n => n.Tenant == 'B').Select(n => n.Number));
    }

    [Fact]
    public async Task Twenty_parallel_orders_get_distinct_numbers_and_a_later_order_a_larger_one()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await UnstockedSkuAsync(tenant);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(i => Task.Run(() => tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)), $"numbers-{i}"))));
        var later = await tenant.PlaceAsync(Http.Order((sku.SkuId, 1)));

        Assert.All(answers, a => Assert.True(a.Status == HttpStatusCode.Created, a.Body.ToString()));
        var numbers = answers.Select(a => Number(a)).ToList();
        Assert.Equal(20, numbers.Distinct().Count());
        Assert.All(numbers, n => Assert.InRange(n, 1, long.MaxValue));
        Assert.True(Number(later) > numbers.Max(), $"later order {later.Str("order_number")} is not after {numbers.Max()}");
        Assert.Equal(21, await tenant.CountAsync("orders"));
    }

    [Fact]
    public async Task Numbering_continues_with_a_larger_number_after_a_failed_order()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 2);

        var first = await tenant.PlaceAsync(Http.Order((sku.SkuId, 1)));
        (await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 5))))
            .AssertError(HttpStatusCode.Conflict, "insufficient_stock");
        var second = await tenant.PlaceAsync(Http.Order((sku.SkuId, 1)));

        Assert.Equal("OC-000001", first.Str("order_number"));
        Assert.True(Number(second) > Number(first), $"{second.Str("order_number")} is not after {first.Str("order_number")}");
        Assert.Equal(2, await tenant.CountAsync("orders"));
    }

    [Fact(Timeout = 60_000)]
    public async Task An_order_does_not_wait_for_another_orders_open_transaction_and_a_rollback_leaves_a_gap()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();
        var cancellation = TestContext.Current.CancellationToken;
        await using var connection = await app.Database.DataSource.OpenConnectionAsync(cancellation);
        await using var openOrder = await connection.BeginTransactionAsync(cancellation);
        long taken;
        await using (var next = new NpgsqlCommand("SELECT next_order_number($1)", connection, openOrder))
        {
            next.Parameters.Add(new NpgsqlParameter { Value = tenant.Id });
            taken = (long)(await next.ExecuteScalarAsync(cancellation))!;
        }

        var placing = tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)));
        var finished = await Task.WhenAny(placing, Task.Delay(TimeSpan.FromSeconds(10), cancellation)) == placing;
        await openOrder.RollbackAsync(cancellation);
        var after = await tenant.PlaceAsync(Http.Order((sku.SkuId, 1)));

        Assert.True(finished, "the order waited for another transaction holding an order number");
        var placed = await placing;
        Assert.True(placed.Status == HttpStatusCode.Created, placed.Body.ToString());
        Assert.Equal(1, taken);
        Assert.Equal("OC-000002", placed.Str("order_number"));
        Assert.Equal("OC-000003", after.Str("order_number"));
        Assert.Equal(2, await tenant.CountAsync("orders"));
    }

    [Fact]
    public async Task Provisioning_creates_the_tenants_sequence_and_racing_first_orders_recreate_a_missing_one()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await UnstockedSkuAsync(tenant);
        Assert.True(await SequenceExistsAsync(tenant));

        // As for a tenant from before the sequences: the first orders create it, one at a time.
        await app.Database.ExecuteAsync($"DROP SEQUENCE \"order_numbers_{tenant.Id}\"");
        var answers = await Task.WhenAll(Enumerable.Range(0, 10)
            .Select(_ => Task.Run(() => tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1))))));

        Assert.All(answers, a => Assert.True(a.Status == HttpStatusCode.Created, a.Body.ToString()));
        Assert.Equal(10, answers.Select(a => Number(a)).Distinct().Count());
        Assert.True(await SequenceExistsAsync(tenant));
    }

    /// <summary>
    /// A SKU without stock tracking: parallel orders of a tracked SKU queue on its stock row before they take a
    /// number, and so would never take numbers at the same moment.
    /// </summary>
    private static Task<SeededSku> UnstockedSkuAsync(TestTenant tenant) => tenant.SeedSkuAsync(trackInventory: false);

    private static long Number(ApiResponse order) =>
        long.Parse(order.Str("order_number").AsSpan("OC-".Length), NumberStyles.None, CultureInfo.InvariantCulture);

    private Task<bool> SequenceExistsAsync(TestTenant tenant) =>
        app.Database.ScalarAsync<bool>("SELECT to_regclass(format('%I', 'order_numbers_' || $1)) IS NOT NULL", tenant.Id);
}
