using CsvHelper;
using CsvHelper.Configuration;
using OrderCore.Api.Platform.Money;

namespace OrderCore.Api.Features.Onboarding;

/// <summary>One data row of a catalog CSV, with the line it starts on (for error messages).</summary>
internal sealed record CatalogCsvRow(
    int Line,
    string ProductName,
    string SkuCode,
    string? ProductDescription,
    string? ProductExternalId,
    string? SkuName,
    decimal? UnitPrice,
    int? QuantityOnHand)
{
    /// <summary>Rows of one product: its external id when given, otherwise its name.</summary>
    public string ProductKey => ProductExternalId is null ? $"name:{ProductName}" : $"ref:{ProductExternalId}";
}

internal sealed record ParsedCatalogCsv(IReadOnlyList<CatalogCsvRow> Rows, IReadOnlyList<string> IgnoredColumns,
    IReadOnlyDictionary<string, string[]> Errors, bool TooManyRows);

/// <summary>
/// Parses a catalog CSV with CsvHelper (quoted fields, embedded commas and newlines, BOM, CRLF) and checks
/// every row, collecting every problem with its line number. Pure: writes nothing.
/// </summary>
internal static class CatalogCsv
{
    public const int MaxRows = 10_000;
    public const int MaxBytes = 5 * 1024 * 1024;

    private static readonly Dictionary<string, string> ColumnAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["product_name"] = "product_name",
        ["sku_code"] = "sku_code",
        ["product_description"] = "product_description",
        ["product_external_id"] = "product_external_id",
        ["product_ref"] = "product_external_id",
        ["sku_name"] = "sku_name",
        ["unit_price"] = "unit_price",
        ["price"] = "unit_price",
        ["quantity_on_hand"] = "quantity_on_hand",
        ["stock_qty"] = "quantity_on_hand",
    };

    public static ParsedCatalogCsv Parse(TextReader text, string currency)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var rows = new List<CatalogCsvRow>();
        var badData = new List<int>();
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            TrimOptions = TrimOptions.Trim,
            MissingFieldFound = null,
            HeaderValidated = null,
            BadDataFound = args => badData.Add(args.Context.Parser?.RawRow ?? 0),
        };

        using var csv = new CsvReader(text, configuration);
        if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is not { Length: > 0 } header)
        {
            return new ParsedCatalogCsv([], [], new Dictionary<string, string[]> { ["csv"] = ["must have a header row and at least one data row"] }, false);
        }

        // column name -> index; the first of two aliases wins
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        var ignored = new List<string>();
        for (var i = 0; i < header.Length; i++)
        {
            var name = header[i].Trim().TrimStart('\uFEFF');
            if (ColumnAliases.TryGetValue(name, out var canonical))
            {
                if (!columns.TryAdd(canonical, i))
                {
                    Add(errors, "csv", $"column {name} repeats {canonical}");
                }
            }
            else if (name.Length > 0)
            {
                ignored.Add(name);
            }
        }

        foreach (var required in new[] { "product_name", "sku_code" })
        {
            if (!columns.ContainsKey(required))
            {
                Add(errors, "csv", $"the header has no {required} column");
            }
        }

        if (errors.Count > 0)
        {
            return new ParsedCatalogCsv([], ignored, Freeze(errors), false);
        }

        var firstLineOfCode = new Dictionary<string, int>(StringComparer.Ordinal);
        try
        {
            while (csv.Read())
            {
                if (rows.Count == MaxRows)
                {
                    return new ParsedCatalogCsv([], ignored, Freeze(errors), TooManyRows: true);
                }

                var parser = csv.Parser;
                var line = parser.RawRow - parser.RawRecord.TrimEnd('\r', '\n').Count(c => c == '\n');
                var row = ReadRow(csv, columns, line, currency, errors);
                if (row is null)
                {
                    continue;
                }

                if (!firstLineOfCode.TryAdd(row.SkuCode, line))
                {
                    Add(errors, $"line {line}.sku_code", $"repeats {row.SkuCode} from line {firstLineOfCode[row.SkuCode]}");
                }

                rows.Add(row);
            }
        }
        catch (CsvHelperException ex)
        {
            Add(errors, $"line {ex.Context?.Parser?.RawRow ?? 0}", "is not valid CSV (check the quotes)");
        }

        foreach (var line in badData.Distinct())
        {
            Add(errors, $"line {line}", "has a stray quote; quote the whole field and double any quote inside it");
        }

        if (rows.Count == 0 && errors.Count == 0)
        {
            Add(errors, "csv", "has no data rows");
        }

        return new ParsedCatalogCsv(rows, ignored, Freeze(errors), false);
    }

    private static CatalogCsvRow? ReadRow(CsvReader csv, Dictionary<string, int> columns, int line, string currency,
        Dictionary<string, List<string>> errors)
    {
        string? Field(string name) =>
            columns.TryGetValue(name, out var index) && csv.TryGetField<string>(index, out var value) && !string.IsNullOrWhiteSpace(value)
                ? value.Trim()
                : null;

        var errorCount = errors.Count;
        var productName = Field("product_name");
        var skuCode = Field("sku_code");
        if (productName is null)
        {
            Add(errors, $"line {line}.product_name", "is required");
        }
        else if (productName.Length > 500)
        {
            Add(errors, $"line {line}.product_name", "must be at most 500 characters");
        }

        if (skuCode is null)
        {
            Add(errors, $"line {line}.sku_code", "is required");
        }
        else if (!CodeRules.IsValid(skuCode))
        {
            Add(errors, $"line {line}.sku_code", CodeRules.Problem(skuCode) ?? CodeRules.Rule);
        }

        decimal? unitPrice = null;
        if (Field("unit_price") is { } priceText)
        {
            if (!decimal.TryParse(priceText, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var price)
                || price < 0)
            {
                Add(errors, $"line {line}.unit_price", $"must be a number of at least 0, e.g. 49.00 (got \"{Truncate(priceText)}\")");
            }
            else if (!Currency.HasAtMostMinorUnits(price, currency))
            {
                Add(errors, $"line {line}.unit_price", $"has more decimals than {currency} allows");
            }
            else
            {
                unitPrice = price;
            }
        }

        int? quantity = null;
        if (Field("quantity_on_hand") is { } quantityText)
        {
            if (!int.TryParse(quantityText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                Add(errors, $"line {line}.quantity_on_hand", $"must be a whole number of at least 0 (got \"{Truncate(quantityText)}\")");
            }
            else
            {
                quantity = parsed;
            }
        }

        if (errors.Count != errorCount || productName is null || skuCode is null)
        {
            return null;
        }

        return new CatalogCsvRow(line, productName, skuCode, Field("product_description"), Field("product_external_id"), Field("sku_name"),
            unitPrice, quantity);
    }

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "...";

    private static void Add(Dictionary<string, List<string>> errors, string key, string problem)
    {
        if (!errors.TryGetValue(key, out var list))
        {
            errors[key] = list = [];
        }

        list.Add(problem);
    }

    private static Dictionary<string, string[]> Freeze(Dictionary<string, List<string>> errors) =>
        errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}
