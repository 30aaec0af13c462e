using Json.Pointer;
using Json.Schema;

namespace OrderCore.Api.Features.Notifications;

/// <summary>
/// When a subscription fires: the value at its <c>scope</c> (a JSON Pointer, RFC 6901, into the order as the API shows
/// it) differs before and after the change, and the new value is valid against its JSON Schema 2020-12, if it has one.
/// Pointers are evaluated with JsonPointer.Net and schemas with JsonSchema.Net.
/// </summary>
internal static class ChangeTriggers
{
    public const string ScopeRule = "must be a JSON Pointer (RFC 6901) into the order as the API shows it, e.g. /status";
    private const string Draft202012 = "https://json-schema.org/draft/2020-12/schema";

    /// <summary>The problem with <paramref name="scope"/> for <paramref name="order"/>, or null. A pointer may not pass through an array.</summary>
    public static string? ScopeProblem(string scope, JsonNode order)
    {
        if (!JsonPointer.TryParse(scope, out var pointer) || pointer is null)
        {
            return ScopeRule;
        }

        for (var depth = 1; depth < pointer.Count; depth++)
        {
            if (pointer.GetSubPointer(..depth).TryEvaluate(order, out var step) && step is JsonArray)
            {
                return $"must not point into an array ({pointer.GetSubPointer(..depth)} is one): scopes inside arrays are not supported";
            }
        }

        return null;
    }

    /// <summary>The problem with <paramref name="schema"/> as a JSON Schema 2020-12 document, or null.</summary>
    public static string? SchemaProblem(JsonNode schema)
    {
        if (schema is not JsonObject && schema.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
        {
            return "must be a JSON Schema: an object or a boolean";
        }

        if (schema is JsonObject { } document && document["$schema"] is { } dialect
            && !string.Equals(dialect.GetValueKind() == JsonValueKind.String ? dialect.GetValue<string>() : null, Draft202012, StringComparison.Ordinal))
        {
            return $"$schema must be {Draft202012} (or omitted)";
        }

        var meta = MetaSchemas.Draft202012.Evaluate(schema, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!meta.IsValid)
        {
            var first = meta.Details.FirstOrDefault(d => d.Errors is { Count: > 0 });
            var where = first is null || first.InstanceLocation.Count == 0 ? "" : $" at {first.InstanceLocation}";
            return $"is not a valid JSON Schema 2020-12{where}: {first?.Errors!.Values.First() ?? "the meta-schema refuses it"}";
        }

        try
        {
            Accepts(schema.ToJsonString(), null);
            return null;
        }
        catch (Exception ex) when (ex is JsonSchemaException or JsonException or RefResolutionException or ArgumentException or InvalidOperationException)
        {
            return $"cannot be evaluated: {ex.Message}";
        }
    }

    /// <summary>Whether the change fires the subscription, and the new value at its scope (null when absent or null).</summary>
    public static bool Fires(OrderSubscription subscription, JsonNode before, JsonNode after, out JsonNode? value)
    {
        var pointer = JsonPointer.Parse(subscription.Scope);
        var had = pointer.TryEvaluate(before, out var old);
        var has = pointer.TryEvaluate(after, out value);
        if (had == has && JsonNode.DeepEquals(old, value))
        {
            return false;
        }

        return subscription.Schema is null || Accepts(subscription.Schema, value);
    }

    /// <summary>Each evaluation has options of its own, so that a schema's <c>$id</c> is never registered where another tenant's could see it.</summary>
    private static bool Accepts(string schema, JsonNode? value) =>
        JsonSchema.FromText(schema).Evaluate(value, new EvaluationOptions { OutputFormat = OutputFormat.Flag }).IsValid;
}
