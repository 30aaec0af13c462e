using System.Collections.Frozen;

namespace OrderCore.Api.Platform.Money;

/// <summary>ISO 4217 codes and their minor units. Amounts are <see cref="decimal"/>, never floating point.</summary>
public static partial class Currency
{
    public const string Default = "USD";

    // ISO 4217 currencies whose minor unit is not 2; all others use 2.
    private static readonly FrozenDictionary<string, int> NonDecimal2 = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["BIF"] = 0, ["CLP"] = 0, ["DJF"] = 0, ["GNF"] = 0, ["ISK"] = 0, ["JPY"] = 0, ["KMF"] = 0, ["KRW"] = 0,
        ["PYG"] = 0, ["RWF"] = 0, ["UGX"] = 0, ["UYI"] = 0, ["VND"] = 0, ["VUV"] = 0, ["XAF"] = 0, ["XOF"] = 0,
        ["XPF"] = 0, ["BHD"] = 3, ["IQD"] = 3, ["JOD"] = 3, ["KWD"] = 3, ["LYD"] = 3, ["OMR"] = 3, ["TND"] = 3,
        ["CLF"] = 4, ["UYW"] = 4,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static bool IsValidCode(string? code) => code is not null && CodePattern().IsMatch(code);

    public static string Normalize(string? code) => string.IsNullOrWhiteSpace(code) ? Default : code.Trim().ToUpperInvariant();

    public static int MinorUnits(string code) => NonDecimal2.TryGetValue(code, out var digits) ? digits : 2;

    /// <summary>
    /// Rounds to the currency's minor unit (half away from zero) and fixes the scale, so that JSON shows
    /// e.g. <c>49.00</c> for USD and <c>4900</c> for JPY.
    /// </summary>
    public static decimal Round(decimal amount, string code)
    {
        var digits = MinorUnits(code);
        var rounded = decimal.Round(amount, digits, MidpointRounding.AwayFromZero);
        return rounded + ZeroWithScale[digits];
    }

    public static bool HasAtMostMinorUnits(decimal amount, string code) =>
        decimal.Round(amount, MinorUnits(code)) == amount;

    private static readonly decimal[] ZeroWithScale = [0m, 0.0m, 0.00m, 0.000m, 0.0000m];

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CodePattern();
}
