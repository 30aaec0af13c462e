using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace OrderCore.Api.Platform.Persistence;

/// <summary>Stores enums as the same snake_case strings the API shows.</summary>
public sealed class SnakeCaseEnumConverter<TEnum>() : ValueConverter<TEnum, string>(
    value => ToText(value),
    text => FromText(text))
    where TEnum : struct, Enum
{
    private static readonly Dictionary<TEnum, string> Names =
        Enum.GetValues<TEnum>().ToDictionary(v => v, v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()));

    private static readonly Dictionary<string, TEnum> Values = Names.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    public static string ToText(TEnum value) => Names[value];

    public static TEnum FromText(string text) => Values[text];
}
