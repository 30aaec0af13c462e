namespace OrderCore.Api.Platform.Json;

/// <summary>Enum values as the API writes them (snake_case), and booleans, for query-string filters.</summary>
public static class EnumText
{
    public const string ExpectedBool = "must be true or false";

    /// <summary>
    /// The value a filter parameter names, null when it is absent; an unknown name answers 400 naming the
    /// accepted values (thrown, so a list handler reads <c>if (ParseFilter&lt;T&gt;(q.Status, "status") is { } s) ...</c>).
    /// </summary>
    public static TEnum? ParseFilter<TEnum>(string? text, string field) where TEnum : struct, Enum =>
        text is null ? null
            : TryParse<TEnum>(text, out var value) ? value
            : throw ApiError.Validation(field, Expected<TEnum>()).ToException();

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
