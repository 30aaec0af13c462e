using OrderCore.Api.Features.Catalog;
using OrderCore.Api.Features.Customers;
using OrderCore.Api.Features.Inventory;
using OrderCore.Api.Features.Pricing;
using OrderCore.Api.Platform.Money;

namespace OrderCore.Api.Features.Orders;

/// <summary>One line of an order, priced but not yet stored.</summary>
/// <summary>One line of an order, priced but not yet stored; <see cref="Price"/> is null when the unit price was given (an upstream platform's).</summary>
public sealed record PricedLine(int Position, Sku Sku, Product Product, int Quantity, ResolvedPrice? Price, decimal UnitPrice, decimal LineTotal);

public sealed record PricedOrder(string Currency, string? CustomerId, IReadOnlyList<PricedLine> Lines, decimal Subtotal)
{
    /// <summary>The tenant's default location, read with the catalog (null: it has none): where the order's stock comes from.</summary>
    public string? DefaultLocationId { get; init; }

    /// <summary>The subtotal, unless an upstream platform charged a different total (taxes, shipping, discounts).</summary>
    public decimal Total { get; init; } = Subtotal;

    /// <summary>The stock these lines need: untracked SKUs (services, digital goods) need none.</summary>
    public IReadOnlyList<StockRequest> StockNeeded =>
        Lines.Where(l => l.Sku.TrackInventory).Select(l => new StockRequest(l.Sku.Id, l.Sku.SkuCode, l.Quantity)).ToList();
}

/// <summary>
/// Turns an order request into priced lines: checks the customer and every SKU, and prices each line
/// with the <see cref="PriceResolver"/>. Creates nothing; order creation and preview both use it.
/// </summary>
public static class OrderPricing
{
    /// <summary>Prices the request; <c>givenUnitPrices</c> (one per item, an upstream platform's charged prices) replace the resolver's, null: resolve.</summary>
    public static Task<PricedOrder> PriceAsync(OrderCoreDbContext db, PlaceOrderRequest request, DateTimeOffset now, CancellationToken cancellationToken) =>
        PriceAsync(db, request, givenUnitPrices: null, now, cancellationToken);

    public static async Task<PricedOrder> PriceAsync(OrderCoreDbContext db, PlaceOrderRequest request, IReadOnlyList<decimal>? givenUnitPrices,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var currency = Currency.Normalize(request.Currency);
        var items = request.Items!;
        var catalog = await ReadCatalogAsync(db, request, currency, cancellationToken);
        if (request.CustomerId is { } customerId && !(catalog.FirstOrDefault()?.CustomerExists ?? await db.Customers.AnyAsync(c => c.Id == customerId, cancellationToken)))
        {
            throw CustomerErrors.NotFound(customerId).ToException();
        }

        var resolved = new List<(int Position, CatalogRow Row, int Quantity)>();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var match = catalog.FirstOrDefault(r => item.SkuId is not null ? r.Sku.Id == item.SkuId : r.Sku.SkuCode == item.SkuCode);
            if (match is null)
            {
                var notFound = Skus.NotFound(item.SkuId, item.SkuCode);
                throw (notFound with { Message = $"{notFound.Message} (items[{i}])" })
                    .With("param", $"items[{i}].{(item.SkuId is not null ? "sku_id" : "sku_code")}").ToException();
            }

            if (new SkuWithProduct(match.Sku, match.Product).UnavailableBecause is { } why)
            {
                throw new ApiError(StatusCodes.Status409Conflict, "product_unavailable", $"SKU {match.Sku.SkuCode} cannot be ordered: {why}")
                    .With("sku_id", match.Sku.Id).With("product_id", match.Product.Id).ToException();
            }

            resolved.Add((i, match, item.Quantity!.Value));
        }

