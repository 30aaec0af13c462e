namespace OrderCore.Api.Features.Catalog;

internal sealed record ListProductsQuery
{
    [FromQuery(Name = "status")]
    [Description("active, draft or archived")]
    public string? Status { get; init; }

    [FromQuery(Name = "q")]
    [Description("Case-insensitive search in the product name and its SKU codes.")]
    public string? Q { get; init; }
}

internal static class ProductEndpoints
{
    public static async Task<Results<Ok<Paged<ProductResponse>>, ApiError>> List([AsParameters] ListProductsQuery query,
        [AsParameters] PageRequest page, OrderCoreDbContext db, CancellationToken cancellationToken)
    {
        var products = db.Products.AsNoTracking().Include(p => p.Skus).AsSplitQuery();
        if (EnumText.ParseFilter<ProductStatus>(query.Status, "status") is { } status) products = products.Where(p => p.Status == status);

        if (!string.IsNullOrWhiteSpace(query.Q))
        {
            var pattern = $"%{EscapeLike(query.Q.Trim())}%";
            products = products.Where(p => EF.Functions.ILike(p.Name, pattern, LikeEscape)
                || db.Set<Sku>().Any(s => s.ProductId == p.Id && EF.Functions.ILike(s.SkuCode, pattern, LikeEscape)));
        }

        return TypedResults.Ok(await products.ToPageAsync(page, ProductResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<ProductResponse>, ApiError>> Get(string id, OrderCoreDbContext db, CancellationToken cancellationToken)
    {
        var product = await db.Products.AsNoTracking().Include(p => p.Skus).SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
        return product is null ? NotFound(id) : TypedResults.Ok(ProductResponse.From(product));
    }

    public static async Task<Results<Created<ProductResponse>, ApiError>> Create(ProductRequest request, OrderCoreDbContext db, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var id = request.Id ?? Ids.New(Ids.Product);
        if (request.Id is not null && await db.Products.AnyAsync(p => p.Id == request.Id, cancellationToken))
        {
            return ClientIds.Exists("product", "/v1/products", request.Id);
        }

        var product = new Product { Id = id, Name = request.Name!, CreatedAt = now, UpdatedAt = now };
        Apply(product, request);
        db.Products.Add(product);
        await UpsertSkusAsync(db, product, request.Skus, now, cancellationToken);
        await SaveAsync(db, cancellationToken);
        return TypedResults.Created($"/v1/products/{product.Id}", ProductResponse.From(product));
    }

    /// <summary>Creates the product with this id, or replaces its fields; listed SKUs are created or updated by sku_code.</summary>
    public static async Task<Results<Ok<ProductResponse>, Created<ProductResponse>, ApiError>> Put(string id, ProductRequest request,
        OrderCoreDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (ClientIds.CheckPutBody(id, request.Id) is { } mismatch)
        {
            return mismatch;
        }

        var now = clock.GetUtcNow();
        var product = await db.Products.Include(p => p.Skus).SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
        var created = product is null;
        if (product is null)
        {
            if (ClientIds.CheckNew(id) is { } invalid)
            {
                return invalid;
            }

            product = new Product { Id = id, Name = request.Name!, CreatedAt = now, UpdatedAt = now };
            db.Products.Add(product);
        }

        Apply(product, request);
        product.UpdatedAt = now;
        await UpsertSkusAsync(db, product, request.Skus, now, cancellationToken);
        await SaveAsync(db, cancellationToken);
        var body = ProductResponse.From(product);
        return created ? TypedResults.Created($"/v1/products/{product.Id}", body) : TypedResults.Ok(body);
    }

    public static async Task<Results<Ok<ProductResponse>, ApiError>> Patch(string id, ProductPatch patch, SentFields sent, OrderCoreDbContext db,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        if (sent.Has("name") && patch.Name is null || sent.Has("status") && patch.Status is null)
        {
            return ApiError.Validation(sent.Has("name") && patch.Name is null ? "name" : "status", "must not be null");
        }

        var product = await db.Products.Include(p => p.Skus).SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (product is null)
        {
            return NotFound(id);
        }

        if (patch.Name is not null) product.Name = patch.Name;
        if (patch.Status is { } status) product.Status = status;
        if (sent.Has("description")) product.Description = patch.Description;
        if (sent.Has("external_id")) product.ExternalId = patch.ExternalId;
        if (sent.Has("metadata")) product.Metadata = patch.Metadata;
        product.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(ProductResponse.From(product));
    }

    /// <summary>
    /// Erases a product nothing refers to. A product whose SKUs appear on orders or reservations is
    /// archived instead: orders keep pointing at a real product, and it can no longer be ordered.
    /// </summary>
    public static async Task<Results<NoContent, ApiError>> Delete(string id, OrderCoreDbContext db, IEnumerable<IProductReferences> references,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var product = await db.Products.SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (product is null)
        {
            return NotFound(id);
        }

        var skuIds = db.Skus.Where(s => s.ProductId == id).Select(s => s.Id);
        var referenced = false;
        foreach (var reference in references)
        {
            referenced = referenced || await reference.RefersToAsync(db, id, skuIds, cancellationToken);
        }

        if (referenced)
        {
            product.Status = ProductStatus.Archived;
            product.UpdatedAt = clock.GetUtcNow();
        }
        else
        {
            foreach (var reference in references)
            {
                await reference.ForgetAsync(db, skuIds, cancellationToken);
            }

            db.Products.Remove(product);
        }

        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    internal static ApiError NotFound(string id) => ApiError.NotFound($"No product with id {id}");

    private static void Apply(Product product, ProductRequest request)
    {
        product.Name = request.Name!;
        product.Description = request.Description;
        product.Status = request.Status ?? ProductStatus.Active;
        product.ExternalId = request.ExternalId;
        product.Metadata = request.Metadata;
    }

    private static async Task UpsertSkusAsync(OrderCoreDbContext db, Product product, List<SkuRequest>? skus, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        if (skus is not { Count: > 0 })
        {
            return;
        }

        var codes = skus.Select(s => s.SkuCode!).ToList();
        var taken = await db.Skus.Where(s => codes.Contains(s.SkuCode) && s.ProductId != product.Id).Select(s => s.SkuCode).FirstOrDefaultAsync(cancellationToken);
        if (taken is not null)
        {
            throw SkuEndpoints.SkuCodeTaken(taken).ToException();
        }

        foreach (var request in skus)
        {
            var sku = product.Skus.FirstOrDefault(s => s.SkuCode == request.SkuCode);
            if (sku is null)
            {
                sku = new Sku { Id = Ids.New(Ids.Sku), ProductId = product.Id, SkuCode = request.SkuCode!, CreatedAt = now };
                product.Skus.Add(sku);
            }

            sku.Name = request.Name;
            sku.Status = request.Status ?? SkuStatus.Active;
            sku.TrackInventory = request.TrackInventory ?? true;
            sku.UpdatedAt = now;
        }
    }

    /// <summary>Saves; a concurrent insert of the same id or sku_code surfaces as 409, not 500.</summary>
    internal static async Task SaveAsync(OrderCoreDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            throw ApiError.Conflict("resource_exists", "A product with this id or a SKU with this sku_code already exists").ToException();
        }
    }

    private const string LikeEscape = "\\";

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
