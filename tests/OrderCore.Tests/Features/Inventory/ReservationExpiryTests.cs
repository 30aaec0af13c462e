using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OrderCore.Api.Features.Inventory;
using OrderCore.Api.Platform.Persistence;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Inventory;

/// <summary>
/// The sweeper's release method, called directly (no timers). Its batches cover every tenant, so a
/// concurrent test's expired reservations may be released by either; assertions look at this tenant's state.
/// </summary>
public sealed class ReservationExpiryTests(AppFixture app)
{
    [Fact]
    public async Task Expired_reservations_are_released_and_others_stay_active()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(10);
        var later = DateTimeOffset.UtcNow.AddHours(1);
        var expiring = await ReserveAsync(tenant, sku.SkuId, 3, later);
        var notYet = await ReserveAsync(tenant, sku.SkuId, 2, later);
        var forever = await ReserveAsync(tenant, sku.SkuId, 1, null);
        await ExpireAsync(tenant, expiring);

        await SweepAsync(batchSize: 100);

        Assert.Equal("released", await app.ReservationStatusAsync(tenant, expiring));
        Assert.Equal("active", await app.ReservationStatusAsync(tenant, notYet));
        Assert.Equal("active", await app.ReservationStatusAsync(tenant, forever));
        Assert.Equal((10, 3), await tenant.StockAsync(sku.SkuId));
        Assert.Equal("expired", await app.Database.ScalarAsync<string>(
            "SELECT note FROM inventory_movements WHERE tenant_id = $1 AND reason = 'release' AND reservation_id = $2", tenant.Id, expiring));
        var fetched = await tenant.Client.GetJsonAsync($"/v1/inventory/reservations/{expiring}");
        Assert.Equal("released", fetched.Str("status"));
        var releaseAgain = await tenant.ReleaseAsync(new { reservation_id = expiring });
        releaseAgain.AssertError(HttpStatusCode.Conflict, "reservation_not_active");
        Assert.Empty(await app.DriftAsync(tenant));
    }

    [Fact]
    public async Task Several_sweepers_at_once_release_each_expired_reservation_exactly_once()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(30);
        var later = DateTimeOffset.UtcNow.AddHours(1);
        var ids = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            ids.Add(await ReserveAsync(tenant, sku.SkuId, 1, later));
        }

        await app.Database.ExecuteAsync(
            "UPDATE inventory_reservations SET expires_at = now() - interval '1 minute' WHERE tenant_id = $1", tenant.Id);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (await SweepAsync(batchSize: 5) > 0)
            {
            }
        })));

        Assert.Equal((30, 0), await tenant.StockAsync(sku.SkuId));
        Assert.Equal(30, await app.Database.ScalarAsync<long>(
            "SELECT count(*) FROM inventory_movements WHERE tenant_id = $1 AND reason = 'release'", tenant.Id));
        Assert.Equal(30, await app.Database.ScalarAsync<long>(
            "SELECT count(*) FROM inventory_reservations WHERE tenant_id = $1 AND status = 'released'", tenant.Id));
        Assert.Empty(await app.DriftAsync(tenant));
    }

    [Fact]
    public async Task A_reservation_released_by_a_request_is_left_alone_by_the_sweeper()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(10);
        var reservation = await ReserveAsync(tenant, sku.SkuId, 4, DateTimeOffset.UtcNow.AddHours(1));
        Assert.Equal(HttpStatusCode.OK, (await tenant.ReleaseAsync(new { reservation_id = reservation })).Status);
        await ExpireAsync(tenant, reservation);

        await SweepAsync(batchSize: 100);

        Assert.Equal((10, 0), await tenant.StockAsync(sku.SkuId));
        Assert.Equal(1, await app.Database.ScalarAsync<long>(
            "SELECT count(*) FROM inventory_movements WHERE tenant_id = $1 AND reason = 'release'", tenant.Id));
    }

    private static async Task<string> ReserveAsync(TestTenant tenant, string skuId, int quantity, DateTimeOffset? expiresAt)
    {
        var reserved = await tenant.ReserveAsync(new { sku_id = skuId, quantity, expires_at = expiresAt });
        Assert.True(reserved.Status == HttpStatusCode.Created, reserved.Body.ToString());
        return reserved.Str("id");
    }

    private Task<int> ExpireAsync(TestTenant tenant, string reservationId) =>
        app.Database.ExecuteAsync("UPDATE inventory_reservations SET expires_at = now() - interval '1 minute' WHERE tenant_id = $1 AND id = $2",
            tenant.Id, reservationId);

    /// <summary>One batch of the sweeper, as a background instance runs it: its own scope, no tenant.</summary>
    private async Task<int> SweepAsync(int batchSize)
    {
        await using var scope = app.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrderCoreDbContext>();
        return await ReservationExpirySweeper.ReleaseExpiredAsync(scope.ServiceProvider, DateTimeOffset.UtcNow, batchSize, CancellationToken.None);
    }
}
