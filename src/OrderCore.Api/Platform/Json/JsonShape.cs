using System.Text.Json.Serialization.Metadata;

namespace OrderCore.Api.Platform.Json;

/// <summary>
/// Checks a JSON document against the shape of the type it will bind to, before binding, and names every
/// unknown field and every value of the wrong type (System.Text.Json alone stops at the first problem and
/// would silently ignore unknown members). Field paths use the wire names: <c>items[0].quantity</c>.
/// </summary>
public static class JsonShape
{
    /// <summary>Accepted at the root of any POST body: the body form of the Idempotency-Key header.</summary>
    public const string IdempotencyKeyField = "idempotency_key";

    public const string NulProblem = "must not contain the NUL character (U+0000)";

    public const string DuplicateProblem = "is given more than once";

    public const string TextProblem = "must be valid Unicode text (no unpaired surrogate such as \\ud800, no invalid UTF-8)";

    public static Dictionary<string, string[]> Check(JsonElement root, Type? targetType, JsonSerializerOptions options)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        // Text that is not valid Unicode cannot be read as a string at all: answered on its own, before any other check reads it.
        FindBadText(root, "", errors);
        if (errors.Values.Any(problems => problems.Contains(TextProblem)))
        {
            return errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
        }

        if (targetType is null)
        {
            CheckEmptyObject(root, errors);
        }
        else
        {
            Check(root, options.GetTypeInfo(targetType), path: "", isRoot: true, options, errors);
        }

        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>
    /// Strings and member names anywhere in the body must be valid Unicode (an unpaired surrogate escape cannot be read)
    /// and may not hold U+0000, which PostgreSQL text refuses; no object may name a member twice.
    /// </summary>
    private static void FindBadText(JsonElement element, string path, Dictionary<string, List<string>> errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                if (TextProblemOf(element.GetString) is { } problem)
                {
                    Add(errors, path, problem);
                }

                break;
            case JsonValueKind.Object:
                // A member named twice ({"a":1,"a":2}) is ambiguous input: refused, never "the last one wins".
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var member in element.EnumerateObject())
                {
                    var nameProblem = TextProblemOf(() => member.Name);
                    if (nameProblem == TextProblem)
                    {
                        // A name that cannot be read cannot name its field: the problem is the object's.
                        Add(errors, path.Length == 0 ? "(member name)" : path, TextProblem);
                        continue;
                    }

                    var childPath = path.Length == 0 ? member.Name : $"{path}.{member.Name}";
                    if (nameProblem is not null)
                    {
                        Add(errors, childPath, nameProblem);
                    }

                    if (!names.Add(member.Name))
                    {
                        Add(errors, childPath, DuplicateProblem);
                        continue;
                    }

                    FindBadText(member.Value, childPath, errors);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    FindBadText(item, $"{path}[{index++}]", errors);
                }

                break;
        }
    }

    private static string? TextProblemOf(Func<string?> read)
    {
        try
        {
            return read()?.Contains('\0', StringComparison.Ordinal) == true ? NulProblem : null;
        }
        catch (InvalidOperationException)
        {
            return TextProblem;
        }
    }

    private static void CheckEmptyObject(JsonElement root, Dictionary<string, List<string>> errors)
    {
        // A body-less action takes no body, {} or JSON null alike: all three say "nothing".
        if (root.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            Add(errors, "$", "must be a JSON object");
            return;
        }

        foreach (var property in root.EnumerateObject())
        {
            if (property.Name != IdempotencyKeyField)
            {
                Add(errors, property.Name, "is not a recognised field");
            }
        }
    }

    private static void Check(JsonElement element, JsonTypeInfo info, string path, bool isRoot, JsonSerializerOptions options,
        Dictionary<string, List<string>> errors)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            if (info.Type.IsValueType && Nullable.GetUnderlyingType(info.Type) is null)
            {
                Add(errors, path, "must not be null");
            }

            return;
        }

        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object:
                if (element.ValueKind != JsonValueKind.Object)
                {
                    Add(errors, path, "must be an object");
                    return;
                }

                foreach (var member in element.EnumerateObject())
                {
                    var childPath = path.Length == 0 ? member.Name : $"{path}.{member.Name}";
                    var property = info.Properties.FirstOrDefault(p => p.Name == member.Name);
                    if (property is null)
                    {
                        if (!isRoot || member.Name != IdempotencyKeyField)
                        {
                            Add(errors, childPath, "is not a recognised field");
                        }
                        else if (member.Value.ValueKind != JsonValueKind.String)
                        {
                            Add(errors, childPath, "must be a string");
                        }

                        continue;
                    }

                    Check(member.Value, options.GetTypeInfo(property.PropertyType), childPath, isRoot: false, options, errors);
                }

                break;

            case JsonTypeInfoKind.Enumerable:
                if (element.ValueKind != JsonValueKind.Array)
                {
                    Add(errors, path, "must be an array");
                    return;
                }

                var index = 0;
                var itemInfo = options.GetTypeInfo(info.ElementType!);
                foreach (var item in element.EnumerateArray())
                {
                    Check(item, itemInfo, $"{path}[{index++}]", isRoot: false, options, errors);
                }

                break;

            case JsonTypeInfoKind.Dictionary:
                if (element.ValueKind != JsonValueKind.Object)
                {
                    Add(errors, path, "must be an object");
                    return;
                }

                var valueInfo = options.GetTypeInfo(info.ElementType!);
                foreach (var member in element.EnumerateObject())
                {
                    Check(member.Value, valueInfo, $"{path}.{member.Name}", isRoot: false, options, errors);
                }

                break;

            default:
                try
                {
                    element.Deserialize(info);
                }
                catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or OverflowException)
                {
                    Add(errors, path, Describe(info.Type));
                }

                break;
        }
    }

    private static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
        {
            var names = Enum.GetNames(type).Select(n => JsonNamingPolicy.SnakeCaseLower.ConvertName(n));
            return $"must be one of: {string.Join(", ", names)}";
        }

        return type switch
        {
            _ when type == typeof(string) => "must be a string",
            _ when type == typeof(bool) => "must be true or false",
            _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => "must be an integer",
            _ when type == typeof(decimal) || type == typeof(double) || type == typeof(float) => "must be a number",
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "must be an ISO 8601 timestamp with a time zone",
            _ when type == typeof(System.Text.Json.Nodes.JsonObject) => "must be an object",
            _ => "has the wrong type",
        };
    }

    private static void Add(Dictionary<string, List<string>> errors, string path, string problem)
    {
        var key = path.Length == 0 ? "$" : path;
        if (!errors.TryGetValue(key, out var list))
        {
            errors[key] = list = [];
        }

        list.Add(problem);
    }
}
