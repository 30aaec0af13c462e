using OrderCore.Api.Features.Catalog;
using OrderCore.Api.Features.Customers;
using OrderCore.Api.Features.Inventory;
using OrderCore.Api.Features.Pricing;
using OrderCore.Api.Platform.Money;

namespace OrderCore.Api.Features.Onboarding;

internal sealed record SampleOrderItem(string SkuId, int Quantity);

internal sealed record DemoProduct(string ProductId, string SkuId, string SkuCode, string Name, decimal UnitPrice, bool TrackInventory);

internal sealed record DemoDataResponse(
    string Status,
    bool Created,
    string SampleCustomerId,
    SampleOrderItem SampleOrderItem,
    string LocationId,
    string PriceListCode,
    string Currency,
    IReadOnlyList<DemoProduct> Products);

/// <summary>
/// Seeds, once per tenant, a small catalog that the first-order flow can use: a customer, three
/// products with SKUs (one untracked), a default location with stock and a USD price list. Every part
/// is found by its fixed code, so repeated calls create nothing new and return the same ids.
/// </summary>
internal static class DemoData
{
    public const string PriceListCode = "DEMO-USD";
    public const string LocationCode = "DEMO-WH";
    public const string CustomerExternalId = "ordercore-demo-customer";
    public const int StartingStock = 100;

    private static readonly (string SkuCode, string Name, string Description, decimal Price, bool Tracked)[] Catalog =
    [
        ("DEMO-STARTER-1", "Starter Pack", "Everything to take a first order.", 49.00m, true),
        ("DEMO-GROWTH-1", "Growth Bundle", "Three Starter Packs and a tote bag.", 129.00m, true),
        ("DEMO-GIFT-25", "Gift Card 25", "A digital gift card; not stock-tracked.", 25.00m, false),
    ];

    public static async Task<Ok<DemoDataResponse>> Handle(OrderCoreDbContext db, CurrentTenant tenant, Outbox outbox, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        // Concurrent calls of one tenant queue here until the first one's transaction ends.
        await db.LockAsync($"demo-data\n{tenant.RequiredId}", cancellationToken);
        var now = clock.GetUtcNow();
        var created = false;

        var customer = await db.Customers.FirstOrDefaultAsync(c => c.ExternalId == CustomerExternalId, cancellationToken);
        if (customer is null)
        {
            customer = new Customer
            {
                Id = Ids.New(Ids.Customer), Email = "demo.customer@example.com", Name = "Demo Customer",
                ExternalId = CustomerExternalId, CreatedAt = now, UpdatedAt = now,
            };
            db.Customers.Add(customer);
            created = true;
        }

        var location = await db.Locations.FirstOrDefaultAsync(l => l.Code == LocationCode, cancellationToken);
        if (location is null)
        {
            location = await Locations.AddAsync(db, tenant.RequiredId, LocationCode, "Demo Warehouse", now, cancellationToken);
            created = true;
        }

        var priceList = await db.PriceLists.FirstOrDefaultAsync(l => l.Code == PriceListCode, cancellationToken);
        if (priceList is null)
        {
            priceList = new PriceList
            {
                Id = Ids.New(Ids.PriceList), Code = PriceListCode, Name = "Demo prices (USD)", Currency = "USD",
                CreatedAt = now, UpdatedAt = now,
            };
            db.PriceLists.Add(priceList);
            created = true;
        }

        var codes = Catalog.Select(c => c.SkuCode).ToList();
        var existingSkus = await db.Skus.Where(s => codes.Contains(s.SkuCode)).ToDictionaryAsync(s => s.SkuCode, StringComparer.Ordinal, cancellationToken);
        var products = new List<DemoProduct>();
        var stocked = new List<StockAdjustment>();
        foreach (var (skuCode, name, description, price, tracked) in Catalog)
        {
            if (!existingSkus.TryGetValue(skuCode, out var sku))
            {
                var product = new Product
                {
                    Id = Ids.New(Ids.Product), Name = name, Description = description, CreatedAt = now, UpdatedAt = now,
                };
                sku = new Sku
                {
                    Id = Ids.New(Ids.Sku), ProductId = product.Id, SkuCode = skuCode, Name = name, TrackInventory = tracked,
                    CreatedAt = now, UpdatedAt = now,
                };
                product.Skus.Add(sku);
                db.Products.Add(product);
                db.Prices.Add(new Price
                {
                    Id = Ids.New(Ids.Price), SkuId = sku.Id, PriceListId = priceList.Id, Currency = "USD", UnitAmount = price,
                    CreatedAt = now, UpdatedAt = now,
                });
                if (tracked)
                {
                    stocked.Add(new StockAdjustment(sku.Id, skuCode, location.Id, Delta: StartingStock, SetOnHand: null, ExpectedOnHand: null,
                        Reason: "demo data"));
                }

                created = true;
            }

            products.Add(new DemoProduct(sku.ProductId, sku.Id, skuCode, name, Currency.Round(price, "USD"), tracked));
        }

        // Stock goes through the inventory's own surface, once the SKUs and the location it refers to are saved.
        await db.SaveChangesAsync(cancellationToken);
        foreach (var adjustment in stocked)
        {
            await Stock.AdjustAsync(db, outbox, tenant.RequiredId, adjustment, now, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new DemoDataResponse("ok", created, customer.Id, new SampleOrderItem(products[0].SkuId, 1), location.Id,
            PriceListCode, "USD", products));
    }
}
