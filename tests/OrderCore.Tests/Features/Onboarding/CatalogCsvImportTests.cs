using System.Net;
using System.Text;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Onboarding;

public sealed class CatalogCsvImportTests(AppFixture app)
{
    private static object Import(string csv) => new
    {
        currency = "USD",
        price_list_code = "IMPORT",
        location_code = "IMPORT-WH",
        location_name = "Import Warehouse",
        csv,
    };

    [Fact]
    public async Task The_reference_example_imports_and_the_sample_item_can_be_ordered()
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await tenant.Client.PostJsonAsync("/v1/onboarding/catalog-csv",
            Import("product_name,sku_code,unit_price,quantity_on_hand\nStarter Pack,STARTER-1,49.00,10"));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("ok", answer.Str("status"));
        Assert.Equal("USD", answer.Str("currency"));
        Assert.Equal("IMPORT", answer.Str("price_list_code"));
        Assert.Equal("IMPORT-WH", answer.Str("location_code"));
        Assert.Equal(1, answer.Body.GetProperty("imported_rows").GetInt32());
        var counts = answer.Body.GetProperty("created_or_updated");
        foreach (var name in new[] { "products", "skus", "prices", "inventory_rows", "price_lists", "locations" })
        {
            Assert.Equal(1, counts.GetProperty(name).GetInt32());
        }

