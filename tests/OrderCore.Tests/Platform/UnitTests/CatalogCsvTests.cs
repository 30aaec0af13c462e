using OrderCore.Api.Features.Onboarding;

namespace OrderCore.Tests.Platform.UnitTests;

public sealed class CatalogCsvTests
{
    private static ParsedCatalogCsv Parse(string csv, string currency = "USD") => CatalogCsv.Parse(new StringReader(csv), currency);

    [Fact]
    public void The_reference_example_parses()
    {
        var parsed = Parse("product_name,sku_code,unit_price,quantity_on_hand\nStarter Pack,STARTER-1,49.00,10");

        Assert.Empty(parsed.Errors);
        var row = Assert.Single(parsed.Rows);
        Assert.Equal(new CatalogCsvRow(2, "Starter Pack", "STARTER-1", null, null, null, 49.00m, 10), row);
    }

    [Fact]
    public void Quoted_fields_hold_commas_quotes_and_newlines()
    {
        var parsed = Parse("product_name,sku_code,product_description\r\n\"Mug, large\",MUG-L,\"Says \"\"hello\"\"\r\non two lines\"\r\nPlate,PLATE-1,plain\r\n");

        Assert.Empty(parsed.Errors);
        Assert.Equal(2, parsed.Rows.Count);
        Assert.Equal("Mug, large", parsed.Rows[0].ProductName);
        Assert.Equal("Says \"hello\"\r\non two lines", parsed.Rows[0].ProductDescription);
        Assert.Equal(2, parsed.Rows[0].Line);
        Assert.Equal(4, parsed.Rows[1].Line);
    }

    [Fact]
    public void Aliases_a_bom_and_header_case_are_accepted_and_unknown_columns_are_reported()
    {
        var parsed = Parse("\uFEFFProduct_Name,SKU_CODE,price,stock_qty,product_ref,colour\nTee,TEE-1,12.5,3,erp-7,red");

        Assert.Empty(parsed.Errors);
        Assert.Equal(new CatalogCsvRow(2, "Tee", "TEE-1", null, "erp-7", null, 12.5m, 3), Assert.Single(parsed.Rows));
        Assert.Equal(["colour"], parsed.IgnoredColumns);
    }

    [Fact]
    public void Every_bad_row_is_reported_with_its_line()
    {
        var parsed = Parse("""
            product_name,sku_code,unit_price,quantity_on_hand
            Good,G-1,1.00,1
            ,MISSING-NAME,1,1
            No code,,1,1
            Bad price,BP-1,abc,1
            Negative,NEG-1,-1,1
            Too precise,TP-1,1.001,1
            Bad qty,BQ-1,1,-3
            Again,G-1,1,1
            """);

        Assert.DoesNotContain(parsed.Rows, r => r.Line > 2 && r.SkuCode != "G-1");
        Assert.Equal(["is required"], parsed.Errors["line 3.product_name"]);
        Assert.Equal(["is required"], parsed.Errors["line 4.sku_code"]);
        Assert.Contains("abc", parsed.Errors["line 5.unit_price"][0], StringComparison.Ordinal);
        Assert.True(parsed.Errors.ContainsKey("line 6.unit_price"));
        Assert.Equal(["has more decimals than USD allows"], parsed.Errors["line 7.unit_price"]);
        Assert.True(parsed.Errors.ContainsKey("line 8.quantity_on_hand"));
        Assert.Equal(["repeats G-1 from line 2"], parsed.Errors["line 9.sku_code"]);
    }

    [Fact]
    public void Missing_required_columns_are_reported()
    {
        var parsed = Parse("name,code\nMug,M-1");

        Assert.Contains("the header has no product_name column", parsed.Errors["csv"]);
        Assert.Contains("the header has no sku_code column", parsed.Errors["csv"]);
    }

    [Fact]
    public void Zero_decimal_currencies_reject_fractions()
    {
        var parsed = Parse("product_name,sku_code,unit_price\nTea,TEA-1,1200.5", "JPY");

        Assert.Equal(["has more decimals than JPY allows"], parsed.Errors["line 2.unit_price"]);
    }

    [Fact]
    public void More_than_ten_thousand_rows_is_too_many()
    {
        var rows = string.Join('\n', Enumerable.Range(0, CatalogCsv.MaxRows + 1).Select(i => $"P{i},S-{i}"));

        var parsed = Parse("product_name,sku_code\n" + rows);

        Assert.True(parsed.TooManyRows);
        Assert.False(Parse("product_name,sku_code\n" + string.Join('\n', Enumerable.Range(0, CatalogCsv.MaxRows).Select(i => $"P{i},S-{i}"))).TooManyRows);
    }

    [Fact]
    public void An_unclosed_quote_is_an_error_not_an_exception()
    {
        var parsed = Parse("product_name,sku_code\n\"Broken,B-1\nNext,N-1");

        Assert.NotEmpty(parsed.Errors);
    }
}
