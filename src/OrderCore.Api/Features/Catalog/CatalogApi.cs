namespace OrderCore.Api.Features.Catalog;

internal static class CatalogApi
{
    /// <summary>The go-live check for an orderable catalog.</summary>
    public static void AddCatalog(this WebApplicationBuilder builder) => builder.Services.AddReadinessCheck<CatalogPresentCheck>();

    public static void MapCatalogApi(this RouteGroupBuilder v1)
    {
        var products = v1.MapGroup("/products").WithTags("Catalog").RequireScopes(CatalogScopes.Read, CatalogScopes.Write);
        products.MapGet("/", ProductEndpoints.List).WithName("ListProducts").WithSummary("List products").ProducesErrors(400, 401);
        products.MapPost("/", ProductEndpoints.Create).WithName("CreateProduct")
            .WithSummary("Create a product, optionally with a client-chosen id and its SKUs").ProducesErrors(400, 401, 409, 413, 422);
        products.MapGet("/{id}", ProductEndpoints.Get).WithName("GetProduct").WithSummary("Retrieve a product with its SKUs").ProducesErrors(401, 404);
        products.MapPut("/{id}", ProductEndpoints.Put).WithName("PutProduct")
            .WithSummary("Create the product with this id, or replace it (SKUs listed are created or updated by sku_code)").ProducesErrors(400, 401, 409);
        products.MapPatch("/{id}", ProductEndpoints.Patch).WithName("UpdateProduct")
            .WithSummary("Change the fields sent; null clears an optional field").ProducesErrors(400, 401, 404);
        products.MapDelete("/{id}", ProductEndpoints.Delete).WithName("DeleteProduct")
            .WithSummary("Delete a product; one that orders or reservations refer to is archived instead").ProducesErrors(401, 404);
        products.MapPost("/{id}/skus", SkuEndpoints.Add).WithName("CreateSku").WithSummary("Add a SKU to a product").ProducesErrors(400, 401, 404, 409, 422);

        var skus = v1.MapGroup("/skus").WithTags("Catalog").RequireScopes(CatalogScopes.Read, CatalogScopes.Write);
        skus.MapGet("/{id}", SkuEndpoints.Get).WithName("GetSku").WithSummary("Retrieve a SKU by its code (or its sku_... id)").ProducesErrors(401, 404);
        skus.MapPatch("/{id}", SkuEndpoints.Patch).WithName("UpdateSku").WithSummary("Change the fields sent").ProducesErrors(400, 401, 404, 409);
    }
}

/// <summary>
/// The scopes of the catalog and its prices. Fields, not constants: a constant is copied into its user's IL, which would
/// hide the dependency from the module graph.
/// </summary>
public static class CatalogScopes
{
    public static readonly string Read = "catalog:read";
    public static readonly string Write = "catalog:write";
}
