namespace OrderCore.Api.Platform.Validation;

/// <summary>
/// Says which part of an identifier rule ("1 to 128 characters of [set]") a value breaks: its length, or the first
/// character outside the set, named with its position. A message that always named the length also for a value of the
/// right length with a space in it sent clients looking for the wrong mistake.
/// </summary>
public static class IdentifierText
{
    public const int MaxLength = 128;

    /// <summary>Null when <paramref name="value"/> keeps the rule.</summary>
    public static string? Problem(string value, string set, Func<char, bool> allowed)
    {
        if (value.Length is 0 or > MaxLength)
        {
            return $"must be 1 to {MaxLength} characters of [{set}]; this one has {value.Length}";
        }

        var at = 0;
        while (at < value.Length && allowed(value[at]))
        {
            at++;
        }

        return at == value.Length
            ? null
            : $"may contain only the characters [{set}]; {Describe(value[at])} at position {at + 1} is not one of them";
    }

    private static string Describe(char c) =>
        char.IsControl(c) || char.IsWhiteSpace(c) || char.IsSurrogate(c) ? $"U+{(int)c:X4}" : $"'{c}' (U+{(int)c:X4})";
}
