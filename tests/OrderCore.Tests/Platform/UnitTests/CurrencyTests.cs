using System.Globalization;
using OrderCore.Api.Platform.Money;

namespace OrderCore.Tests.Platform.UnitTests;

/// <summary>ISO 4217 minor units and rounding of <see cref="Currency"/>.</summary>
public sealed class CurrencyTests
{
    [Theory]
    [InlineData("USD", 2)]
    [InlineData("EUR", 2)]
    [InlineData("GBP", 2)]
    [InlineData("JPY", 0)]
    [InlineData("KRW", 0)]
    [InlineData("KWD", 3)]
    [InlineData("BHD", 3)]
    public void Minor_units_follow_iso_4217(string code, int digits) => Assert.Equal(digits, Currency.MinorUnits(code));

    [Theory]
    [InlineData("49", "USD", "49.00")]
    [InlineData("49.0000", "USD", "49.00")]
    [InlineData("49.5", "USD", "49.50")]
    [InlineData("0", "USD", "0.00")]
    [InlineData("4900", "JPY", "4900")]
    [InlineData("4900.0000", "JPY", "4900")]
    [InlineData("1", "KWD", "1.000")]
    [InlineData("1.2", "KWD", "1.200")]
    public void Round_fixes_the_scale_to_the_minor_units(string amount, string code, string expected)
    {
        var rounded = Currency.Round(decimal.Parse(amount, CultureInfo.InvariantCulture), code);

        Assert.Equal(expected, rounded.ToString(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("0.125", "USD", "0.13")]
    [InlineData("0.135", "USD", "0.14")]
    [InlineData("-0.125", "USD", "-0.13")]
    [InlineData("0.124", "USD", "0.12")]
    [InlineData("2.5", "JPY", "3")]
    [InlineData("3.5", "JPY", "4")]
    [InlineData("-2.5", "JPY", "-3")]
    [InlineData("2.4999", "JPY", "2")]
    [InlineData("1.2345", "KWD", "1.235")]
    [InlineData("1.2344", "KWD", "1.234")]
    public void Round_goes_half_away_from_zero(string amount, string code, string expected)
    {
        var rounded = Currency.Round(decimal.Parse(amount, CultureInfo.InvariantCulture), code);

        Assert.Equal(expected, rounded.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Round_is_the_json_text_of_the_amount()
    {
        Assert.Equal("49.00", System.Text.Json.JsonSerializer.Serialize(Currency.Round(49m, "USD")));
        Assert.Equal("4900", System.Text.Json.JsonSerializer.Serialize(Currency.Round(4900.00m, "JPY")));
    }

    [Theory]
    [InlineData(null, "USD")]
    [InlineData("", "USD")]
    [InlineData("  ", "USD")]
    [InlineData("eur", "EUR")]
    [InlineData(" jpy ", "JPY")]
    [InlineData("USD", "USD")]
    public void Normalize_defaults_to_usd_and_upper_cases(string? code, string expected) => Assert.Equal(expected, Currency.Normalize(code));

    [Theory]
    [InlineData("USD", true)]
    [InlineData("JPY", true)]
    [InlineData("usd", false)]
    [InlineData("US", false)]
    [InlineData("USDD", false)]
    [InlineData("U5D", false)]
    [InlineData(null, false)]
    public void Valid_codes_are_three_upper_case_letters(string? code, bool valid) => Assert.Equal(valid, Currency.IsValidCode(code));

    [Theory]
    [InlineData("1.23", "USD", true)]
    [InlineData("1.234", "USD", false)]
    [InlineData("100", "JPY", true)]
    [InlineData("100.5", "JPY", false)]
    [InlineData("1.234", "KWD", true)]
    [InlineData("1.2345", "KWD", false)]
    public void Has_at_most_minor_units(string amount, string code, bool expected) =>
        Assert.Equal(expected, Currency.HasAtMostMinorUnits(decimal.Parse(amount, CultureInfo.InvariantCulture), code));
}
