using System.Text.RegularExpressions;
using FluentValidation;

namespace OrderCore.Api.Platform.Validation;

/// <summary>Merchant-chosen codes (SKU, location, price list): the one rule for all of them.</summary>
public static partial class CodeRules
{
    public const string Rule = "must be 1 to 128 characters of [A-Za-z0-9._:/-]";

    public static bool IsValid(string code) => Pattern().IsMatch(code);

    public static IRuleBuilderOptions<T, string?> ValidCode<T>(this IRuleBuilder<T, string?> rule) =>
        rule.NotEmpty().WithMessage("is required")
            .Must(code => string.IsNullOrEmpty(code) || IsValid(code)).WithMessage(Rule);

    [GeneratedRegex("^[A-Za-z0-9._:/-]{1,128}$")]
    private static partial Regex Pattern();
}
