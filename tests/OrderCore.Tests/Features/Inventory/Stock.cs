using System.Net;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Inventory;

/// <summary>Inventory calls and checks shared by the inventory tests.</summary>
public static class Stock
{
    public static Task<ApiResponse> AdjustAsync(this TestTenant tenant, object body, string? idempotencyKey = null) =>
        tenant.Client.PostJsonAsync("/v1/inventory/adjust", body, idempotencyKey);

    public static Task<ApiResponse> ReserveAsync(this TestTenant tenant, object body) => tenant.Client.PostJsonAsync("/v1/inventory/reserve", body);

    public static Task<ApiResponse> ReleaseAsync(this TestTenant tenant, object body) => tenant.Client.PostJsonAsync("/v1/inventory/release", body);

    /// <summary>A SKU with a price, no stock and no movements, then <paramref name="onHand"/> added through the API (so movements sum up).</summary>
    public static async Task<SeededSku> SkuWithStockAsync(this TestTenant tenant, int onHand)
    {
        var sku = await tenant.SeedSkuAsync(stock: 0);
        if (onHand > 0)
        {
            var adjusted = await tenant.AdjustAsync(new { sku_id = sku.SkuId, delta = onHand, reason = "initial count" });
            Assert.Equal(HttpStatusCode.OK, adjusted.Status);
        }

        return sku;
    }

    public static async Task<string> CreateLocationAsync(this TestTenant tenant, string code, bool? isDefault = null, string? id = null)
    {
        var created = await tenant.Client.PostJsonAsync("/v1/locations", new { id, code, name = $"Location {code}", is_default = isDefault });
        Assert.True(created.Status == HttpStatusCode.Created, created.Body.ToString());
        return created.Str("id");
    }

    public static Task<string> DefaultLocationIdAsync(this AppFixture app, TestTenant tenant) =>
        app.Database.ScalarAsync<string>("SELECT id FROM locations WHERE tenant_id = $1 AND is_default", tenant.Id);

    /// <summary>(on_hand, reserved) of a SKU at a location, straight from the database.</summary>
    public static async Task<(int OnHand, int Reserved)> LevelAsync(this AppFixture app, TestTenant tenant, string skuId, string locationId)
    {
        var onHand = await app.Database.ScalarAsync<int>(
            "SELECT on_hand FROM inventory_levels WHERE tenant_id = $1 AND sku_id = $2 AND location_id = $3", tenant.Id, skuId, locationId);
        var reserved = await app.Database.ScalarAsync<int>(
            "SELECT reserved FROM inventory_levels WHERE tenant_id = $1 AND sku_id = $2 AND location_id = $3", tenant.Id, skuId, locationId);
        return (onHand, reserved);
    }

    public static Task<string> ReservationStatusAsync(this AppFixture app, TestTenant tenant, string reservationId) =>
        app.Database.ScalarAsync<string>("SELECT status FROM inventory_reservations WHERE tenant_id = $1 AND id = $2", tenant.Id, reservationId);

    /// <summary>
    /// Every level of the tenant whose on_hand or reserved differs from what its movements sum to, or
    /// whose reserved differs from what its active reservations hold, as readable lines (empty when all agree).
    /// </summary>
    public static async Task<List<string>> DriftAsync(this AppFixture app, TestTenant tenant)
    {
        await using var command = app.Database.DataSource.CreateCommand("""
            SELECT l.sku_id, l.location_id, l.on_hand, l.reserved,
                   coalesce(m.on_hand, 0), coalesce(m.reserved, 0), coalesce(r.held, 0)
            FROM inventory_levels l
            LEFT JOIN (SELECT location_id, sku_id, sum(on_hand_delta) AS on_hand, sum(reserved_delta) AS reserved
                       FROM inventory_movements WHERE tenant_id = $1 GROUP BY location_id, sku_id) m
                   ON m.location_id = l.location_id AND m.sku_id = l.sku_id
            LEFT JOIN (SELECT location_id, sku_id, sum(quantity) AS held
                       FROM inventory_reservations WHERE tenant_id = $1 AND status = 'active' GROUP BY location_id, sku_id) r
                   ON r.location_id = l.location_id AND r.sku_id = l.sku_id
            WHERE l.tenant_id = $1
              AND (l.on_hand <> coalesce(m.on_hand, 0) OR l.reserved <> coalesce(m.reserved, 0) OR l.reserved <> coalesce(r.held, 0))
            """);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = tenant.Id });
        var drift = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            drift.Add($"{reader.GetString(0)}@{reader.GetString(1)}: level ({reader.GetInt32(2)}, {reader.GetInt32(3)}), "
                + $"movements ({reader.GetInt64(4)}, {reader.GetInt64(5)}), active reservations {reader.GetInt64(6)}");
        }

        var levels = await app.Database.ScalarAsync<long>("SELECT count(*) FROM inventory_levels WHERE tenant_id = $1", tenant.Id);
        Assert.True(levels > 0, "the tenant has no levels to compare");
        return drift;
    }
}
