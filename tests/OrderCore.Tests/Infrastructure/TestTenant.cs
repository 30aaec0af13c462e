using Microsoft.EntityFrameworkCore;
using OrderCore.Api.Features.Catalog;
using OrderCore.Api.Features.Customers;
using OrderCore.Api.Features.Inventory;
using OrderCore.Api.Features.Pricing;
using OrderCore.Api.Platform.Identifiers;

namespace OrderCore.Tests.Infrastructure;

public sealed record SeededSku(string ProductId, string SkuId, string SkuCode, decimal UnitPrice);

/// <summary>A tenant of its own for one test, with a client that sends its API key.</summary>
public sealed class TestTenant(AppFixture app, string id, string apiKey)
{
    public string Id { get; } = id;
    public string ApiKey { get; } = apiKey;
    public HttpClient Client { get; } = app.Client(apiKey);

    /// <summary>
    /// Adds a product with one SKU, a price in <paramref name="currency"/> and stock at the tenant's
    /// default location, straight through the app's DbContext (the catalog API is a later issue).
    /// </summary>
    public async Task<SeededSku> SeedSkuAsync(decimal unitPrice = 10.00m, int stock = 100, string currency = "USD",
        ProductStatus productStatus = ProductStatus.Active, bool trackInventory = true, string? skuCode = null)
    {
        var now = DateTimeOffset.UtcNow;
        var product = new Product { Id = Ids.New(Ids.Product), Name = $"Product {skuCode}", Status = productStatus, CreatedAt = now, UpdatedAt = now };
        var sku = new Sku
        {
            Id = Ids.New(Ids.Sku), ProductId = product.Id, SkuCode = skuCode ?? $"SKU-{Guid.NewGuid():N}"[..16], Name = "Test SKU",
            TrackInventory = trackInventory, CreatedAt = now, UpdatedAt = now,
        };
        product.Skus.Add(sku);

        await app.AsTenantAsync(Id, async db =>
        {
            var location = await db.Set<Location>().FirstOrDefaultAsync(l => l.IsDefault);
            if (location is null)
            {
                location = new Location { Id = Ids.New(Ids.Location), Code = "MAIN", Name = "Main", IsDefault = true, CreatedAt = now, UpdatedAt = now };
                db.Add(location);
            }

            var listCode = $"TEST-{currency}";
            var list = await db.Set<PriceList>().FirstOrDefaultAsync(l => l.Code == listCode);
            if (list is null)
            {
                list = new PriceList { Id = Ids.New(Ids.PriceList), Code = listCode, Name = listCode, Currency = currency, CreatedAt = now, UpdatedAt = now };
                db.Add(list);
            }

            db.Add(product);
            db.Add(new Price
            {
                Id = Ids.New(Ids.Price), SkuId = sku.Id, PriceListId = list.Id, Currency = currency, UnitAmount = unitPrice,
                CreatedAt = now, UpdatedAt = now,
            });
            if (trackInventory)
            {
                db.Add(new InventoryLevel { LocationId = location.Id, SkuId = sku.Id, OnHand = stock, UpdatedAt = now });
            }
        });

        return new SeededSku(product.Id, sku.Id, sku.SkuCode, unitPrice);
    }

    public async Task<string> SeedCustomerAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var customer = new Customer { Id = Ids.New(Ids.Customer), Email = "buyer@example.com", Name = "Buyer", CreatedAt = now, UpdatedAt = now };
        await app.AsTenantAsync(Id, db =>
        {
            db.Add(customer);
            return Task.CompletedTask;
        });
        return customer.Id;
    }

    /// <summary>
    /// Inserts <paramref name="count"/> customers in one SQL statement (thousands through the API take too
    /// long) and answers their ids.
    /// </summary>
    public async Task<string[]> SeedCustomersAsync(int count)
    {
        var ids = Enumerable.Range(0, count).Select(_ => Ids.New(Ids.Customer)).ToArray();
        await app.Database.ExecuteAsync("""
            INSERT INTO customers (tenant_id, id, email, name, created_at, updated_at)
            SELECT $1, id, 'bulk@example.com', 'Bulk customer', now(), now() FROM unnest($2::text[]) AS id
            """, Id, ids);
        return ids;
    }

    /// <summary>(on_hand, reserved) of a SKU at the default location, read straight from the database.</summary>
    public async Task<(int OnHand, int Reserved)> StockAsync(string skuId)
    {
        var onHand = await app.Database.ScalarAsync<int>(
            "SELECT on_hand FROM inventory_levels WHERE tenant_id = $1 AND sku_id = $2", Id, skuId);
        var reserved = await app.Database.ScalarAsync<int>(
            "SELECT reserved FROM inventory_levels WHERE tenant_id = $1 AND sku_id = $2", Id, skuId);
        return (onHand, reserved);
    }

    public Task<long> CountAsync(string table) =>
        app.Database.ScalarAsync<long>($"SELECT count(*) FROM {table} WHERE tenant_id = $1", Id);
}
