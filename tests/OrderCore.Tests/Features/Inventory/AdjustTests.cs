using System.Net;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Inventory;

public sealed class AdjustTests(AppFixture app)
{
    [Fact]
    public async Task A_delta_changes_on_hand_answers_the_level_and_writes_a_movement()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(10);
        var location = await app.DefaultLocationIdAsync(tenant);

        var up = await tenant.AdjustAsync(new { sku_id = sku.SkuId, delta = 5, reason = "delivery 4711" });
        var down = await tenant.AdjustAsync(new { sku_code = sku.SkuCode, location_id = location, delta = -3, reason = "damaged" });

        Assert.Equal(HttpStatusCode.OK, up.Status);
        Assert.Equal(15, up.Body.GetProperty("on_hand").GetInt32());
        Assert.Equal(HttpStatusCode.OK, down.Status);
        Assert.Equal(sku.SkuId, down.Str("sku_id"));
        Assert.Equal(sku.SkuCode, down.Str("sku_code"));
        Assert.Equal(location, down.Str("location_id"));
        Assert.Equal(12, down.Body.GetProperty("on_hand").GetInt32());
        Assert.Equal(0, down.Body.GetProperty("reserved").GetInt32());
        Assert.Equal(12, down.Body.GetProperty("available").GetInt32());
        Assert.EndsWith("Z", down.Str("updated_at"));
        Assert.Equal((12, 0), await app.LevelAsync(tenant, sku.SkuId, location));
        Assert.Equal("damaged", await app.Database.ScalarAsync<string>(
            "SELECT note FROM inventory_movements WHERE tenant_id = $1 AND reason = 'adjust' AND on_hand_delta = -3", tenant.Id));
        Assert.Empty(await app.DriftAsync(tenant));
    }

    [Fact]
    public async Task Set_on_hand_records_the_difference_it_made()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(10);

        var set = await tenant.AdjustAsync(new { sku_id = sku.SkuId, set_on_hand = 4, reason = "stocktake" });

        Assert.Equal(HttpStatusCode.OK, set.Status);
        Assert.Equal(4, set.Body.GetProperty("on_hand").GetInt32());
        Assert.Equal(-6, await app.Database.ScalarAsync<int>(
            "SELECT on_hand_delta FROM inventory_movements WHERE tenant_id = $1 AND note = 'stocktake'", tenant.Id));
        Assert.Empty(await app.DriftAsync(tenant));
    }

    [Fact]
    public async Task The_level_is_created_when_the_sku_has_none_at_the_location()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(1);
        var store = await tenant.CreateLocationAsync("STORE");

        var adjusted = await tenant.AdjustAsync(new { sku_id = sku.SkuId, location_id = store, set_on_hand = 7, reason = "opening", expected_on_hand = 0 });

        Assert.Equal(HttpStatusCode.OK, adjusted.Status);
        Assert.Equal(store, adjusted.Str("location_id"));
        Assert.Equal((7, 0), await app.LevelAsync(tenant, sku.SkuId, store));
        Assert.Equal(2, await tenant.CountAsync("inventory_levels"));
        Assert.Empty(await app.DriftAsync(tenant));
    }

    [Fact]
    public async Task On_hand_never_goes_below_reserved_or_zero()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(10);
        var reserved = await tenant.ReserveAsync(new { sku_id = sku.SkuId, quantity = 4 });
        Assert.Equal(HttpStatusCode.Created, reserved.Status);

        var belowReserved = await tenant.AdjustAsync(new { sku_id = sku.SkuId, delta = -7, reason = "shrinkage" });
        var setBelowReserved = await tenant.AdjustAsync(new { sku_id = sku.SkuId, set_on_hand = 3, reason = "stocktake" });
        var exactlyReserved = await tenant.AdjustAsync(new { sku_id = sku.SkuId, delta = -6, reason = "shrinkage" });

        belowReserved.AssertError(HttpStatusCode.Conflict, "insufficient_stock");
        Assert.Equal(4, belowReserved.Body.GetProperty("reserved").GetInt32());
        Assert.Equal(10, belowReserved.Body.GetProperty("on_hand").GetInt32());
        setBelowReserved.AssertError(HttpStatusCode.Conflict, "insufficient_stock");
        Assert.Equal(HttpStatusCode.OK, exactlyReserved.Status);
        Assert.Equal(0, exactlyReserved.Body.GetProperty("available").GetInt32());

        var other = await tenant.SkuWithStockAsync(2);
        var belowZero = await tenant.AdjustAsync(new { sku_id = other.SkuId, delta = -3, reason = "shrinkage" });
        belowZero.AssertError(HttpStatusCode.Conflict, "insufficient_stock");
        Assert.Equal((2, 0), await tenant.StockAsync(other.SkuId));
        Assert.Empty(await app.DriftAsync(tenant));
    }

    [Fact]
    public async Task Expected_on_hand_is_a_compare_and_set()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(10);

        var stale = await tenant.AdjustAsync(new { sku_id = sku.SkuId, delta = 1, reason = "recount", expected_on_hand = 9 });
        var staleSet = await tenant.AdjustAsync(new { sku_id = sku.SkuId, set_on_hand = 20, reason = "recount", expected_on_hand = 11 });
        var current = await tenant.AdjustAsync(new { sku_id = sku.SkuId, set_on_hand = 20, reason = "recount", expected_on_hand = 10 });

        stale.AssertError(HttpStatusCode.Conflict, "stock_changed");
        Assert.Equal(10, stale.Body.GetProperty("on_hand").GetInt32());
        Assert.Equal(9, stale.Body.GetProperty("expected_on_hand").GetInt32());
        staleSet.AssertError(HttpStatusCode.Conflict, "stock_changed");
        Assert.Equal(HttpStatusCode.OK, current.Status);
        Assert.Equal(20, current.Body.GetProperty("on_hand").GetInt32());
        Assert.Equal(2, await app.Database.ScalarAsync<long>("SELECT count(*) FROM inventory_movements WHERE tenant_id = $1", tenant.Id));
        Assert.Empty(await app.DriftAsync(tenant));
    }

    [Fact]
    public async Task A_replayed_adjustment_is_applied_once()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(10);
        var body = new { sku_id = sku.SkuId, delta = 5, reason = "delivery" };

        var first = await tenant.AdjustAsync(body, "adjust-once");
        var replay = await tenant.AdjustAsync(body, "adjust-once");

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal("true", replay.Header("Idempotent-Replayed"));
        Assert.Equal(15, replay.Body.GetProperty("on_hand").GetInt32());
        Assert.Equal((15, 0), await tenant.StockAsync(sku.SkuId));
    }

    [Fact]
    public async Task On_hand_has_an_upper_limit()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(0);
        await tenant.AdjustAsync(new { sku_id = sku.SkuId, set_on_hand = 1_000_000_000, reason = "max" });

        var over = await tenant.AdjustAsync(new { sku_id = sku.SkuId, delta = 1, reason = "one more" });

        over.AssertError(HttpStatusCode.UnprocessableEntity, "stock_limit_exceeded");
        Assert.Equal((1_000_000_000, 0), await tenant.StockAsync(sku.SkuId));
    }

    [Theory]
    [InlineData("""{"delta":1,"reason":"r"}""", "sku_id")]
    [InlineData("""{"sku_id":"S","sku_code":"C","delta":1,"reason":"r"}""", "sku_id")]
    [InlineData("""{"sku_id":"S","reason":"r"}""", "delta")]
    [InlineData("""{"sku_id":"S","delta":1,"set_on_hand":1,"reason":"r"}""", "delta")]
    [InlineData("""{"sku_id":"S","delta":0,"reason":"r"}""", "delta")]
    [InlineData("""{"sku_id":"S","delta":1}""", "reason")]
    [InlineData("""{"sku_id":"S","delta":1,"reason":""}""", "reason")]
    [InlineData("""{"sku_id":"S","set_on_hand":-1,"reason":"r"}""", "set_on_hand")]
    [InlineData("""{"sku_id":"S","set_on_hand":1000000001,"reason":"r"}""", "set_on_hand")]
    [InlineData("""{"sku_id":"S","delta":1,"reason":"r","expected_on_hand":-1}""", "expected_on_hand")]
    [InlineData("""{"sku_id":"S","delta":"5","reason":"r"}""", "delta")]
    [InlineData("""{"sku_id":"S","delta":1.5,"reason":"r"}""", "delta")]
    [InlineData("""{"sku_id":"S","delta":1,"reason":"r","on_hand":5}""", "on_hand")]
    [InlineData("""{"sku_id":"S","delta":1,"reason":"r","tenant_id":"ten_x"}""", "tenant_id")]
    [InlineData("""{"sku_id":"S","delta":1,"reason":"r","reserved":0}""", "reserved")]
    public async Task Invalid_or_unknown_fields_are_rejected(string body, string field)
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await tenant.Client.PostJsonAsync("/v1/inventory/adjust", body);

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty(field, out _), answer.Body.ToString());
    }

    [Fact]
    public async Task Unknown_or_another_tenants_sku_and_location_are_not_found()
    {
        var tenant = await app.CreateTenantAsync();
        var other = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(3);
        var otherSku = await other.SkuWithStockAsync(3);
        var otherLocation = await app.DefaultLocationIdAsync(other);

        var unknownSku = await tenant.AdjustAsync(new { sku_code = "NOPE", delta = 1, reason = "r" });
        var foreignSku = await tenant.AdjustAsync(new { sku_id = otherSku.SkuId, delta = 1, reason = "r" });
        var foreignLocation = await tenant.AdjustAsync(new { sku_id = sku.SkuId, location_id = otherLocation, delta = 1, reason = "r" });

        unknownSku.AssertError(HttpStatusCode.NotFound, "sku_not_found");
        Assert.Equal("NOPE", unknownSku.Str("sku_code"));
        foreignSku.AssertError(HttpStatusCode.NotFound, "sku_not_found");
        foreignLocation.AssertError(HttpStatusCode.NotFound, "location_not_found");
        Assert.Equal((3, 0), await other.StockAsync(otherSku.SkuId));
        Assert.Equal((3, 0), await tenant.StockAsync(sku.SkuId));
    }

    [Fact]
    public async Task Without_a_default_location_the_location_must_be_given()
    {
        var tenant = await app.CreateTenantAsync();
        var product = await tenant.Client.PostJsonAsync("/v1/products", new { name = "No stock yet", skus = new[] { new { sku_code = "NEW-1" } } });
        Assert.Equal(HttpStatusCode.Created, product.Status);

        var answer = await tenant.AdjustAsync(new { sku_code = "NEW-1", delta = 1, reason = "r" });

        answer.AssertError(HttpStatusCode.NotFound, "location_not_found");
        Assert.Equal(0, await tenant.CountAsync("inventory_levels"));
    }
}
