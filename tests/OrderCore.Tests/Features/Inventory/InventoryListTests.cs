using System.Net;
using System.Text.Json;
using OrderCore.Api.Features.Inventory;
using OrderCore.Api.Platform.Identifiers;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Inventory;

public sealed class InventoryListTests(AppFixture app)
{
    [Fact]
    public async Task The_inventory_lists_levels_by_location_then_sku_with_filters_and_pages()
    {
        var tenant = await app.CreateTenantAsync();
        var other = await app.CreateTenantAsync();
        var skus = new[] { await tenant.SkuWithStockAsync(5), await tenant.SkuWithStockAsync(6), await tenant.SkuWithStockAsync(7) };
        await other.SkuWithStockAsync(9);
        var main = await app.DefaultLocationIdAsync(tenant);
        var store = await tenant.CreateLocationAsync("STORE", id: "store-1");
        await tenant.AdjustAsync(new { sku_id = skus[1].SkuId, location_id = store, delta = 2, reason = "transfer" });
        await tenant.ReserveAsync(new { sku_id = skus[0].SkuId, quantity = 2 });

        var all = await tenant.Client.GetJsonAsync("/v1/inventory?per_page=100");
        var bySkuId = await tenant.Client.GetJsonAsync($"/v1/inventory?sku_id={skus[1].SkuId}");
        var bySkuCode = await tenant.Client.GetJsonAsync($"/v1/inventory?sku_code={skus[1].SkuCode}&location_id={store}");
        var byLocation = await tenant.Client.GetJsonAsync($"/v1/inventory?location_id={main}");
        var page1 = await tenant.Client.GetJsonAsync("/v1/inventory?per_page=3");
        var page2 = await tenant.Client.GetJsonAsync("/v1/inventory?per_page=3&page=2");
        var otherSkuForUs = await tenant.Client.GetJsonAsync("/v1/inventory?location_id=" + await app.DefaultLocationIdAsync(other));

        var expectedOrder = skus.Select(s => (main, s.SkuId)).Append((store, skus[1].SkuId))
            .OrderBy(k => k.Item1, StringComparer.Ordinal).ThenBy(k => k.Item2, StringComparer.Ordinal)
            .Select(k => $"{k.Item1}/{k.Item2}").ToArray();
        Assert.Equal(HttpStatusCode.OK, all.Status);
        Assert.Equal(expectedOrder, Keys(all));
        Assert.Equal(4, all.Body.GetProperty("total").GetInt32());
        var first = Rows(all).Single(r => r.GetProperty("sku_id").GetString() == skus[0].SkuId);
        Assert.Equal(skus[0].SkuCode, first.GetProperty("sku_code").GetString());
        Assert.Equal(main, first.GetProperty("location_id").GetString());
        Assert.Equal(5, first.GetProperty("on_hand").GetInt32());
        Assert.Equal(2, first.GetProperty("reserved").GetInt32());
        Assert.Equal(3, first.GetProperty("available").GetInt32());
        Assert.EndsWith("Z", first.GetProperty("updated_at").GetString());

        Assert.Equal(new[] { $"{main}/{skus[1].SkuId}", $"{store}/{skus[1].SkuId}" }.Order(StringComparer.Ordinal), Keys(bySkuId));
        Assert.Equal(new[] { $"{store}/{skus[1].SkuId}" }, Keys(bySkuCode));
        Assert.Equal(3, byLocation.Body.GetProperty("total").GetInt32());
        Assert.Equal(expectedOrder[..3], Keys(page1));
        Assert.True(page1.Body.GetProperty("has_more").GetBoolean());
        Assert.Equal(expectedOrder[3..], Keys(page2));
        Assert.False(page2.Body.GetProperty("has_more").GetBoolean());
        Assert.Equal(2, page2.Body.GetProperty("page").GetInt32());
        Assert.Equal(0, otherSkuForUs.Body.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Movements_are_listed_newest_first_with_filters()
    {
        var tenant = await app.CreateTenantAsync();
        var a = await tenant.SkuWithStockAsync(10);
        var b = await tenant.SkuWithStockAsync(10);
        var store = await tenant.CreateLocationAsync("STORE");
        await tenant.AdjustAsync(new { sku_id = b.SkuId, location_id = store, delta = 4, reason = "transfer in" });
        var reservation = (await tenant.ReserveAsync(new { sku_id = a.SkuId, quantity = 3 })).Str("id");
        await tenant.ReleaseAsync(new { reservation_id = reservation });

        var all = await tenant.Client.GetJsonAsync("/v1/inventory/movements");
        var ofA = await tenant.Client.GetJsonAsync($"/v1/inventory/movements?sku_id={a.SkuId}");
        var ofB = await tenant.Client.GetJsonAsync($"/v1/inventory/movements?sku_code={b.SkuCode}");
        var atStore = await tenant.Client.GetJsonAsync($"/v1/inventory/movements?location_id={store}");
        var releases = await tenant.Client.GetJsonAsync("/v1/inventory/movements?reason=release");
        var page = await tenant.Client.GetJsonAsync("/v1/inventory/movements?per_page=2");
        var next = await tenant.Client.GetJsonAsync($"/v1/inventory/movements?per_page=2&starting_after={Rows(page)[1].GetProperty("id").GetString()}");

        Assert.Equal(HttpStatusCode.OK, all.Status);
        Assert.Equal(new[] { "release", "reserve", "adjust", "adjust", "adjust" }, Rows(all).Select(m => m.GetProperty("reason").GetString()));
        var release = Rows(all)[0];
        Assert.StartsWith("mov_", release.GetProperty("id").GetString());
        Assert.Equal(a.SkuId, release.GetProperty("sku_id").GetString());
        Assert.Equal(0, release.GetProperty("on_hand_delta").GetInt32());
        Assert.Equal(-3, release.GetProperty("reserved_delta").GetInt32());
        Assert.Equal(reservation, release.GetProperty("reservation_id").GetString());
        Assert.Equal(JsonValueKind.Null, release.GetProperty("order_id").ValueKind);
        Assert.EndsWith("Z", release.GetProperty("created_at").GetString());
        // The reserve movement is the reservation's own row, shown under its id's UUID (see InventoryMovement).
        var reserve = Rows(all)[1];
        Assert.Equal("mov_" + reservation["res_".Length..], reserve.GetProperty("id").GetString());
        Assert.Equal(reservation, reserve.GetProperty("reservation_id").GetString());
        Assert.Equal((0, 3), (reserve.GetProperty("on_hand_delta").GetInt32(), reserve.GetProperty("reserved_delta").GetInt32()));
        Assert.Equal("transfer in", Rows(atStore).Single().GetProperty("note").GetString());
        Assert.Equal(3, ofA.Body.GetProperty("total").GetInt32());
        Assert.All(Rows(ofA), m => Assert.Equal(a.SkuId, m.GetProperty("sku_id").GetString()));
        Assert.Equal(2, ofB.Body.GetProperty("total").GetInt32());
        Assert.All(Rows(ofB), m => Assert.Equal(b.SkuId, m.GetProperty("sku_id").GetString()));
        Assert.Equal(reservation, Rows(releases).Single().GetProperty("reservation_id").GetString());
        Assert.Equal(Rows(all).Take(2).Select(m => m.GetProperty("id").GetString()), Rows(page).Select(m => m.GetProperty("id").GetString()));
        Assert.True(page.Body.GetProperty("has_more").GetBoolean());
        Assert.Equal(Rows(all).Skip(2).Take(2).Select(m => m.GetProperty("id").GetString()), Rows(next).Select(m => m.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Movements_filter_by_creation_time()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(0);
        var location = await app.DefaultLocationIdAsync(tenant);
        await app.AsTenantAsync(tenant.Id, db =>
        {
            foreach (var year in new[] { 2020, 2021, 2022 })
            {
                db.Add(new InventoryMovement
                {
                    Id = Ids.New(Ids.Movement), SkuId = sku.SkuId, LocationId = location, Reason = MovementReason.Adjust, OnHandDelta = 1,
                    Note = $"year {year}", CreatedAt = new DateTimeOffset(year, 1, 1, 0, 0, 0, TimeSpan.Zero),
                });
            }

            return Task.CompletedTask;
        });

        var between = await tenant.Client.GetJsonAsync("/v1/inventory/movements?created_after=2020-06-01T00:00:00Z&created_before=2021-06-01T00:00:00Z");
        var after = await tenant.Client.GetJsonAsync("/v1/inventory/movements?created_after=2021-01-01T00:00:00Z");
        var before = await tenant.Client.GetJsonAsync("/v1/inventory/movements?created_before=2021-01-01T00:00:00Z");

        Assert.Equal(new[] { "year 2021" }, Rows(between).Select(m => m.GetProperty("note").GetString()));
        Assert.Equal(new[] { "year 2022" }, Rows(after).Select(m => m.GetProperty("note").GetString()));
        Assert.Equal(new[] { "year 2020" }, Rows(before).Select(m => m.GetProperty("note").GetString()));
    }

    [Theory]
    [InlineData("reason=stolen", "reason")]
    [InlineData("created_after=yesterday", "created_after")]
    [InlineData("created_before=2021-01-01T00:00:00", "created_before")]
    public async Task Movements_reject_bad_filters(string query, string field)
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await tenant.Client.GetJsonAsync($"/v1/inventory/movements?{query}");

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty(field, out _), answer.Body.ToString());
    }

    [Fact]
    public async Task Another_tenants_movements_and_levels_are_never_listed()
    {
        var owner = await app.CreateTenantAsync();
        var other = await app.CreateTenantAsync();
        var sku = await owner.SkuWithStockAsync(3);

        var movements = await other.Client.GetJsonAsync($"/v1/inventory/movements?sku_id={sku.SkuId}");
        var levels = await other.Client.GetJsonAsync($"/v1/inventory?sku_id={sku.SkuId}");

        Assert.Equal(0, movements.Body.GetProperty("total").GetInt32());
        Assert.Equal(0, levels.Body.GetProperty("total").GetInt32());
    }

    private static JsonElement[] Rows(ApiResponse list) => list.Body.GetProperty("data").EnumerateArray().ToArray();

    private static string[] Keys(ApiResponse list) =>
        Rows(list).Select(r => $"{r.GetProperty("location_id").GetString()}/{r.GetProperty("sku_id").GetString()}").ToArray();
}
