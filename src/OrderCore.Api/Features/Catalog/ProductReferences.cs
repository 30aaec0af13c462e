namespace OrderCore.Api.Features.Catalog;

/// <summary>
/// What another feature keeps about products, asked before a product is deleted. Catalog does not know
/// who refers to its products; each feature that does (orders, stock) registers one of these with
/// <see cref="ProductReferencesSetup.AddProductReferences{T}"/>, the way readiness checks are registered.
/// </summary>
public interface IProductReferences
{
    /// <summary>True while something of this feature refers to the product or one of its SKUs: the product is then archived, not erased.</summary>
    Task<bool> RefersToAsync(OrderCoreDbContext db, string productId, IQueryable<string> skuIds, CancellationToken cancellationToken);

    /// <summary>Erases what only records the history of the product's SKUs in this feature, just before the product itself.</summary>
    Task ForgetAsync(OrderCoreDbContext db, IQueryable<string> skuIds, CancellationToken cancellationToken);
}

public static class ProductReferencesSetup
{
    public static IServiceCollection AddProductReferences<T>(this IServiceCollection services) where T : class, IProductReferences =>
        services.AddSingleton<IProductReferences, T>();
}
