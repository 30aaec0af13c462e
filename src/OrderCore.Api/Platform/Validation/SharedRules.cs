using System.Text.Encodings.Web;

namespace OrderCore.Api.Platform.Validation;

/// <summary>Limits several features share: line quantities, merchant references and metadata objects.</summary>
public static class SharedRules
{
    /// <summary>The most of one SKU a single order line, reservation or price tier can ask for.</summary>
    public const int MaxQuantity = 1_000_000;

    public static IRuleBuilderOptions<T, int?> ValidQuantity<T>(this IRuleBuilder<T, int?> rule) =>
        rule.NotNull().WithMessage("is required")
            .GreaterThan(0).WithMessage("must be greater than 0")
            .LessThanOrEqualTo(MaxQuantity).WithMessage($"must be at most {MaxQuantity}");

    public static IRuleBuilderOptions<T, string?> ValidMerchantReference<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(r => r is null || MerchantReference.IsValid(r)).WithMessage((_, r) => MerchantReference.Problem(r!) ?? MerchantReference.Rule);
}

public static partial class MerchantReference
{
    public const string Rule = "must be 1 to 128 characters of [a-zA-Z0-9._:-]";

    public static bool IsValid(string value) => Pattern().IsMatch(value);

    /// <summary>Which part of <see cref="Rule"/> <paramref name="value"/> breaks, or null when it keeps it.</summary>
    public static string? Problem(string value) =>
        IdentifierText.Problem(value, "a-zA-Z0-9._:-", c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-');

    [GeneratedRegex("^[a-zA-Z0-9._:-]{1,128}$")]
    private static partial Regex Pattern();
}

/// <summary>Metadata is a JSON object of at most 50 keys and 8 KiB (of compact UTF-8 JSON).</summary>
public sealed class MetadataValidator : AbstractValidator<JsonObject>
{
    public const int MaxKeys = 50;
    public const int MaxBytes = 8 * 1024;

    // Only for measuring: the default encoder would \u-escape every non-ASCII and HTML-sensitive character
    // (6 bytes each), so "8 KiB" of Japanese text would really be about 4. This one writes them as UTF-8;
    // only characters outside the BMP (emoji) are still escaped, and count 12 bytes instead of 4.
    private static readonly JsonSerializerOptions Measuring = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public MetadataValidator()
    {
        RuleFor(m => m.Count).LessThanOrEqualTo(MaxKeys).WithMessage($"must have at most {MaxKeys} keys")
            .OverridePropertyName("");
        RuleFor(m => Encoding.UTF8.GetByteCount(m.ToJsonString(Measuring))).LessThanOrEqualTo(MaxBytes)
            .WithMessage($"must be at most {MaxBytes} bytes as JSON")
            .OverridePropertyName("");
    }
}
