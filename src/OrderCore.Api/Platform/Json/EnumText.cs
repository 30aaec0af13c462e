namespace OrderCore.Api.Platform.Json;

/// <summary>Enum values as the API writes them (snake_case), and booleans, for query-string filters.</summary>
public static class EnumText
{
    public const string ExpectedBool = "must be true or false";

    /// <summary><c>true</c> or <c>false</c>, in any case. Bind the parameter as a string so that a bad value names its field.</summary>
    public static bool TryParseBool(string text, out bool value) => bool.TryParse(text, out value);

    public static bool TryParse<TEnum>(string text, out TEnum value) where TEnum : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<TEnum>())
        {
            if (string.Equals(Name(candidate), text, StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }

    public static string Name<TEnum>(TEnum value) where TEnum : struct, Enum =>
        JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    public static string Expected<TEnum>() where TEnum : struct, Enum =>
        $"must be one of: {string.Join(", ", Enum.GetValues<TEnum>().Select(Name))}";
}
