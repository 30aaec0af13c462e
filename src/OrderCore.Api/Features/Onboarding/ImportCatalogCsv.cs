using OrderCore.Api.Features.Catalog;
using OrderCore.Api.Features.Inventory;
using OrderCore.Api.Features.Pricing;
using OrderCore.Api.Platform.Money;

namespace OrderCore.Api.Features.Onboarding;

/// <summary>The JSON form of a catalog import; a <c>text/csv</c> body takes the same settings as query parameters.</summary>
internal sealed record CatalogCsvRequest
{
    [Description("ISO 4217 code of the prices; USD when omitted.")]
    public string? Currency { get; init; }

    [Description("Price list the prices go to (created if missing); IMPORT when omitted.")]
    public string? PriceListCode { get; init; }

    [Description("Location the stock goes to (created if missing); IMPORT-WH when omitted.")]
    public string? LocationCode { get; init; }

    public string? LocationName { get; init; }

    [Required]
    [Description("The CSV text: headers product_name, sku_code (required); product_description, product_external_id|product_ref, sku_name, unit_price|price, quantity_on_hand|stock_qty.")]
    public string? Csv { get; init; }
}

internal sealed class CatalogCsvSettingsValidator : AbstractValidator<CatalogCsvRequest>
{
    public CatalogCsvSettingsValidator()
    {
        RuleFor(r => r.Currency).ValidCurrency();
        RuleFor(r => r.PriceListCode).Must(c => c is null || CodeRules.IsValid(c)).WithMessage((_, c) => CodeRules.Problem(c!) ?? CodeRules.Rule);
        RuleFor(r => r.LocationCode).Must(c => c is null || CodeRules.IsValid(c)).WithMessage((_, c) => CodeRules.Problem(c!) ?? CodeRules.Rule);
        RuleFor(r => r.LocationName).MaximumLength(200).WithMessage("must be at most 200 characters");
        RuleFor(r => r.Csv).NotEmpty().WithMessage("is required");
    }
}

internal sealed record ImportCounts(int Products, int Skus, int Prices, int InventoryRows, int PriceLists, int Locations);

internal sealed record CatalogCsvResponse(
    string Status,
    string Currency,
    string PriceListCode,
    string LocationCode,
    int ImportedRows,
    SampleOrderItem SampleOrderItem,
    ImportCounts CreatedOrUpdated,
    IReadOnlyList<string> IgnoredColumns);

/// <summary>
/// POST /v1/onboarding/catalog-csv: a starter catalog, prices and stock from one CSV. Every row is checked
/// before anything is written, and the writes share the request's transaction: any bad row answers 400
/// with each problem's line, and nothing is written. Re-running a file updates by product and SKU code;
/// it never duplicates.
/// </summary>
internal static class ImportCatalogCsv
{
    public const string DefaultPriceListCode = "IMPORT";
    public const string DefaultLocationCode = "IMPORT-WH";

    /// <summary>A JSON body carries the CSV escaped, so it may be somewhat larger than the CSV limit.</summary>
    public const long BodyLimitBytes = CatalogCsv.MaxBytes + (1024 * 1024);

    public static async Task<Results<Ok<CatalogCsvResponse>, ApiError>> Handle(HttpContext context, [AsParameters] CatalogCsvQuery query,
        OrderCoreDbContext db, CurrentTenant tenant, Outbox outbox, TimeProvider clock, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, CancellationToken cancellationToken)
    {
        var body = context.Features.Get<RequestBody>();
        CatalogCsvRequest request;
        if (body?.Root is { } root)
        {
            request = root.Deserialize<CatalogCsvRequest>(json.Value.SerializerOptions)!;
        }
        else
        {
            var raw = body?.Raw ?? [];
            if (raw.Length > CatalogCsv.MaxBytes)
            {
                return ApiError.PayloadTooLarge(CatalogCsv.MaxBytes);
            }

            using var reader = new StreamReader(new MemoryStream(raw), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            request = query.ToRequest(await reader.ReadToEndAsync(cancellationToken));
        }

        var settings = await new CatalogCsvSettingsValidator().ValidateAsync(request, cancellationToken);
        if (!settings.IsValid)
        {
            return ApiError.Validation(settings.Errors.GroupBy(e => e.PropertyName).ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).ToArray()));
        }

