using System.Globalization;
using System.Net;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Inventory;

public sealed class ReserveReleaseTests(AppFixture app)
{
    [Fact]
    public async Task A_reservation_holds_stock_and_is_a_res_record_with_a_movement()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(10);
        var location = await app.DefaultLocationIdAsync(tenant);
        var expiresAt = DateTimeOffset.UtcNow.AddHours(2).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        var reserved = await tenant.ReserveAsync(new { sku_code = sku.SkuCode, quantity = 3, reference = "cart-42", expires_at = expiresAt });
        var fetched = await tenant.Client.GetJsonAsync($"/v1/inventory/reservations/{reserved.Str("id")}");

        Assert.Equal(HttpStatusCode.Created, reserved.Status);
        Assert.StartsWith("res_", reserved.Str("id"));
        Assert.Equal($"/v1/inventory/reservations/{reserved.Str("id")}", reserved.Message.Headers.Location?.OriginalString);
        Assert.Equal(sku.SkuId, reserved.Str("sku_id"));
        Assert.Equal(location, reserved.Str("location_id"));
        Assert.Equal(3, reserved.Body.GetProperty("quantity").GetInt32());
        Assert.Equal("active", reserved.Str("status"));
        Assert.Equal("cart-42", reserved.Str("reference"));
        Assert.Equal(expiresAt, reserved.Str("expires_at"));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, reserved.Body.GetProperty("order_id").ValueKind);
        Assert.EndsWith("Z", reserved.Str("created_at"));
        Assert.Equal(reserved.Body.GetRawText(), fetched.Body.GetRawText());
        Assert.Equal((10, 3), await tenant.StockAsync(sku.SkuId));
        Assert.Empty(await app.DriftAsync(tenant));
    }

    [Fact]
    public async Task Reserving_more_than_available_is_refused_with_what_is_available()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(5);
        await tenant.ReserveAsync(new { sku_id = sku.SkuId, quantity = 4 });

        var tooMuch = await tenant.ReserveAsync(new { sku_id = sku.SkuId, quantity = 2 });

        tooMuch.AssertError(HttpStatusCode.Conflict, "insufficient_stock");
        Assert.Equal(1, tooMuch.Body.GetProperty("available").GetInt32());
        Assert.Equal(2, tooMuch.Body.GetProperty("requested").GetInt32());
        Assert.Equal((5, 4), await tenant.StockAsync(sku.SkuId));
        Assert.Equal(1, await tenant.CountAsync("inventory_reservations"));
    }

    [Fact]
    public async Task A_location_without_a_level_has_nothing_to_reserve()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(5);
        var empty = await tenant.CreateLocationAsync("EMPTY");

        var answer = await tenant.ReserveAsync(new { sku_id = sku.SkuId, location_id = empty, quantity = 1 });

        answer.AssertError(HttpStatusCode.Conflict, "insufficient_stock");
        Assert.Equal(0, answer.Body.GetProperty("available").GetInt32());
    }

    [Theory]
    [InlineData("""{"quantity":1}""", "sku_id")]
    [InlineData("""{"sku_id":"S"}""", "quantity")]
    [InlineData("""{"sku_id":"S","quantity":0}""", "quantity")]
    [InlineData("""{"sku_id":"S","quantity":-2}""", "quantity")]
    [InlineData("""{"sku_id":"S","quantity":1000001}""", "quantity")]
    [InlineData("""{"sku_id":"S","quantity":"1"}""", "quantity")]
    [InlineData("""{"sku_id":"S","quantity":1,"expires_at":"tomorrow"}""", "expires_at")]
    [InlineData("""{"sku_id":"S","quantity":1,"expires_at":"2030-01-01T00:00:00"}""", "expires_at")]
    [InlineData("""{"sku_id":"S","quantity":1,"on_hand":100}""", "on_hand")]
    [InlineData("""{"sku_id":"S","quantity":1,"tenant_id":"ten_x"}""", "tenant_id")]
    [InlineData("""{"sku_id":"S","quantity":1,"status":"released"}""", "status")]
    [InlineData("""{"sku_id":"S","quantity":1,"order_id":"order_x"}""", "order_id")]
    [InlineData("""{"sku_id":"S","quantity":1,"id":"res_mine"}""", "id")]
    public async Task Reserve_rejects_invalid_and_read_only_fields(string body, string field)
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await tenant.Client.PostJsonAsync("/v1/inventory/reserve", body);

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty(field, out _), answer.Body.ToString());
    }

    [Fact]
    public async Task Reserve_rejects_an_expiry_in_the_past()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(5);

        var answer = await tenant.ReserveAsync(new { sku_id = sku.SkuId, quantity = 1, expires_at = "2020-01-01T00:00:00Z" });

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty("expires_at", out _));
        Assert.Equal((5, 0), await tenant.StockAsync(sku.SkuId));
    }

    [Fact]
    public async Task Reserve_answers_404_for_unknown_or_another_tenants_sku_and_location()
    {
        var tenant = await app.CreateTenantAsync();
        var other = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(5);
        var otherSku = await other.SkuWithStockAsync(5);

        var foreignSku = await tenant.ReserveAsync(new { sku_id = otherSku.SkuId, quantity = 1 });
        var foreignLocation = await tenant.ReserveAsync(new { sku_id = sku.SkuId, location_id = await app.DefaultLocationIdAsync(other), quantity = 1 });
        var unknownLocation = await tenant.ReserveAsync(new { sku_id = sku.SkuId, location_id = "nowhere", quantity = 1 });

        foreignSku.AssertError(HttpStatusCode.NotFound, "sku_not_found");
        foreignLocation.AssertError(HttpStatusCode.NotFound, "location_not_found");
        unknownLocation.AssertError(HttpStatusCode.NotFound, "location_not_found");
        Assert.Equal("nowhere", unknownLocation.Str("location_id"));
        Assert.Equal((5, 0), await other.StockAsync(otherSku.SkuId));
    }

    [Fact]
    public async Task Releasing_a_reservation_gives_its_stock_back_once()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(10);
        var reservation = (await tenant.ReserveAsync(new { sku_id = sku.SkuId, quantity = 4, reference = "quote-1" })).Str("id");

        var released = await tenant.ReleaseAsync(new { reservation_id = reservation });
        var again = await tenant.ReleaseAsync(new { reservation_id = reservation });

        Assert.Equal(HttpStatusCode.OK, released.Status);
        Assert.Equal(4, released.Body.GetProperty("released").GetInt32());
        Assert.Equal("released", released.Body.GetProperty("reservation").GetProperty("status").GetString());
        Assert.Equal(reservation, released.Body.GetProperty("reservation").GetProperty("id").GetString());
        Assert.Equal(0, released.Body.GetProperty("level").GetProperty("reserved").GetInt32());
        Assert.Equal(10, released.Body.GetProperty("level").GetProperty("available").GetInt32());
        again.AssertError(HttpStatusCode.Conflict, "reservation_not_active");
        Assert.Equal("released", again.Str("reservation_status"));
        Assert.Equal((10, 0), await tenant.StockAsync(sku.SkuId));
        Assert.Equal("released", await app.ReservationStatusAsync(tenant, reservation));
        Assert.Equal(-4, await app.Database.ScalarAsync<int>(
            "SELECT reserved_delta FROM inventory_movements WHERE tenant_id = $1 AND reason = 'release' AND reservation_id = $2", tenant.Id, reservation));
        Assert.Empty(await app.DriftAsync(tenant));
    }

    [Fact]
    public async Task An_orders_reservation_is_the_same_record_and_can_be_released()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(10);
        var order = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 2)));
        var reservation = await app.Database.ScalarAsync<string>(
            "SELECT id FROM inventory_reservations WHERE tenant_id = $1 AND order_id = $2", tenant.Id, order.Str("id"));

        var released = await tenant.ReleaseAsync(new { reservation_id = reservation });

        Assert.Equal(HttpStatusCode.OK, released.Status);
        Assert.Equal(order.Str("id"), released.Body.GetProperty("reservation").GetProperty("order_id").GetString());
        Assert.Equal((10, 0), await tenant.StockAsync(sku.SkuId));
        Assert.Equal(order.Str("id"), await app.Database.ScalarAsync<string>(
            "SELECT order_id FROM inventory_movements WHERE tenant_id = $1 AND reason = 'release'", tenant.Id));
        Assert.Empty(await app.DriftAsync(tenant));
    }

    [Fact]
    public async Task Another_tenants_reservation_is_not_found()
    {
        var owner = await app.CreateTenantAsync();
        var other = await app.CreateTenantAsync();
        var sku = await owner.SkuWithStockAsync(5);
        var reservation = (await owner.ReserveAsync(new { sku_id = sku.SkuId, quantity = 2 })).Str("id");

        var release = await other.ReleaseAsync(new { reservation_id = reservation });
        var get = await other.Client.GetJsonAsync($"/v1/inventory/reservations/{reservation}");
        var unknown = await owner.ReleaseAsync(new { reservation_id = "res_0000000000000000000000000000beef" });

        release.AssertError(HttpStatusCode.NotFound, "reservation_not_found");
        get.AssertError(HttpStatusCode.NotFound, "not_found");
        unknown.AssertError(HttpStatusCode.NotFound, "reservation_not_found");
        Assert.Equal((5, 2), await owner.StockAsync(sku.SkuId));
        Assert.Equal("active", await app.ReservationStatusAsync(owner, reservation));
    }

    [Fact]
    public async Task An_unattached_amount_can_be_released_but_never_what_reservations_hold()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(10);
        var location = await app.DefaultLocationIdAsync(tenant);
        await tenant.ReserveAsync(new { sku_id = sku.SkuId, quantity = 2 });
        // 3 reserved by an earlier system, with no reservation record (kept in the movements, as any change is)
        await app.Database.ExecuteAsync(
            "UPDATE inventory_levels SET reserved = reserved + 3 WHERE tenant_id = $1 AND sku_id = $2", tenant.Id, sku.SkuId);
        await app.Database.ExecuteAsync("""
            INSERT INTO inventory_movement_rows (tenant_id, id, sku_id, location_id, reason, on_hand_delta, reserved_delta, created_at)
            VALUES ($1, 'mov_legacy', $2, $3, 'reserve', 0, 3, now())
            """, tenant.Id, sku.SkuId, location);

        var tooMuch = await tenant.ReleaseAsync(new { sku_id = sku.SkuId, quantity = 4 });
        var some = await tenant.ReleaseAsync(new { sku_code = sku.SkuCode, location_id = location, quantity = 2 });
        var rest = await tenant.ReleaseAsync(new { sku_id = sku.SkuId, quantity = 1 });
        var held = await tenant.ReleaseAsync(new { sku_id = sku.SkuId, quantity = 1 });

        tooMuch.AssertError(HttpStatusCode.Conflict, "insufficient_reserved");
        Assert.Equal(3, tooMuch.Body.GetProperty("releasable").GetInt32());
        Assert.Equal(HttpStatusCode.OK, some.Status);
        Assert.Equal(2, some.Body.GetProperty("released").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, some.Body.GetProperty("reservation").ValueKind);
        Assert.Equal(3, some.Body.GetProperty("level").GetProperty("reserved").GetInt32());
        Assert.Equal(HttpStatusCode.OK, rest.Status);
        held.AssertError(HttpStatusCode.Conflict, "insufficient_reserved");
        Assert.Equal(0, held.Body.GetProperty("releasable").GetInt32());
        Assert.Equal((10, 2), await tenant.StockAsync(sku.SkuId));
        Assert.Empty(await app.DriftAsync(tenant));
    }

    [Theory]
    [InlineData("""{}""", "sku_id")]
    [InlineData("""{"quantity":1}""", "sku_id")]
    [InlineData("""{"sku_id":"S"}""", "quantity")]
    [InlineData("""{"sku_id":"S","quantity":0}""", "quantity")]
    [InlineData("""{"reservation_id":"res_x","quantity":1}""", "quantity")]
    [InlineData("""{"reservation_id":"res_x","sku_id":"S"}""", "sku_id")]
    [InlineData("""{"reservation_id":""}""", "reservation_id")]
    [InlineData("""{"reservation_id":"res_x","status":"released"}""", "status")]
    [InlineData("""{"reservation_id":"res_x","tenant_id":"ten_x"}""", "tenant_id")]
    public async Task Release_rejects_invalid_and_unknown_fields(string body, string field)
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await tenant.Client.PostJsonAsync("/v1/inventory/release", body);

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty(field, out _), answer.Body.ToString());
    }
}
