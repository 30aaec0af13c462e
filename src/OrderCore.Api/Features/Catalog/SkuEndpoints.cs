namespace OrderCore.Api.Features.Catalog;

internal static class SkuEndpoints
{
    /// <summary>
    /// GET /v1/skus/{id}: by code as in the reference, or by <c>sku_...</c> id. The parameter is named as PATCH's so
    /// that the two are one path in the OpenAPI document.
    /// </summary>
    public static async Task<Results<Ok<SkuResponse>, ApiError>> Get(string id, OrderCoreDbContext db, CancellationToken cancellationToken)
    {
        var sku = await db.Skus.AsNoTracking().SingleOrDefaultAsync(s => s.SkuCode == id, cancellationToken)
            ?? await db.Skus.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        return sku is null ? NotFound(id) : TypedResults.Ok(SkuResponse.From(sku));
    }

    public static async Task<Results<Created<SkuResponse>, ApiError>> Add(string id, SkuRequest request, OrderCoreDbContext db, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (!await db.Products.AnyAsync(p => p.Id == id, cancellationToken))
        {
            return ProductEndpoints.NotFound(id);
        }

        if (await db.Skus.AnyAsync(s => s.SkuCode == request.SkuCode, cancellationToken))
        {
            return SkuCodeTaken(request.SkuCode!);
        }

        var now = clock.GetUtcNow();
        var sku = new Sku
        {
            Id = Ids.New(Ids.Sku), ProductId = id, SkuCode = request.SkuCode!, Name = request.Name, Status = request.Status ?? SkuStatus.Active,
            TrackInventory = request.TrackInventory ?? true, CreatedAt = now, UpdatedAt = now,
        };
        db.Skus.Add(sku);
        await ProductEndpoints.SaveAsync(db, cancellationToken);
        return TypedResults.Created($"/v1/skus/{sku.Id}", SkuResponse.From(sku));
    }

    public static async Task<Results<Ok<SkuResponse>, ApiError>> Patch(string id, SkuPatch patch, SentFields sent, OrderCoreDbContext db,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        foreach (var field in new[] { ("sku_code", patch.SkuCode is null), ("status", patch.Status is null), ("track_inventory", patch.TrackInventory is null) })
        {
            if (sent.Has(field.Item1) && field.Item2)
            {
                return ApiError.Validation(field.Item1, "must not be null");
            }
        }

        var sku = await db.Skus.SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (sku is null)
        {
            return NotFound(id);
        }

        if (patch.SkuCode is not null && patch.SkuCode != sku.SkuCode)
        {
            if (await db.Skus.AnyAsync(s => s.SkuCode == patch.SkuCode, cancellationToken))
            {
                return SkuCodeTaken(patch.SkuCode);
            }

            sku.SkuCode = patch.SkuCode;
        }

        if (sent.Has("name")) sku.Name = patch.Name;
        if (patch.Status is { } status) sku.Status = status;
        if (patch.TrackInventory is { } track) sku.TrackInventory = track;
        sku.UpdatedAt = clock.GetUtcNow();
        await ProductEndpoints.SaveAsync(db, cancellationToken);
        return TypedResults.Ok(SkuResponse.From(sku));
    }

    internal static ApiError NotFound(string idOrCode) => ApiError.NotFound($"No SKU with id or code {idOrCode}");

    internal static ApiError SkuCodeTaken(string code) =>
        ApiError.Conflict("sku_code_taken", $"Another SKU already has sku_code {code}").With("sku_code", code);
}
