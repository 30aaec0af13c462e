using System.Globalization;
using System.Text.Json.Nodes;

namespace OrderCore.Tests.Infrastructure.Fuzzing;

/// <summary>
/// Values for the schemas of an OpenAPI document: schema-valid ones (from the document's examples, enums, bounds
/// and formats, with ids of the caller's own resources where a property names one) and mutations of them.
/// </summary>
public sealed class SchemaValues(JsonObject document, IReadOnlyDictionary<string, string> ownIds)
{
    private const int MaxDepth = 6;

    /// <summary>The id prefix a property of this name holds (<c>sku_id</c> holds <c>sku_...</c>).</summary>
    public static readonly IReadOnlyDictionary<string, string> PrefixOfProperty = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["sku_id"] = "sku", ["product_id"] = "prod", ["customer_id"] = "cust", ["location_id"] = "loc", ["price_list_id"] = "pl",
        ["price_id"] = "price", ["order_id"] = "order", ["reservation_id"] = "res", ["endpoint_id"] = "we", ["event_id"] = "evt",
        ["delivery_id"] = "dlv", ["checkout_session_id"] = "cs", ["session_id"] = "cs",
    };

    private static readonly string[] Unicode = ["Zoë 漢字 😀", "\u202eevil\u202c", "e\u0301\u0301\u0301", "\uFEFFbom", "ﷺ𝔘𝔫𝔦", "\u0000", "a\u0000b"];

    public JsonNode? Resolve(JsonNode? schema)
    {
        for (var i = 0; i < 10 && schema is JsonObject o && o["$ref"]?.GetValue<string>() is { } reference; i++)
        {
            schema = document.Pointer(reference);
        }

        return schema;
    }

    /// <summary>A value the schema accepts (as far as a generator that ignores <c>pattern</c> can tell).</summary>
    /// <summary>With <paramref name="minimal"/>, objects hold only their required properties and the ids the caller owns.</summary>
    public JsonNode? Valid(JsonNode? schemaNode, Random random, string? name = null, int depth = 0, bool minimal = false)
    {
        var schema = Resolve(schemaNode) as JsonObject;
        if (schema is null || depth > MaxDepth)
        {
            return JsonValue.Create("x");
        }

        if (name is not null && IdFor(name) is { } ownId)
        {
            return JsonValue.Create(ownId);
        }

        if (schema["enum"] is JsonArray { Count: > 0 } values)
        {
            return values[random.Next(values.Count)]?.DeepClone();
        }

        if (schema["example"] is { } example && !minimal && random.Next(3) == 0)
        {
            return example.DeepClone();
        }

        foreach (var choice in (string[])["oneOf", "anyOf"])
        {
            if (schema[choice] is JsonArray { Count: > 0 } options)
            {
                var picked = options.Where(o => !IsNullSchema(o)).ToList();
                return Valid(picked.Count > 0 ? picked[random.Next(picked.Count)] : options[0], random, null, depth + 1, minimal);
            }
        }

        if (schema["allOf"] is JsonArray { Count: > 0 } parts)
        {
            var merged = new JsonObject();
            foreach (var part in parts)
            {
                if (Valid(part, random, null, depth + 1, minimal) is JsonObject piece)
                {
                    foreach (var (key, value) in piece.ToList())
                    {
                        merged[key] = value?.DeepClone();
                    }
                }
            }

            return merged;
        }

        return TypeOf(schema, random) switch
        {
            "object" => ValidObject(schema, random, depth, minimal),
            "array" => ValidArray(schema, random, depth, minimal),
            "integer" => JsonValue.Create(Between(schema, random, 1, 20)),
            "number" => JsonValue.Create(Math.Round((decimal)Between(schema, random, 1, 50) + 0.25m, 2)),
            "boolean" => JsonValue.Create(random.Next(2) == 0),
            "null" => null,
            _ => JsonValue.Create(ValidString(schema, random)),
        };
    }

    /// <summary>A copy of a documented example whose id properties (<c>sku_id</c>, ...) name the caller's own resources.</summary>
    public JsonNode? WithOwnIds(JsonNode? example)
    {
        var copy = example?.DeepClone();
        Replace(copy);
        return copy;

        void Replace(JsonNode? node)
        {
            if (node is JsonArray array)
            {
                foreach (var item in array)
                {
                    Replace(item);
                }
            }
            else if (node is JsonObject obj)
            {
                foreach (var (key, value) in obj.ToList())
                {
                    if (IdFor(key) is { } id && value is JsonValue)
                    {
                        obj[key] = id;
                    }
                    else
                    {
                        Replace(value);
                    }
                }
            }
        }
    }

    /// <summary>The properties of an object schema (through references and allOf) and which of them are required.</summary>
    public (Dictionary<string, JsonNode?> Properties, HashSet<string> Required) Shape(JsonNode? schemaNode)
    {
        var properties = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        var required = new HashSet<string>(StringComparer.Ordinal);
        Collect(Resolve(schemaNode) as JsonObject, 0);
        return (properties, required);

        void Collect(JsonObject? schema, int depth)
        {
            if (schema is null || depth > MaxDepth)
            {
                return;
            }

            foreach (var (key, value) in schema["properties"] as JsonObject ?? [])
            {
                properties[key] = value;
            }

            foreach (var key in schema["required"] as JsonArray ?? [])
            {
                required.Add(key!.GetValue<string>());
            }

            foreach (var part in schema["allOf"] as JsonArray ?? [])
            {
                Collect(Resolve(part) as JsonObject, depth + 1);
            }
        }
    }

    /// <summary>A value of another JSON type than the schema asks for.</summary>
    public static JsonNode? WrongType(JsonNode? value, Random random) => value switch
    {
        JsonObject => new JsonArray(JsonValue.Create(1)),
        JsonArray => JsonValue.Create("not-an-array"),
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String =>
            random.Next(2) == 0 ? JsonValue.Create(12345.678m) : new JsonObject { ["nested"] = "x" },
        JsonValue v when v.GetValueKind() is System.Text.Json.JsonValueKind.Number => JsonValue.Create(random.Next(2) == 0 ? "12" : "twelve"),
        null => JsonValue.Create(false),
        _ => JsonValue.Create("true"),
    };

    /// <summary>A string meant to break things: huge, unicode of every awkward kind, or with NUL characters.</summary>
    public static string Nasty(Random random) => random.Next(4) switch
    {
        0 => new string('x', 70_000),
        1 => string.Concat(Enumerable.Repeat("😀", 300)),
        _ => Unicode[random.Next(Unicode.Length)],
    };

    private string? IdFor(string name) =>
        PrefixOfProperty.TryGetValue(name, out var prefix) && ownIds.TryGetValue(prefix, out var id) ? id : null;

    private JsonObject ValidObject(JsonObject schema, Random random, int depth, bool minimal)
    {
        var (properties, required) = Shape(schema);
        var result = new JsonObject();
        foreach (var (key, propertySchema) in properties)
        {
            var property = Resolve(propertySchema) as JsonObject;
            if (property?["readOnly"]?.GetValue<bool>() == true)
            {
                continue;
            }

            var include = minimal ? required.Contains(key) || IdFor(key) is not null : required.Contains(key) || random.Next(2) == 0;
            if (include)
            {
                result[key] = Valid(propertySchema, random, key, depth + 1, minimal);
            }
        }

        return result;
    }

    private JsonArray ValidArray(JsonObject schema, Random random, int depth, bool minimal)
    {
        var min = (int?)schema["minItems"]?.GetValue<decimal>() ?? 0;
        var max = Math.Max(min, Math.Min((int?)schema["maxItems"]?.GetValue<decimal>() ?? 3, 3));
        var count = minimal ? Math.Max(min, 1) : random.Next(Math.Max(min, 1), max + 1);
        var array = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            array.Add(Valid(schema["items"], random, null, depth + 1, minimal));
        }

        return array;
    }

    private static string ValidString(JsonObject schema, Random random)
    {
        switch (schema["format"]?.GetValue<string>())
        {
            case "date-time":
                return DateTimeOffset.UtcNow.AddDays(random.Next(1, 30)).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            case "date":
                return DateTime.UtcNow.AddDays(random.Next(1, 30)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            case "uri" or "url":
                // A closed loopback port: nothing the fuzzer creates reaches another machine.
                return "http://127.0.0.1:9/fuzz";
            case "email":
                return $"fuzz{random.Next(1000)}@example.com";
            case "uuid":
                return new Guid(RandomBytes(random, 16)).ToString();
            default:
                break;
        }

        var pattern = schema["pattern"]?.GetValue<string>();
        if (pattern?.Contains("[A-Z]{3}", StringComparison.Ordinal) == true)
        {
            return "USD";
        }

        var min = (int?)schema["minLength"]?.GetValue<decimal>() ?? 1;
        var max = (int?)schema["maxLength"]?.GetValue<decimal>() ?? 24;
        var length = random.Next(Math.Max(min, 1), Math.Max(min, Math.Min(max, 24)) + 1);
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789";
        return string.Concat(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)]));
    }

    private static string TypeOf(JsonObject schema, Random random) => schema["type"] switch
    {
        JsonValue single => single.GetValue<string>(),
        JsonArray many when many.Select(t => t!.GetValue<string>()).Where(t => t != "null").ToList() is { Count: > 0 } real =>
            random.Next(10) == 0 && many.Count > real.Count ? "null" : real[random.Next(real.Count)],
        _ => schema["properties"] is not null ? "object" : "string",
    };

    private static long Between(JsonObject schema, Random random, long low, long high)
    {
        var min = schema["minimum"] is { } minimum ? (long)Math.Ceiling(minimum.GetValue<decimal>()) : low;
        var max = schema["maximum"] is { } maximum ? (long)Math.Floor(maximum.GetValue<decimal>()) : Math.Max(min, high);
        max = Math.Min(max, min + 50);
        return min + random.NextInt64(Math.Max(1, max - min + 1));
    }

    private bool IsNullSchema(JsonNode? schema) => Resolve(schema) is JsonObject o && o["type"]?.GetValueKind() == System.Text.Json.JsonValueKind.String
        && o["type"]!.GetValue<string>() == "null";

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}

public static class JsonPointers
{
    /// <summary>The node at a local reference such as <c>#/components/schemas/Order</c>.</summary>
    public static JsonNode? Pointer(this JsonObject document, string reference)
    {
        JsonNode? node = document;
        foreach (var segment in reference.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            node = node?[segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)];
        }

        return node;
    }
}
