namespace OrderCore.Api.Features.Catalog;

internal sealed record ProductResponse(
    string Id,
    string Name,
    string? Description,
    ProductStatus Status,
    string? ExternalId,
    JsonObject? Metadata,
    IReadOnlyList<SkuResponse> Skus,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static ProductResponse From(Product product) => new(
        product.Id, product.Name, product.Description, product.Status, product.ExternalId, product.Metadata,
        product.Skus.OrderBy(s => s.Id, StringComparer.Ordinal).Select(SkuResponse.From).ToList(), product.CreatedAt, product.UpdatedAt);
}

internal sealed record SkuResponse(
    string Id,
    string SkuCode,
    string ProductId,
    string? Name,
    SkuStatus Status,
    bool TrackInventory,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static SkuResponse From(Sku sku) =>
        new(sku.Id, sku.SkuCode, sku.ProductId, sku.Name, sku.Status, sku.TrackInventory, sku.CreatedAt, sku.UpdatedAt);
}

/// <summary>The body of POST /v1/products and PUT /v1/products/{id}.</summary>
internal sealed record ProductRequest
{
    [Description("Optional client-chosen id ([A-Za-z0-9._:-], at most 128); generated (prod_...) when omitted.")]
    public string? Id { get; init; }

    [Required]
    public string? Name { get; init; }

    public string? Description { get; init; }

    [Description("active (default), draft or archived")]
    public ProductStatus? Status { get; init; }

    public string? ExternalId { get; init; }

    public JsonObject? Metadata { get; init; }

    [Description("SKUs to create with the product (on PUT: created or updated by sku_code).")]
    public List<SkuRequest>? Skus { get; init; }
}

/// <summary>The body of POST /v1/products/{id}/skus, and one entry of a product's <c>skus</c>.</summary>
internal sealed record SkuRequest
{
    [Required]
    [Description("Unique within the tenant.")]
    public string? SkuCode { get; init; }

    public string? Name { get; init; }

    [Description("active (default) or inactive")]
    public SkuStatus? Status { get; init; }

    [Description("Default true; untracked SKUs never block an order on stock.")]
    public bool? TrackInventory { get; init; }
}

/// <summary>PATCH /v1/products/{id}: only the fields sent change; <c>null</c> clears an optional field.</summary>
internal sealed record ProductPatch
{
    public string? Name { get; init; }
    public string? Description { get; init; }
    public ProductStatus? Status { get; init; }
    public string? ExternalId { get; init; }
    public JsonObject? Metadata { get; init; }
}

/// <summary>PATCH /v1/skus/{id}: only the fields sent change.</summary>
internal sealed record SkuPatch
{
    public string? SkuCode { get; init; }
    public string? Name { get; init; }
    public SkuStatus? Status { get; init; }
    public bool? TrackInventory { get; init; }
}

internal static class CatalogRules
{
    public const int MaxSkusPerRequest = 100;

    public static IRuleBuilderOptions<T, string?> ValidName<T>(this IRuleBuilder<T, string?> rule) =>
        rule.NotEmpty().WithMessage("is required").MaximumLength(500).WithMessage("must be at most 500 characters");

}

internal sealed class SkuRequestValidator : AbstractValidator<SkuRequest>
{
    public SkuRequestValidator()
    {
        RuleFor(r => r.SkuCode).ValidCode();
        RuleFor(r => r.Name).MaximumLength(500).WithMessage("must be at most 500 characters");
    }
}

internal sealed class ProductRequestValidator : AbstractValidator<ProductRequest>
{
    public ProductRequestValidator()
    {
        RuleFor(r => r.Id).ValidWritableId();
        RuleFor(r => r.Name).ValidName();
        RuleFor(r => r.Description).MaximumLength(5000).WithMessage("must be at most 5000 characters");
        RuleFor(r => r.ExternalId).MaximumLength(255).WithMessage("must be at most 255 characters");
        RuleFor(r => r.Metadata).SetValidator(new MetadataValidator()!);
        RuleFor(r => r.Skus)
            .Must(s => s is not { Count: > CatalogRules.MaxSkusPerRequest }).WithMessage($"must contain at most {CatalogRules.MaxSkusPerRequest} SKUs")
            .Must(s => s is null || s.Where(x => x.SkuCode is not null).Select(x => x.SkuCode).Distinct(StringComparer.Ordinal).Count() == s.Count(x => x.SkuCode is not null))
            .WithMessage("must not repeat a sku_code");
        RuleForEach(r => r.Skus).SetValidator(new SkuRequestValidator());
    }
}

internal sealed class ProductPatchValidator : AbstractValidator<ProductPatch>
{
    public ProductPatchValidator()
    {
        RuleFor(r => r.Name).ValidName().When(r => r.Name is not null);
        RuleFor(r => r.Description).MaximumLength(5000).WithMessage("must be at most 5000 characters");
        RuleFor(r => r.ExternalId).MaximumLength(255).WithMessage("must be at most 255 characters");
        RuleFor(r => r.Metadata).SetValidator(new MetadataValidator()!);
    }
}

internal sealed class SkuPatchValidator : AbstractValidator<SkuPatch>
{
    public SkuPatchValidator()
    {
        RuleFor(r => r.SkuCode).ValidCode().When(r => r.SkuCode is not null);
        RuleFor(r => r.Name).MaximumLength(500).WithMessage("must be at most 500 characters");
    }
}
