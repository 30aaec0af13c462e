namespace OrderCore.Api.Features.Catalog;

/// <summary>Go-live: an active product with an active SKU exists.</summary>
internal sealed class CatalogPresentCheck : IReadinessCheck
{
    public string Name => "catalog";

    public async Task<ReadinessCheckResult> CheckAsync(ReadinessContext context, CancellationToken cancellationToken)
    {
        var products = context.Db.Products;
        var orderable = await context.Db.Skus.CountAsync(
            s => s.Status == SkuStatus.Active && products.Any(p => p.Id == s.ProductId && p.Status == ProductStatus.Active), cancellationToken);
        return orderable > 0
            ? this.Result(ReadinessStatus.Pass, $"{orderable} orderable SKU(s)")
            : this.Result(ReadinessStatus.Fail, "no active product with an active SKU; create one or import a catalog");
    }
}