        var lines = new List<PricedLine>(resolved.Count);
        foreach (var (position, row, quantity) in resolved)
        {
            if (givenUnitPrices is not null)
            {
                var given = Currency.Round(givenUnitPrices[position], currency);
                lines.Add(new PricedLine(position, row.Sku, row.Product, quantity, null, given, Currency.Round(given * quantity, currency)));
                continue;
            }

            var price = PriceResolver.Resolve(row.Prices.Select(p => new PriceCandidate(p.Price, p.List)), currency, request.CustomerId, quantity, now)
                ?? throw PricingErrors.NoPriceApplies(row.Sku.Id, row.Sku.SkuCode, currency, request.CustomerId, quantity)
                    .With("param", $"items[{position}]").ToException();
            var unitPrice = Currency.Round(price.UnitAmount, currency);
            lines.Add(new PricedLine(position, row.Sku, row.Product, quantity, price, unitPrice, Currency.Round(unitPrice * quantity, currency)));
        }

        return new PricedOrder(currency, request.CustomerId, lines, Currency.Round(lines.Sum(l => l.LineTotal), currency))
        {
            DefaultLocationId = catalog.FirstOrDefault()?.DefaultLocationId,
        };
    }

    /// <summary>
    /// Everything pricing and reserving need, in one query (one round trip): the named SKUs with their products, each
    /// SKU's price candidates, the tenant's default location and whether the customer exists (those two repeat on every
    /// row). Each part is its feature's own query (<see cref="Skus.Named"/>, <see cref="PriceResolver.Candidates"/>,
    /// <see cref="Stock.DefaultLocationId"/>); only their composition is made here.
    /// </summary>
    private static async Task<List<CatalogRow>> ReadCatalogAsync(OrderCoreDbContext db, PlaceOrderRequest request, string currency,
        CancellationToken cancellationToken)
    {
        var items = request.Items!;
        var ids = items.Where(i => i.SkuId is not null).Select(i => i.SkuId!).Distinct().ToList();
        var codes = items.Where(i => i.SkuCode is not null).Select(i => i.SkuCode!).Distinct().ToList();
        var customerId = request.CustomerId;
        var candidates = PriceResolver.Candidates(db, currency, customerId);
        var lists = db.PriceLists;
        var customers = db.Customers;
        var defaultLocation = Stock.DefaultLocationId(db);
        // One row per (SKU, candidate): each SKU's candidates are joined to the SKU row by SKU id, so the database looks
        // them up by SKU (its index) instead of reading every price of the tenant in that currency and matching them after.
        var rows = await (
                from sku in Skus.Named(db, ids, codes)
                join product in db.Products on sku.ProductId equals product.Id
                from price in candidates.Where(p => p.SkuId == sku.Id).DefaultIfEmpty()
                from list in lists.Where(l => price != null && l.Id == price.PriceListId).DefaultIfEmpty()
                select new
                {
                    Sku = sku,
                    Product = product,
                    Price = price,
                    List = list,
                    DefaultLocationId = defaultLocation.FirstOrDefault(),
                    CustomerExists = customerId == null || customers.Any(c => c.Id == customerId),
                })
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        return rows
            .GroupBy(r => r.Sku.Id, StringComparer.Ordinal)
            .Select(g => new CatalogRow
            {
                Sku = g.First().Sku,
                Product = g.First().Product,
                Prices = g.Where(r => r.Price is not null && r.List is not null)
                    .Select(r => new CandidateRow { Price = r.Price!, List = r.List! })
                    .ToList(),
                DefaultLocationId = g.First().DefaultLocationId,
                CustomerExists = g.First().CustomerExists,
            })
            .ToList();
    }

    private sealed class CatalogRow
    {
        public required Sku Sku { get; init; }
        public required Product Product { get; init; }
        public required List<CandidateRow> Prices { get; init; }
        public string? DefaultLocationId { get; init; }
        public bool CustomerExists { get; init; }
    }

    private sealed class CandidateRow
    {
        public required Price Price { get; init; }
        public required PriceList List { get; init; }
    }
}
