using System.Net;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Orders;

public sealed class StockReservationTests(AppFixture app)
{
    [Fact]
    public async Task Thirty_parallel_orders_against_stock_of_ten_create_exactly_ten()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 10);

        var answers = await Task.WhenAll(Enumerable.Range(0, 30)
            .Select(i => Task.Run(() => tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)), $"stock-{i}"))));

        Assert.Equal(10, answers.Count(a => a.Status == HttpStatusCode.Created));
        foreach (var rejected in answers.Where(a => a.Status != HttpStatusCode.Created))
        {
            rejected.AssertError(HttpStatusCode.Conflict, "insufficient_stock");
            Assert.Equal(sku.SkuId, rejected.Str("sku_id"));
            Assert.Contains(sku.SkuCode, rejected.Str("message"), StringComparison.Ordinal);
        }

        Assert.Equal((10, 10), await tenant.StockAsync(sku.SkuId));
        Assert.Equal(10, await tenant.CountAsync("orders"));
        Assert.Equal(10, await tenant.CountAsync("inventory_reservations"));
        // Numbers are taken only after stock is reserved, so the 20 refused orders leave no gaps.
        var numbers = answers.Where(a => a.Status == HttpStatusCode.Created).Select(a => a.Str("order_number")).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 10).Select(n => $"OC-{n:D6}"), numbers);
    }

    [Fact]
    public async Task Parallel_two_line_orders_in_opposite_sku_order_neither_deadlock_nor_oversell()
    {
        var tenant = await app.CreateTenantAsync();
        var a = await tenant.SeedSkuAsync(stock: 15);
        var b = await tenant.SeedSkuAsync(stock: 15);

        var answers = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => Task.Run(() =>
            tenant.Client.PostJsonAsync("/v1/orders", i % 2 == 0 ? Http.Order((a.SkuId, 1), (b.SkuId, 1)) : Http.Order((b.SkuId, 1), (a.SkuId, 1))))));

        Assert.All(answers, x => Assert.True(x.Status is HttpStatusCode.Created or HttpStatusCode.Conflict, x.Body.ToString()));
        Assert.Equal(15, answers.Count(x => x.Status == HttpStatusCode.Created));
        Assert.Equal((15, 15), await tenant.StockAsync(a.SkuId));
        Assert.Equal((15, 15), await tenant.StockAsync(b.SkuId));
    }

    [Fact]
    public async Task Many_tenants_ordering_at_once_with_the_same_keys_each_get_their_own_orders_stock_and_numbers()
    {
        var tenants = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => app.CreateTenantAsync()));
        var skus = await Task.WhenAll(tenants.Select(t => t.SeedSkuAsync(stock: 5)));

        // Every tenant sends the same eight keys twice, all at once: keys are per tenant, stock is per tenant's SKU.
        var answers = await Task.WhenAll(tenants.SelectMany((tenant, t) => Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
            (Tenant: t, Answer: await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((skus[t].SkuId, 1)), $"shared-key-{i % 8}"))))));

        for (var t = 0; t < tenants.Length; t++)
        {
            var mine = answers.Where(a => a.Tenant == t).Select(a => a.Answer).ToList();
            Assert.All(mine, a => Assert.True(a.Status is HttpStatusCode.Created or HttpStatusCode.Conflict, a.Body.ToString()));
            var created = mine.Where(a => a.Status == HttpStatusCode.Created).Select(a => a.Str("id")).Distinct().ToList();
            Assert.Equal(5, created.Count);
            Assert.Equal((5, 5), await tenants[t].StockAsync(skus[t].SkuId));
            Assert.Equal(5, await tenants[t].CountAsync("orders"));
            var numbers = mine.Where(a => a.Status == HttpStatusCode.Created).Select(a => a.Str("order_number")).Distinct().Order().ToList();
            Assert.Equal(Enumerable.Range(1, 5).Select(n => $"OC-{n:D6}"), numbers);
        }
    }

    [Fact]
    public async Task Reservations_and_movements_match_the_levels()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 20);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 3))))));

        var (_, reserved) = await tenant.StockAsync(sku.SkuId);
        Assert.Equal(18, reserved);
        Assert.Equal(reserved, await app.Database.ScalarAsync<long>(
            "SELECT coalesce(sum(quantity), 0) FROM inventory_reservations WHERE tenant_id = $1 AND sku_id = $2 AND status = 'active'", tenant.Id, sku.SkuId));
        Assert.Equal(reserved, await app.Database.ScalarAsync<long>(
            "SELECT coalesce(sum(reserved_delta), 0) FROM inventory_movements WHERE tenant_id = $1 AND sku_id = $2", tenant.Id, sku.SkuId));
    }
}