        var skuId = answer.Body.GetProperty("sample_order_item").GetProperty("sku_id").GetString()!;
        var sku = await tenant.Client.GetJsonAsync("/v1/skus/STARTER-1");
        Assert.Equal(skuId, sku.Str("id"));
        Assert.Equal((10, 0), await tenant.StockAsync(skuId));
        var order = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((skuId, 2)));
        Assert.Equal(HttpStatusCode.Created, order.Status);
        Assert.Equal("98.00", order.Body.GetProperty("total").GetRawText());
    }

    [Fact]
    public async Task Rerunning_updates_and_never_duplicates()
    {
        var tenant = await app.CreateTenantAsync();
        const string first = "product_name,sku_code,product_ref,unit_price,quantity_on_hand\nTee,TEE-S,tee,10.00,5\nTee,TEE-M,tee,10.00,5";
        const string second = "product_name,sku_code,product_ref,unit_price,quantity_on_hand\nT-shirt,TEE-S,tee,12.00,7\nT-shirt,TEE-M,tee,12.00,5";

        await tenant.Client.PostJsonAsync("/v1/onboarding/catalog-csv", Import(first));
        await tenant.Client.PostJsonAsync("/v1/onboarding/catalog-csv", Import(first));
        var rerun = await tenant.Client.PostJsonAsync("/v1/onboarding/catalog-csv", Import(second));

        Assert.Equal(HttpStatusCode.OK, rerun.Status);
        Assert.Equal(1, await tenant.CountAsync("products"));
        Assert.Equal(2, await tenant.CountAsync("skus"));
        Assert.Equal(2, await tenant.CountAsync("prices"));
        Assert.Equal(1, await tenant.CountAsync("price_lists"));
        Assert.Equal(1, await tenant.CountAsync("locations"));
        var sku = await tenant.Client.GetJsonAsync("/v1/skus/TEE-S");
        Assert.Equal((7, 0), await tenant.StockAsync(sku.Str("id")));
        var product = await tenant.Client.GetJsonAsync($"/v1/products/{sku.Str("product_id")}");
        Assert.Equal("T-shirt", product.Str("name"));
        Assert.Equal(2, product.Body.GetProperty("skus").GetArrayLength());
        var order = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.Str("id"), 1)));
        Assert.Equal("12.00", order.Body.GetProperty("total").GetRawText());
        // each stock change is a movement: 5, then (same) 0, then +2
        Assert.Equal(7, await app.Database.ScalarAsync<long>(
            "SELECT sum(on_hand_delta) FROM inventory_movements WHERE tenant_id = $1 AND sku_id = $2", tenant.Id, sku.Str("id")));
    }

    [Fact]
    public async Task A_bad_row_answers_400_with_its_line_and_nothing_is_written()
    {
        var tenant = await app.CreateTenantAsync();
        const string csv = "product_name,sku_code,unit_price,quantity_on_hand\nGood,G-1,1.00,1\n\"Quoted, name\",Q-1,oops,1\nNo code,,1.00,1";

        var answer = await tenant.Client.PostJsonAsync("/v1/onboarding/catalog-csv", Import(csv));

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        var errors = answer.Body.GetProperty("errors");
        Assert.True(errors.TryGetProperty("line 3.unit_price", out _), errors.ToString());
        Assert.True(errors.TryGetProperty("line 4.sku_code", out _), errors.ToString());
        Assert.Equal(0, await tenant.CountAsync("products"));
        Assert.Equal(0, await tenant.CountAsync("skus"));
        Assert.Equal(0, await tenant.CountAsync("locations"));
    }

    [Fact]
    public async Task A_text_csv_body_with_query_parameters_quotes_bom_and_crlf()
    {
        var tenant = await app.CreateTenantAsync();
        var csv = "\uFEFFproduct_name,sku_code,product_description,price,stock_qty\r\n\"Mug, large\",MUG-L,\"Holds \"\"a lot\"\"\r\nof tea\",8.50,3\r\n";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/onboarding/catalog-csv?currency=EUR&price_list_code=EU&location_code=BER")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(csv.TrimStart('\uFEFF'))).ToArray()),
        };
        request.Content.Headers.ContentType = new("text/csv");

        var response = await tenant.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var sku = await tenant.Client.GetJsonAsync("/v1/skus/MUG-L");
        var product = await tenant.Client.GetJsonAsync($"/v1/products/{sku.Str("product_id")}");
        Assert.Equal("Mug, large", product.Str("name"));
        Assert.Equal("Holds \"a lot\"\r\nof tea", product.Str("description"));
        var order = await tenant.Client.PostJsonAsync("/v1/orders", new { currency = "EUR", items = new[] { new { sku_id = sku.Str("id"), quantity = 2 } } });
        Assert.Equal("17.00", order.Body.GetProperty("total").GetRawText());
    }

    [Fact]
    public async Task A_csv_over_the_row_limit_answers_413_and_writes_nothing()
    {
        var tenant = await app.CreateTenantAsync();
        var rows = string.Join('\n', Enumerable.Range(0, 10_001).Select(i => $"P,S-{i}"));

        var answer = await tenant.Client.PostJsonAsync("/v1/onboarding/catalog-csv", Import("product_name,sku_code\n" + rows));

        answer.AssertError(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        Assert.Equal(0, await tenant.CountAsync("skus"));
    }

    [Fact]
    public async Task A_body_over_the_size_limit_answers_413()
    {
        var tenant = await app.CreateTenantAsync();
        var big = "product_name,sku_code,product_description\n" + $"P,S-1,{new string('x', 7 * 1024 * 1024)}";

        var answer = await tenant.Client.PostJsonAsync("/v1/onboarding/catalog-csv", Import(big));

        answer.AssertError(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Fact]
    public async Task A_price_list_in_another_currency_is_a_conflict_and_nothing_is_written()
    {
        var tenant = await app.CreateTenantAsync();
        await tenant.Client.PostJsonAsync("/v1/onboarding/catalog-csv", Import("product_name,sku_code,unit_price\nA,A-1,1.00"));

        var answer = await tenant.Client.PostJsonAsync("/v1/onboarding/catalog-csv",
            new { currency = "EUR", price_list_code = "IMPORT", csv = "product_name,sku_code,unit_price\nB,B-1,1.00" });

        answer.AssertError(HttpStatusCode.Conflict, "price_list_currency_mismatch");
        Assert.Equal(1, await tenant.CountAsync("skus"));
    }

    [Fact]
    public async Task Missing_required_columns_and_settings_are_reported()
    {
        var tenant = await app.CreateTenantAsync();

        var noColumns = await tenant.Client.PostJsonAsync("/v1/onboarding/catalog-csv", Import("name,code\nA,B"));
        var noCsv = await tenant.Client.PostJsonAsync("/v1/onboarding/catalog-csv", new { currency = "USD" });
        var badCurrency = await tenant.Client.PostJsonAsync("/v1/onboarding/catalog-csv", new { currency = "dollars", csv = "product_name,sku_code\nA,B" });

        noColumns.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(noColumns.Body.GetProperty("errors").TryGetProperty("csv", out _));
        noCsv.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        badCurrency.AssertError(HttpStatusCode.BadRequest, "validation_failed");
    }
}