        if (Encoding.UTF8.GetByteCount(request.Csv!) > CatalogCsv.MaxBytes)
        {
            return ApiError.PayloadTooLarge(CatalogCsv.MaxBytes);
        }

        var currency = Currency.Normalize(request.Currency);
        var parsed = CatalogCsv.Parse(new StringReader(request.Csv!.TrimStart('\uFEFF')), currency);
        if (parsed.TooManyRows)
        {
            return new ApiError(StatusCodes.Status413PayloadTooLarge, "payload_too_large",
                $"A catalog import holds at most {CatalogCsv.MaxRows} rows; split the file");
        }

        if (parsed.Errors.Count > 0)
        {
            return ApiError.Validation(parsed.Errors);
        }

        var importer = new Importer(db, outbox, tenant.RequiredId, clock.GetUtcNow(), currency, cancellationToken);
        var counts = await importer.RunAsync(parsed.Rows, request.PriceListCode ?? DefaultPriceListCode,
            request.LocationCode ?? DefaultLocationCode, request.LocationName);
        return TypedResults.Ok(new CatalogCsvResponse("ok", currency, request.PriceListCode ?? DefaultPriceListCode,
            request.LocationCode ?? DefaultLocationCode, parsed.Rows.Count, new SampleOrderItem(importer.FirstSkuId!, 1), counts,
            parsed.IgnoredColumns));
    }

    private sealed class Importer(OrderCoreDbContext db, Outbox outbox, string tenantId, DateTimeOffset now, string currency, CancellationToken cancellationToken)
    {
        public string? FirstSkuId { get; private set; }

        public async Task<ImportCounts> RunAsync(IReadOnlyList<CatalogCsvRow> rows, string priceListCode, string locationCode,
            string? locationName)
        {
            var (priceList, priceListTouched) = rows.Any(r => r.UnitPrice is not null)
                ? await EnsurePriceListAsync(priceListCode)
                : (null, 0);
            var (location, locationTouched) = rows.Any(r => r.QuantityOnHand is not null)
                ? await EnsureLocationAsync(locationCode, locationName)
                : (null, 0);

            var codes = rows.Select(r => r.SkuCode).ToList();
            var skus = await db.Skus.Where(s => codes.Contains(s.SkuCode)).ToDictionaryAsync(s => s.SkuCode, StringComparer.Ordinal, cancellationToken);
            var productIds = skus.Values.Select(s => s.ProductId).Distinct().ToList();
            var refs = rows.Where(r => r.ProductExternalId is not null).Select(r => r.ProductExternalId!).Distinct().ToList();
            var names = rows.Where(r => r.ProductExternalId is null).Select(r => r.ProductName).Distinct().ToList();
            var products = await db.Products
                .Where(p => productIds.Contains(p.Id) || (p.ExternalId != null && refs.Contains(p.ExternalId)) || names.Contains(p.Name))
                .ToListAsync(cancellationToken);
            var byId = products.ToDictionary(p => p.Id, StringComparer.Ordinal);
            var byKey = new Dictionary<string, Product>(StringComparer.Ordinal);
            foreach (var product in products.OrderBy(p => p.Id, StringComparer.Ordinal))
            {
                byKey.TryAdd(product.ExternalId is null ? $"name:{product.Name}" : $"ref:{product.ExternalId}", product);
            }

            var touchedProducts = new HashSet<string>(StringComparer.Ordinal);
            foreach (var row in rows)
            {
                var product = skus.TryGetValue(row.SkuCode, out var existing) ? byId[existing.ProductId] : byKey.GetValueOrDefault(row.ProductKey);
                if (product is null)
                {
                    product = new Product { Id = Ids.New(Ids.Product), Name = row.ProductName, CreatedAt = now, UpdatedAt = now };
                    db.Products.Add(product);
                    byId[product.Id] = product;
                }

                byKey[row.ProductKey] = product;
                product.Name = row.ProductName;
                product.Description = row.ProductDescription ?? product.Description;
                product.ExternalId = row.ProductExternalId ?? product.ExternalId;
                product.UpdatedAt = now;
                touchedProducts.Add(product.Id);

                if (existing is null)
                {
                    existing = new Sku { Id = Ids.New(Ids.Sku), ProductId = product.Id, SkuCode = row.SkuCode, CreatedAt = now };
                    db.Skus.Add(existing);
                    skus[row.SkuCode] = existing;
                }

                existing.Name = row.SkuName ?? existing.Name;
                existing.UpdatedAt = now;
                FirstSkuId ??= existing.Id;
            }

            var priced = rows.Where(r => r.UnitPrice is not null).ToList();
            if (priceList is not null)
            {
                await UpsertPricesAsync(priceList, priced.Select(r => (skus[r.SkuCode].Id, r.UnitPrice!.Value)).ToList());
            }

            await db.SaveChangesAsync(cancellationToken);

            var stocked = rows.Where(r => r.QuantityOnHand is not null).ToList();
            foreach (var row in stocked.OrderBy(r => skus[r.SkuCode].Id, StringComparer.Ordinal))
            {
                await Stock.AdjustAsync(db, outbox, tenantId, new StockAdjustment(skus[row.SkuCode].Id, row.SkuCode, location!.Id,
                    Delta: null, SetOnHand: row.QuantityOnHand, ExpectedOnHand: null, Reason: "catalog CSV import"), now, cancellationToken);
            }

            await db.SaveChangesAsync(cancellationToken);

            return new ImportCounts(touchedProducts.Count, rows.Count, priced.Count, stocked.Count, priceListTouched, locationTouched);
        }

        private async Task<(PriceList List, int Touched)> EnsurePriceListAsync(string code)
        {
            var list = await db.PriceLists.SingleOrDefaultAsync(l => l.Code == code, cancellationToken);
            if (list is null)
            {
                list = new PriceList
                {
                    Id = Ids.New(Ids.PriceList), Code = code, Name = $"Imported prices ({currency})", Currency = currency, CreatedAt = now, UpdatedAt = now,
                };
                db.PriceLists.Add(list);
            }
            else if (list.Currency != currency)
            {
                throw ApiError.Conflict("price_list_currency_mismatch",
                    $"Price list {code} is in {list.Currency}, not {currency}; import into another price_list_code").ToException();
            }

            return (list, 1);
        }

        private async Task<(Location Location, int Touched)> EnsureLocationAsync(string code, string? name)
        {
            var location = await db.Locations.SingleOrDefaultAsync(l => l.Code == code, cancellationToken);
            if (location is null)
            {
                location = await Locations.AddAsync(db, tenantId, code, name ?? code, now, cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
            }
            else if (name is not null && name != location.Name)
            {
                location.Name = name;
                location.UpdatedAt = now;
            }

            return (location, 1);
        }

        /// <summary>The base price (tier 1, no validity window) of each SKU in the list is created or updated.</summary>
        private async Task UpsertPricesAsync(PriceList list, List<(string SkuId, decimal Amount)> prices)
        {
            var skuIds = prices.Select(p => p.SkuId).ToList();
            var existing = await db.Prices
                .Where(p => p.PriceListId == list.Id && skuIds.Contains(p.SkuId) && p.MinQuantity == 1 && p.ValidFrom == null && p.ValidTo == null)
                .ToListAsync(cancellationToken);
            var bySku = existing.GroupBy(p => p.SkuId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            foreach (var (skuId, amount) in prices)
            {
                if (!bySku.TryGetValue(skuId, out var price))
                {
                    price = new Price { Id = Ids.New(Ids.Price), SkuId = skuId, PriceListId = list.Id, Currency = currency, CreatedAt = now };
                    db.Prices.Add(price);
                }

                price.UnitAmount = amount;
                price.Active = true;
                price.UpdatedAt = now;
            }
        }
    }
}

internal sealed record CatalogCsvQuery
{
    [FromQuery(Name = "currency")]
    public string? Currency { get; init; }

    [FromQuery(Name = "price_list_code")]
    public string? PriceListCode { get; init; }

    [FromQuery(Name = "location_code")]
    public string? LocationCode { get; init; }

    [FromQuery(Name = "location_name")]
    public string? LocationName { get; init; }

    public CatalogCsvRequest ToRequest(string csv) =>
        new() { Currency = Currency, PriceListCode = PriceListCode, LocationCode = LocationCode, LocationName = LocationName, Csv = csv };
}
