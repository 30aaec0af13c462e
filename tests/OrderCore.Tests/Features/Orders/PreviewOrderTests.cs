using System.Net;
using System.Text.Json;
using OrderCore.Api.Features.Catalog;
using OrderCore.Tests.Features.Pricing;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Orders;

/// <summary><c>POST /v1/orders/preview</c>: the priced order and its stock, with nothing created or reserved.</summary>
public sealed class PreviewOrderTests(AppFixture app)
{
    private static readonly string[] Tables =
        ["orders", "inventory_reservations", "inventory_movements", "inventory_levels", "prices", "price_lists"];

    /// <summary>Rows per table, and the tenant's last order number taken (0 before the first), so a preview taking one shows.</summary>
    private async Task<Dictionary<string, long>> CountsAsync(TestTenant tenant)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in Tables)
        {
            counts[table] = await tenant.CountAsync(table);
        }

        counts["order number"] = await app.Database.ScalarAsync<long>(
            "SELECT coalesce(last_value, 0) FROM pg_sequences WHERE schemaname = current_schema() AND sequencename = 'order_numbers_' || $1", tenant.Id);
        return counts;
    }

    [Fact]
    public async Task Preview_prices_the_order_and_reports_stock_without_creating_or_reserving_anything()
    {
        var tenant = await app.CreateTenantAsync();
        var tracked = await tenant.SeedSkuAsync(unitPrice: 12.50m, stock: 5);
        var untracked = await tenant.SeedSkuAsync(unitPrice: 25.00m, trackInventory: false);
        var customerId = await tenant.SeedCustomerAsync();
        var body = new
        {
            customer_id = customerId,
            merchant_reference_id = "cart-7",
            items = new object[] { new { sku_id = tracked.SkuId, quantity = 2 }, new { sku_code = untracked.SkuCode, quantity = 3 } },
        };
        var countsBefore = await CountsAsync(tenant);
        var stockBefore = await tenant.StockAsync(tracked.SkuId);

        var preview = await tenant.Client.PostJsonAsync("/v1/orders/preview", body);
        var again = await tenant.Client.PostJsonAsync("/v1/orders/preview", body);

        Assert.True(preview.Status == HttpStatusCode.OK, preview.Body.ToString());
        Assert.Equal("USD", preview.Str("currency"));
        Assert.Equal(customerId, preview.Str("customer_id"));
        Assert.Equal("100.00", preview.Body.GetProperty("subtotal").GetRawText());
        Assert.Equal("100.00", preview.Body.GetProperty("total").GetRawText());
        Assert.True(preview.Body.GetProperty("in_stock").GetBoolean());
        Assert.StartsWith("loc_", preview.Str("location_id"));
        var lines = preview.Body.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(2, lines.Length);

        Assert.Equal(tracked.SkuId, lines[0].GetProperty("sku_id").GetString());
        Assert.Equal(tracked.SkuCode, lines[0].GetProperty("sku_code").GetString());
        Assert.Equal(tracked.ProductId, lines[0].GetProperty("product_id").GetString());
        Assert.False(string.IsNullOrEmpty(lines[0].GetProperty("product_name").GetString()));
        Assert.Equal(2, lines[0].GetProperty("quantity").GetInt32());
        Assert.Equal("12.50", lines[0].GetProperty("unit_price").GetRawText());
        Assert.Equal("25.00", lines[0].GetProperty("line_total").GetRawText());
        Assert.Equal("TEST-USD", lines[0].GetProperty("price_list_code").GetString());
        Assert.StartsWith("price_", lines[0].GetProperty("price_id").GetString());
        Assert.True(lines[0].GetProperty("track_inventory").GetBoolean());
        Assert.Equal(5, lines[0].GetProperty("available").GetInt32());
        Assert.True(lines[0].GetProperty("in_stock").GetBoolean());

        Assert.Equal(untracked.SkuId, lines[1].GetProperty("sku_id").GetString());
        Assert.Equal("75.00", lines[1].GetProperty("line_total").GetRawText());
        Assert.False(lines[1].GetProperty("track_inventory").GetBoolean());
        Assert.Equal(JsonValueKind.Null, lines[1].GetProperty("available").ValueKind);
        Assert.True(lines[1].GetProperty("in_stock").GetBoolean());

        Assert.Equal(preview.Body.GetRawText(), again.Body.GetRawText());
        Assert.Equal(countsBefore, await CountsAsync(tenant));
        Assert.Equal(stockBefore, await tenant.StockAsync(tracked.SkuId));
        Assert.Equal(0, (await tenant.Client.GetJsonAsync("/v1/orders")).Body.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task The_preview_matches_the_order_then_created_from_the_same_body()
    {
        var tenant = await app.CreateTenantAsync();
        var first = await tenant.SeedSkuAsync(unitPrice: 3.333m, stock: 10);
        var second = await tenant.SeedSkuAsync(unitPrice: 0.99m, stock: 10);
        var body = new { items = new object[] { new { sku_id = first.SkuId, quantity = 3 }, new { sku_id = second.SkuId, quantity = 7 } } };

        var preview = await tenant.Client.PostJsonAsync("/v1/orders/preview", body);
        var order = await tenant.Client.PostJsonAsync("/v1/orders", body);

        Assert.Equal(HttpStatusCode.OK, preview.Status);
        Assert.Equal(HttpStatusCode.Created, order.Status);
        foreach (var name in new[] { "currency", "subtotal", "total" })
        {
            Assert.Equal(order.Body.GetProperty(name).GetRawText(), preview.Body.GetProperty(name).GetRawText());
        }

        var previewLines = preview.Body.GetProperty("items").EnumerateArray().ToArray();
        var orderLines = order.Body.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(orderLines.Length, previewLines.Length);
        for (var i = 0; i < orderLines.Length; i++)
        {
            foreach (var name in new[] { "sku_id", "sku_code", "product_id", "product_name", "quantity", "unit_price", "line_total" })
            {
                Assert.Equal(orderLines[i].GetProperty(name).GetRawText(), previewLines[i].GetProperty(name).GetRawText());
            }
        }

        // after the order reserved its stock, a new preview sees less available: 7 of 3 wanted, 3 of 7 wanted
        var later = await tenant.Client.PostJsonAsync("/v1/orders/preview", body);
        Assert.Equal(7, later.Body.GetProperty("items")[0].GetProperty("available").GetInt32());
        Assert.True(later.Body.GetProperty("items")[0].GetProperty("in_stock").GetBoolean());
        Assert.Equal(3, later.Body.GetProperty("items")[1].GetProperty("available").GetInt32());
        Assert.False(later.Body.GetProperty("items")[1].GetProperty("in_stock").GetBoolean());
        Assert.False(later.Body.GetProperty("in_stock").GetBoolean());
    }

    [Fact]
    public async Task Missing_stock_is_reported_per_line_where_order_creation_refuses()
    {
        var tenant = await app.CreateTenantAsync();
        var scarce = await tenant.SeedSkuAsync(stock: 3);
        var plenty = await tenant.SeedSkuAsync(stock: 50);
        var body = new
        {
            items = new object[]
            {
                new { sku_id = scarce.SkuId, quantity = 2 }, new { sku_id = plenty.SkuId, quantity = 1 }, new { sku_id = scarce.SkuId, quantity = 2 },
            },
        };

        var preview = await tenant.Client.PostJsonAsync("/v1/orders/preview", body);
        var order = await tenant.Client.PostJsonAsync("/v1/orders", body);

        Assert.Equal(HttpStatusCode.OK, preview.Status);
        Assert.False(preview.Body.GetProperty("in_stock").GetBoolean());
        var lines = preview.Body.GetProperty("items").EnumerateArray().ToArray();
        // each scarce line alone fits in 3, but the order needs 4 of that SKU
        Assert.All(new[] { lines[0], lines[2] }, l =>
        {
            Assert.Equal(3, l.GetProperty("available").GetInt32());
            Assert.False(l.GetProperty("in_stock").GetBoolean());
        });
        Assert.Equal(50, lines[1].GetProperty("available").GetInt32());
        Assert.True(lines[1].GetProperty("in_stock").GetBoolean());
        order.AssertError(HttpStatusCode.Conflict, "insufficient_stock");
        Assert.Equal((3, 0), await tenant.StockAsync(scarce.SkuId));
    }

    [Fact]
    public async Task Without_a_default_location_a_tracked_line_has_nothing_available()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.CreateSkuAsync();
        await tenant.PriceAsync(sku.Id, await tenant.ListAsync(code: "ONLY"), 4m);

        var preview = await tenant.Client.PostJsonAsync("/v1/orders/preview", Http.Order((sku.Id, 1)));

        Assert.Equal(HttpStatusCode.OK, preview.Status);
        Assert.Equal(JsonValueKind.Null, preview.Body.GetProperty("location_id").ValueKind);
        var line = preview.Body.GetProperty("items")[0];
        Assert.Equal(0, line.GetProperty("available").GetInt32());
        Assert.False(line.GetProperty("in_stock").GetBoolean());
        Assert.Equal("ONLY", line.GetProperty("price_list_code").GetString());
        Assert.False(preview.Body.GetProperty("in_stock").GetBoolean());
    }

    [Fact]
    public async Task Preview_fails_like_order_creation_and_still_creates_nothing()
    {
        var tenant = await app.CreateTenantAsync();
        var other = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 10);
        var draft = await tenant.SeedSkuAsync(stock: 10, productStatus: ProductStatus.Draft);
        var foreignCustomer = await other.SeedCustomerAsync();
        var countsBefore = await CountsAsync(tenant);

        (await tenant.Client.PostJsonAsync("/v1/orders/preview", new { items = Array.Empty<object>() }))
            .AssertError(HttpStatusCode.BadRequest, "validation_failed");
        (await tenant.Client.PostJsonAsync("/v1/orders/preview", Http.Order((sku.SkuId, 0))))
            .AssertError(HttpStatusCode.BadRequest, "validation_failed");
        (await tenant.Client.PostJsonAsync("/v1/orders/preview", new { items = new[] { new { sku_id = sku.SkuId, quantity = 1 } }, total = 1 }))
            .AssertError(HttpStatusCode.BadRequest, "validation_failed");
        (await tenant.Client.PostJsonAsync("/v1/orders/preview", Http.Order(("sku_unknown", 1))))
            .AssertError(HttpStatusCode.NotFound, "sku_not_found");
        (await tenant.Client.PostJsonAsync("/v1/orders/preview", new { customer_id = foreignCustomer, items = new[] { new { sku_id = sku.SkuId, quantity = 1 } } }))
            .AssertError(HttpStatusCode.NotFound, "customer_not_found");
        (await tenant.Client.PostJsonAsync("/v1/orders/preview", Http.Order((draft.SkuId, 1))))
            .AssertError(HttpStatusCode.Conflict, "product_unavailable");
        (await tenant.Client.PostJsonAsync("/v1/orders/preview", new { currency = "EUR", items = new[] { new { sku_id = sku.SkuId, quantity = 1 } } }))
            .AssertError(HttpStatusCode.UnprocessableEntity, "price_not_found");

        Assert.Equal(countsBefore, await CountsAsync(tenant));
        Assert.Equal((10, 0), await tenant.StockAsync(sku.SkuId));
    }

    [Fact]
    public async Task Preview_with_an_idempotency_key_replays_and_still_creates_nothing()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 10);

        var first = await tenant.Client.PostJsonAsync("/v1/orders/preview", Http.Order((sku.SkuId, 2)), "preview-1");
        var replay = await tenant.Client.PostJsonAsync("/v1/orders/preview", Http.Order((sku.SkuId, 2)), "preview-1");

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal("true", replay.Header("Idempotent-Replayed"));
        Assert.Equal(first.Body.GetRawText(), replay.Body.GetRawText());
        Assert.Equal(0, await tenant.CountAsync("orders"));
        Assert.Equal((10, 0), await tenant.StockAsync(sku.SkuId));
    }
}
