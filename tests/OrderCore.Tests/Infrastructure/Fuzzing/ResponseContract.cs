using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace OrderCore.Tests.Infrastructure.Fuzzing;

/// <summary>
/// What an OpenAPI document promises about an operation's answers: the statuses it lists, the media types of each,
/// and the JSON Schema of each body (checked with JsonSchema.Net, the document's component schemas as <c>$defs</c>).
/// </summary>
public sealed class ResponseContract(JsonObject document)
{
    private readonly string _definitions = (document["components"]?["schemas"]?.ToJsonString() ?? "{}")
        .Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal);

    private readonly ConcurrentDictionary<string, JsonSchema> _schemas = new(StringComparer.Ordinal);

    /// <summary>What is wrong with the answer, or null when the document describes it.</summary>
    public string? Violation(JsonObject operation, int status, string? mediaType, string body)
    {
        var responses = operation["responses"] as JsonObject ?? [];
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var response = responses[key] ?? responses[$"{key[0]}XX"] ?? responses["default"];
        if (response is null)
        {
            return $"status {status} is not documented (documented: {string.Join(", ", responses.Select(r => r.Key))})";
        }

        if (response["$ref"]?.GetValue<string>() is { } reference)
        {
            response = document.Pointer(reference);
        }

        var content = response?["content"] as JsonObject;
        if (content is null || content.Count == 0)
        {
            return body.Length == 0 ? null : $"status {status} documents no body, but one came ({mediaType})";
        }

        if (body.Length == 0)
        {
            return $"status {status} documents a body ({string.Join(", ", content.Select(c => c.Key))}), but the answer is empty";
        }

        if (mediaType is null || content[mediaType] is not JsonObject media)
        {
            return $"media type {mediaType ?? "(none)"} is not documented for status {status} (documented: {string.Join(", ", content.Select(c => c.Key))})";
        }

        if (!mediaType.EndsWith("json", StringComparison.Ordinal) || media["schema"] is not { } schema)
        {
            return null;
        }

        JsonNode? instance;
        try
        {
            instance = JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            return $"the {mediaType} body is not JSON: {e.Message}";
        }

        var results = SchemaOf(schema).Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return null;
        }

        var errors = results.Details.Where(d => d.HasErrors).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).Take(5);
        return $"the body does not match the documented schema of status {status}: {string.Join("; ", errors)}";
    }

    private JsonSchema SchemaOf(JsonNode schema)
    {
        var text = schema.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal);
        return _schemas.GetOrAdd(text, t => JsonSchema.FromText(
            $$"""{"$schema":"https://json-schema.org/draft/2020-12/schema","$defs":{{_definitions}},"allOf":[{{t}}]}"""));
    }
}
