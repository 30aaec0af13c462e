using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OrderCore.Api.Features.Inventory;
using OrderCore.Api.Platform.Persistence;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Inventory;

/// <summary>Real parallel requests against one level: nothing is oversold, and the counters never drift from the movements.</summary>
public sealed class InventoryConcurrencyTests(AppFixture app)
{
    [Fact]
    public async Task Fifty_parallel_reservations_against_on_hand_ten_reserve_exactly_ten()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(10);

        var answers = await Task.WhenAll(Enumerable.Range(0, 50)
            .Select(_ => Task.Run(() => tenant.ReserveAsync(new { sku_id = sku.SkuId, quantity = 1 }))));

        Assert.Equal(10, answers.Count(a => a.Status == HttpStatusCode.Created));
        foreach (var rejected in answers.Where(a => a.Status != HttpStatusCode.Created))
        {
            rejected.AssertError(HttpStatusCode.Conflict, "insufficient_stock");
            Assert.Equal(sku.SkuId, rejected.Str("sku_id"));
        }

        Assert.Equal((10, 10), await tenant.StockAsync(sku.SkuId));
        Assert.Equal(10, await tenant.CountAsync("inventory_reservations"));
        Assert.Empty(await app.DriftAsync(tenant));
    }

    [Fact]
    public async Task Parallel_adjustments_with_the_same_expected_on_hand_let_exactly_one_win()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(10);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => tenant.AdjustAsync(i % 2 == 0
            ? new { sku_id = sku.SkuId, delta = (int?)(i + 1), set_on_hand = (int?)null, reason = $"count {i}", expected_on_hand = 10 }
            : new { sku_id = sku.SkuId, delta = (int?)null, set_on_hand = (int?)(100 + i), reason = $"count {i}", expected_on_hand = 10 }))));

        var winner = Assert.Single(answers, a => a.Status == HttpStatusCode.OK);
        foreach (var loser in answers.Where(a => a.Status != HttpStatusCode.OK))
        {
            loser.AssertError(HttpStatusCode.Conflict, "stock_changed");
            Assert.Equal(winner.Body.GetProperty("on_hand").GetInt32(), loser.Body.GetProperty("on_hand").GetInt32());
        }

        Assert.Equal((winner.Body.GetProperty("on_hand").GetInt32(), 0), await tenant.StockAsync(sku.SkuId));
        Assert.Equal(2, await app.Database.ScalarAsync<long>(
            "SELECT count(*) FROM inventory_movements WHERE tenant_id = $1 AND reason = 'adjust'", tenant.Id));
        Assert.Empty(await app.DriftAsync(tenant));
    }

    [Fact]
    public async Task Parallel_set_on_hand_without_expected_value_applies_every_one_in_turn()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(10);

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() =>
            tenant.AdjustAsync(new { sku_id = sku.SkuId, set_on_hand = 50 + i, reason = $"count {i}" }))));

        Assert.All(answers, a => Assert.True(a.Status == HttpStatusCode.OK, a.Body.ToString()));
        var (onHand, _) = await tenant.StockAsync(sku.SkuId);
        Assert.InRange(onHand, 50, 59);
        Assert.Empty(await app.DriftAsync(tenant));
    }

    [Fact]
    public async Task After_a_mixed_concurrent_run_movements_sum_to_every_level()
    {
        var tenant = await app.CreateTenantAsync();
        var skus = new[] { await tenant.SkuWithStockAsync(40), await tenant.SkuWithStockAsync(40), await tenant.SkuWithStockAsync(40) };
        var expiring = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var reserved = await tenant.ReserveAsync(new { sku_id = skus[i % 3].SkuId, quantity = 2, expires_at = DateTimeOffset.UtcNow.AddHours(1) });
            expiring.Add(reserved.Str("id"));
        }

        await app.Database.ExecuteAsync(
            "UPDATE inventory_reservations SET expires_at = now() - interval '1 minute' WHERE tenant_id = $1 AND id = ANY($2)", tenant.Id, expiring.ToArray());

        var work = Enumerable.Range(0, 80).Select(i => Task.Run(async () =>
        {
            var a = skus[i % 3];
            var b = skus[(i + 1) % 3];
            switch (i % 8)
            {
                case 0:
                    return new[] { await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((a.SkuId, 2), (b.SkuId, 1))) };
                case 1:
                    return new[] { await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((b.SkuId, 1), (a.SkuId, 3))) };
                case 2:
                    var held = await tenant.ReserveAsync(new { sku_id = a.SkuId, quantity = 3, reference = $"cart-{i}" });
                    return held.Status == HttpStatusCode.Created
                        ? new[] { held, await tenant.ReleaseAsync(new { reservation_id = held.Str("id") }) }
                        : [held];
                case 3:
                    return new[] { await tenant.ReserveAsync(new { sku_code = a.SkuCode, quantity = 2 }) };
                case 4:
                    return new[] { await tenant.AdjustAsync(new { sku_id = a.SkuId, delta = 5, reason = "delivery" }) };
                case 5:
                    return new[] { await tenant.AdjustAsync(new { sku_id = a.SkuId, delta = -4, reason = "damaged" }) };
                case 6:
                    return new[] { await tenant.AdjustAsync(new { sku_id = b.SkuId, set_on_hand = 30 + i % 5, reason = "stocktake" }) };
                default:
                    await SweepAsync();
                    return new[] { await tenant.ReleaseAsync(new { reservation_id = expiring[i % expiring.Count] }) };
            }
        }));

        var answers = (await Task.WhenAll(work)).SelectMany(a => a).ToList();

        Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.Conflict, a.Body.ToString()));
        Assert.All(answers.Where(a => a.Status == HttpStatusCode.Conflict), a =>
            Assert.Contains(a.Str("error"), new[] { "insufficient_stock", "reservation_not_active" }));
        Assert.Contains(answers, a => a.Status == HttpStatusCode.Created);
        Assert.Empty(await app.DriftAsync(tenant));
        Assert.Equal(0, await app.Database.ScalarAsync<long>(
            "SELECT count(*) FROM inventory_levels WHERE tenant_id = $1 AND (reserved < 0 OR reserved > on_hand)", tenant.Id));
    }

    private async Task SweepAsync()
    {
        await using var scope = app.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrderCoreDbContext>();
        await ReservationExpirySweeper.ReleaseExpiredAsync(scope.ServiceProvider, DateTimeOffset.UtcNow, 2, CancellationToken.None);
    }
}
