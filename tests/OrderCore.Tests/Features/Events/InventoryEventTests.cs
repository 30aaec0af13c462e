using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OrderCore.Api.Features.Inventory;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Events;

public sealed class InventoryEventTests(AppFixture app)
{
    private static async Task<List<System.Text.Json.JsonElement>> InventoryEventsAsync(TestTenant tenant)
    {
        var page = await tenant.Client.GetJsonAsync("/v1/events?type=inventory.adjusted&per_page=100");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        return page.Body.GetProperty("data").EnumerateArray().Reverse().ToList();
    }

    [Fact]
    public async Task Adjust_reserve_and_release_each_write_the_level_after_the_change()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 0);

        await tenant.Client.PostJsonAsync("/v1/inventory/adjust", new { sku_id = sku.SkuId, delta = 10, reason = "received" });
        var reservation = await tenant.Client.PostJsonAsync("/v1/inventory/reserve", new { sku_id = sku.SkuId, quantity = 4 });
        await tenant.Client.PostJsonAsync("/v1/inventory/release", new { reservation_id = reservation.Str("id") });
        var rejected = await tenant.Client.PostJsonAsync("/v1/inventory/adjust", new { sku_id = sku.SkuId, delta = -100, reason = "too much" });

        rejected.AssertError(HttpStatusCode.Conflict, "insufficient_stock");
        var events = await InventoryEventsAsync(tenant);
        Assert.Equal([(10, 0), (10, 4), (10, 0)], events.Select(e =>
        {
            var level = e.GetProperty("data").GetProperty("object");
            return (level.GetProperty("on_hand").GetInt32(), level.GetProperty("reserved").GetInt32());
        }));
        Assert.All(events, e =>
        {
            Assert.Equal("inventory.adjusted", e.GetProperty("type").GetString());
            Assert.Equal(sku.SkuId, e.GetProperty("data").GetProperty("object").GetProperty("sku_id").GetString());
            Assert.Equal("v1", e.GetProperty("api_version").GetString());
        });
    }

    [Fact]
    public async Task An_expired_reservation_released_by_the_sweeper_writes_an_event_for_its_tenant()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 5);
        var reservation = await tenant.Client.PostJsonAsync("/v1/inventory/reserve",
            new { sku_id = sku.SkuId, quantity = 2, expires_at = DateTimeOffset.UtcNow.AddHours(1) });
        await app.Database.ExecuteAsync("UPDATE inventory_reservations SET expires_at = now() - interval '1 minute' WHERE tenant_id = $1 AND id = $2",
            tenant.Id, reservation.Str("id"));

        await using (var scope = app.Factory.Services.CreateAsyncScope())
        {
            await ReservationExpirySweeper.ReleaseExpiredAsync(scope.ServiceProvider, DateTimeOffset.UtcNow, 100, CancellationToken.None);
        }

        var last = (await InventoryEventsAsync(tenant))[^1].GetProperty("data").GetProperty("object");
        Assert.Equal(0, last.GetProperty("reserved").GetInt32());
        Assert.Equal(5, last.GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task A_catalog_import_writes_one_event_per_stocked_row()
    {
        var tenant = await app.CreateTenantAsync();

        await tenant.Client.PostJsonAsync("/v1/onboarding/catalog-csv",
            new { csv = "product_name,sku_code,quantity_on_hand\nA,A-1,3\nB,B-1,4\nC,C-1," });

        var events = await InventoryEventsAsync(tenant);
        Assert.Equal(["A-1", "B-1"], events.Select(e => e.GetProperty("data").GetProperty("object").GetProperty("sku_code").GetString()).Order());
    }
}
