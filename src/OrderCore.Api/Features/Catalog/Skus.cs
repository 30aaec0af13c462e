namespace OrderCore.Api.Features.Catalog;

/// <summary>A SKU with the product it belongs to, as ordering and pricing read them.</summary>
public sealed record SkuWithProduct(Sku Sku, Product Product)
{
    /// <summary>Why this SKU cannot be ordered now, or null when it can.</summary>
    public string? UnavailableBecause => Product.Status != ProductStatus.Active
        ? $"its product {Product.Id} is {Product.Status.ToString().ToLowerInvariant()}"
        : Sku.Status != SkuStatus.Active ? "the SKU is inactive" : null;
}

/// <summary>
/// Catalog's public surface for SKUs: the one way other features find a SKU by id or code, and the one
/// <c>sku_not_found</c> answer.
/// </summary>
public static class Skus
{
    /// <summary>The 404 for a lookup by <paramref name="skuId"/> when given, else by <paramref name="skuCode"/>.</summary>
    public static ApiError NotFound(string? skuId, string? skuCode)
    {
        var (field, value) = skuId is not null ? ("sku_id", skuId) : ("sku_code", skuCode!);
        return new ApiError(StatusCodes.Status404NotFound, "sku_not_found", $"No SKU with {field} {value}").With(field, value);
    }

    /// <summary>The SKU by id when <paramref name="skuId"/> is given, else by code; null when there is none.</summary>
    public static Task<Sku?> FindAsync(OrderCoreDbContext db, string? skuId, string? skuCode, CancellationToken cancellationToken) =>
        skuId is not null
            ? db.Skus.AsNoTracking().SingleOrDefaultAsync(s => s.Id == skuId, cancellationToken)
            : db.Skus.AsNoTracking().SingleOrDefaultAsync(s => s.SkuCode == skuCode, cancellationToken);

    /// <summary>As <see cref="FindAsync"/>, but a missing SKU is the 404 <c>sku_not_found</c>.</summary>
    public static async Task<Sku> ResolveAsync(OrderCoreDbContext db, string? skuId, string? skuCode, CancellationToken cancellationToken) =>
        await FindAsync(db, skuId, skuCode, cancellationToken) ?? throw NotFound(skuId, skuCode).ToException();

    /// <summary>
    /// Every SKU named by one of <paramref name="ids"/> or <paramref name="codes"/>, as a query to compose into a larger one.
    /// Only the lists given become conditions, so that each is an index lookup (an <c>OR</c> of both is one only when the
    /// planner's statistics say so).
    /// </summary>
    public static IQueryable<Sku> Named(OrderCoreDbContext db, IReadOnlyCollection<string> ids, IReadOnlyCollection<string> codes) =>
        (ids.Count, codes.Count) switch
        {
            (_, 0) => db.Skus.Where(s => ids.Contains(s.Id)),
            (0, _) => db.Skus.Where(s => codes.Contains(s.SkuCode)),
            _ => db.Skus.Where(s => ids.Contains(s.Id) || codes.Contains(s.SkuCode)),
        };
}
