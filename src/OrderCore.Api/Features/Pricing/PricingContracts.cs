namespace OrderCore.Api.Features.Pricing;

internal sealed record PriceListResponse(
    string Id,
    string Code,
    string Name,
    string Currency,
    int Priority,
    string? CustomerId,
    DateTimeOffset? ValidFrom,
    DateTimeOffset? ValidTo,
    bool Active,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static PriceListResponse From(PriceList list) => new(
        list.Id, list.Code, list.Name, list.Currency, list.Priority, list.CustomerId, list.ValidFrom, list.ValidTo, list.Active,
        list.CreatedAt, list.UpdatedAt);
}

internal sealed record PriceResponse(
    string Id,
    string SkuId,
    string SkuCode,
    string PriceListId,
    string PriceListCode,
    string Currency,
    decimal UnitAmount,
    int MinQuantity,
    DateTimeOffset? ValidFrom,
    DateTimeOffset? ValidTo,
    bool Active,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static PriceResponse From(Price price, string skuCode, string priceListCode) => new(
        price.Id, price.SkuId, skuCode, price.PriceListId, priceListCode, price.Currency, Money.Round(price.UnitAmount, price.Currency),
        price.MinQuantity, price.ValidFrom, price.ValidTo, price.Active, price.CreatedAt, price.UpdatedAt);
}

/// <summary>The body of POST /v1/price-lists.</summary>
internal sealed record PriceListRequest
{
    [Required]
    [Description("Unique within the tenant: 1 to 128 characters of [A-Za-z0-9._:/-].")]
    public string? Code { get; init; }

    [Required]
    public string? Name { get; init; }

    [Description("ISO 4217 code; USD when omitted. Cannot change once the list has prices.")]
    public string? Currency { get; init; }

    [Description("Default 0. Among lists of the same kind (customer-specific or general) the higher priority wins.")]
    public int? Priority { get; init; }

    [Description("Makes this a list for one customer; its prices then beat those of general lists for that customer.")]
    public string? CustomerId { get; init; }

    [Description("The list applies from this instant on (inclusive); open when omitted.")]
    public DateTimeOffset? ValidFrom { get; init; }

    [Description("The list applies until this instant (exclusive); open when omitted.")]
    public DateTimeOffset? ValidTo { get; init; }

    [Description("Default true; prices of an inactive list never apply.")]
    public bool? Active { get; init; }
}

/// <summary>PATCH /v1/price-lists/{id}: only the fields sent change; <c>null</c> clears an optional field.</summary>
internal sealed record PriceListPatch
{
    public string? Code { get; init; }
    public string? Name { get; init; }

    [Description("Only while the list has no prices (409 price_list_has_prices otherwise).")]
    public string? Currency { get; init; }

    public int? Priority { get; init; }

    [Description("null makes the list general.")]
    public string? CustomerId { get; init; }

    public DateTimeOffset? ValidFrom { get; init; }
    public DateTimeOffset? ValidTo { get; init; }
    public bool? Active { get; init; }
}

/// <summary>The body of POST /v1/prices.</summary>
internal sealed record PriceRequest
{
    [Description("The SKU by id (sku_...); or give sku_code.")]
    public string? SkuId { get; init; }

    [Description("The SKU by its code; or give sku_id.")]
    public string? SkuCode { get; init; }

    [Description("The list by id (pl_...); or give price_list_code.")]
    public string? PriceListId { get; init; }

    [Description("The list by its code; or give price_list_id.")]
    public string? PriceListCode { get; init; }

    [Description("Defaults to the list's currency, and must equal it.")]
    public string? Currency { get; init; }

    [Required]
    [Description("At least 0, with no more decimals than the currency has (USD 2, JPY 0).")]
    public decimal? UnitAmount { get; init; }

    [Description("The tier: this price applies from this quantity on. Default 1.")]
    public int? MinQuantity { get; init; }

    [Description("The price applies from this instant on (inclusive); open when omitted.")]
    public DateTimeOffset? ValidFrom { get; init; }

    [Description("The price applies until this instant (exclusive); open when omitted.")]
    public DateTimeOffset? ValidTo { get; init; }

    [Description("Default true.")]
    public bool? Active { get; init; }
}

/// <summary>PATCH /v1/prices/{id}: only the fields sent change. The SKU, list and currency of a price are fixed.</summary>
internal sealed record PricePatch
{
    public decimal? UnitAmount { get; init; }
    public int? MinQuantity { get; init; }
    public DateTimeOffset? ValidFrom { get; init; }
    public DateTimeOffset? ValidTo { get; init; }
    public bool? Active { get; init; }
}

internal static class PricingRules
{
    /// <summary>numeric(19,4) holds 15 digits before the decimal point.</summary>
    public const decimal MaxUnitAmount = 999_999_999_999_999m;

    public static IRuleBuilderOptions<T, string?> ValidListName<T>(this IRuleBuilder<T, string?> rule) =>
        rule.NotEmpty().WithMessage("is required").MaximumLength(200).WithMessage("must be at most 200 characters");

