namespace OrderCore.Api.Platform.Validation;

/// <summary>
/// Rules that several features share: merchant-chosen codes (SKU, location, price list), currency codes,
/// and "this or that, not both" pairs such as sku_id / sku_code.
/// </summary>
public static partial class CodeRules
{
    public const string Rule = "must be 1 to 128 characters of [A-Za-z0-9._:/-]";

    public static bool IsValid(string code) => Pattern().IsMatch(code);

    /// <summary>Which part of <see cref="Rule"/> <paramref name="code"/> breaks, or null when it keeps it.</summary>
    public static string? Problem(string code) =>
        IdentifierText.Problem(code, "A-Za-z0-9._:/-", c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '/' or '-');

    public static IRuleBuilderOptions<T, string?> ValidCode<T>(this IRuleBuilder<T, string?> rule) =>
        rule.NotEmpty().WithMessage("is required")
            .Must(code => string.IsNullOrEmpty(code) || IsValid(code)).WithMessage((_, code) => Problem(code!) ?? Rule);

    public static IRuleBuilderOptions<T, string?> ValidCurrency<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(c => c is null || Money.Currency.IsValidCode(Money.Currency.Normalize(c))).WithMessage("must be an ISO 4217 code such as USD");

    /// <summary>Exactly one of two alternative fields (e.g. sku_id or sku_code), reported under the first one's name.</summary>
    public static void RequireOneOf<T>(this AbstractValidator<T> validator, string first, Func<T, string?> firstValue, string second,
        Func<T, string?> secondValue) =>
        validator.RuleFor(r => firstValue(r))
            .Must((r, _) => firstValue(r) is not null || secondValue(r) is not null).WithMessage($"{first} or {second} is required")
            .Must((r, _) => firstValue(r) is null || secondValue(r) is null).WithMessage($"give {first} or {second}, not both")
            .OverridePropertyName(first);

    [GeneratedRegex("^[A-Za-z0-9._:/-]{1,128}$")]
    private static partial Regex Pattern();
}