    public static IRuleBuilderOptions<T, decimal?> ValidUnitAmount<T>(this IRuleBuilder<T, decimal?> rule) =>
        rule.GreaterThanOrEqualTo(0).WithMessage("must be at least 0")
            .LessThanOrEqualTo(MaxUnitAmount).WithMessage($"must be at most {MaxUnitAmount}");

    public static IRuleBuilderOptions<T, int?> ValidMinQuantity<T>(this IRuleBuilder<T, int?> rule) =>
        rule.GreaterThan(0).WithMessage("must be greater than 0")
            .LessThanOrEqualTo(SharedRules.MaxQuantity).WithMessage($"must be at most {SharedRules.MaxQuantity}");

    /// <summary>The window check on the values after a create or patch: <c>valid_from</c> must come before <c>valid_to</c>.</summary>
    /// <summary>A PATCH of the window: the bounds sent (null clears one), then the check on the result.</summary>
    public static ApiError? PatchWindow(IValidityWindow target, DateTimeOffset? validFrom, DateTimeOffset? validTo, SentFields sent)
    {
        if (sent.Has("valid_from")) target.ValidFrom = validFrom;
        if (sent.Has("valid_to")) target.ValidTo = validTo;
        return CheckWindow(target.ValidFrom, target.ValidTo);
    }

    public static ApiError? CheckWindow(DateTimeOffset? validFrom, DateTimeOffset? validTo) =>
        validFrom is { } from && validTo is { } to && from >= to ? ApiError.Validation("valid_to", "must be after valid_from") : null;

    /// <summary>Amounts are stored as given, so they must not carry more decimals than the currency has.</summary>
    public static ApiError? CheckAmount(decimal amount, string currency) =>
        Money.HasAtMostMinorUnits(amount, currency)
            ? null
            : ApiError.Validation("unit_amount", $"must have at most {Money.MinorUnits(currency)} decimal places in {currency}");
}

public static class PricingErrors
{
    public static ApiError PriceListNotFound(string id) => ApiError.NotFound($"No price list with id {id}");

    public static ApiError PriceNotFound(string id) => ApiError.NotFound($"No price with id {id}");

    public static ApiError PriceListNotFoundFor(string field, string value) =>
        new ApiError(StatusCodes.Status404NotFound, "price_list_not_found", $"No price list with {field} {value}").With(field, value);

    public static ApiError ListCodeTaken(string code) =>
        ApiError.Conflict("price_list_code_taken", $"Another price list already has code {code}").With("code", code);

    /// <summary>No price applies: the answer of order creation, preview and resolve alike.</summary>
    public static ApiError NoPriceApplies(string skuId, string skuCode, string currency, string? customerId, int quantity) =>
        new ApiError(StatusCodes.Status422UnprocessableEntity, "price_not_found",
                $"SKU {skuCode} has no {currency} price that applies now to a quantity of {quantity}"
                + (customerId is null ? " without a customer" : $" for customer {customerId}"))
            .With("sku_id", skuId).With("currency", currency);
}

internal sealed class PriceListRequestValidator : AbstractValidator<PriceListRequest>
{
    public PriceListRequestValidator()
    {
        RuleFor(r => r.Code).ValidCode();
        RuleFor(r => r.Name).ValidListName();
        RuleFor(r => r.Currency).ValidCurrency();
        RuleFor(r => r.CustomerId).MaximumLength(128).WithMessage("must be at most 128 characters");
        RuleFor(r => r.ValidTo).Must((r, to) => PricingRules.CheckWindow(r.ValidFrom, to) is null).WithMessage("must be after valid_from");
    }
}

internal sealed class PriceListPatchValidator : AbstractValidator<PriceListPatch>
{
    public PriceListPatchValidator()
    {
        RuleFor(r => r.Code).ValidCode().When(r => r.Code is not null);
        RuleFor(r => r.Name).ValidListName().When(r => r.Name is not null);
        RuleFor(r => r.Currency).ValidCurrency();
        RuleFor(r => r.CustomerId).MaximumLength(128).WithMessage("must be at most 128 characters");
    }
}

internal sealed class PriceRequestValidator : AbstractValidator<PriceRequest>
{
    public PriceRequestValidator()
    {
        this.RequireOneOf("sku_id", r => r.SkuId, "sku_code", r => r.SkuCode);
        this.RequireOneOf("price_list_id", r => r.PriceListId, "price_list_code", r => r.PriceListCode);
        RuleFor(r => r.Currency).ValidCurrency();
        RuleFor(r => r.UnitAmount).NotNull().WithMessage("is required").ValidUnitAmount();
        RuleFor(r => r.MinQuantity).ValidMinQuantity();
        RuleFor(r => r.ValidTo).Must((r, to) => PricingRules.CheckWindow(r.ValidFrom, to) is null).WithMessage("must be after valid_from");
    }
}

internal sealed class PricePatchValidator : AbstractValidator<PricePatch>
{
    public PricePatchValidator()
    {
        RuleFor(r => r.UnitAmount).ValidUnitAmount();
        RuleFor(r => r.MinQuantity).ValidMinQuantity();
    }
}
