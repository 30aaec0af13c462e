using Json.Pointer;

namespace OrderCore.Api.Features.Notifications;

/// <summary>
/// The <c>invoke</c> URL template: <c>{order.&lt;path&gt;}</c> (dot-separated, e.g. <c>{order.payment.provider}</c>, into the order
/// as the API shows it) and <c>{configuration.adapter.&lt;key&gt;}</c> (the subscription's adapter configuration). A value that
/// starts the URL (a base such as <c>{configuration.adapter.internalUrl}</c>) is inserted as it is; anywhere else it lands
/// in a path or query and is URL-encoded.
/// </summary>
internal static partial class InvokeTemplates
{
    private const string OrderPrefix = "order.";
    private const string ConfigurationPrefix = "configuration.adapter.";

    [GeneratedRegex(@"\{([^{}]*)\}")]
    private static partial Regex Reference();

    /// <summary>The problem with the template's references, or null.</summary>
    public static string? SyntaxProblem(string template, bool hasAdapter)
    {
        foreach (Match match in Reference().Matches(template))
        {
            var reference = match.Groups[1].Value;
            if (reference.StartsWith(ConfigurationPrefix, StringComparison.Ordinal) && reference.Length > ConfigurationPrefix.Length)
            {
                if (!hasAdapter)
                {
                    return $"refers to {match.Value}, which needs adapter_id: the configuration read is the adapter's";
                }
            }
            else if (!reference.StartsWith(OrderPrefix, StringComparison.Ordinal) || reference.Length == OrderPrefix.Length)
            {
                return $"has an unknown reference {match.Value}: use {{order.<path>}} or {{configuration.adapter.<key>}}";
            }
        }

        return null;
    }

    public static bool UsesConfiguration(string template) => template.Contains("{" + ConfigurationPrefix, StringComparison.Ordinal);

    /// <summary>The template with the order's references resolved; a reference the order cannot answer stays as it is.</summary>
    public static string ResolveOrder(string template, JsonNode order) =>
        Substitute(template, OrderPrefix, path => Text(JsonPointer.TryParse("/" + string.Join('/', path.Split('.').Select(Escape)), out var pointer)
            && pointer!.TryEvaluate(order, out var value) ? value : null));

    /// <summary>The template with the adapter configuration's references resolved; a missing key stays as it is.</summary>
    public static string ResolveConfiguration(string template, JsonObject? configuration) =>
        Substitute(template, ConfigurationPrefix, key => configuration is not null && configuration.TryGetPropertyValue(key, out var value) ? Text(value) : null);

    /// <summary>The first reference left unresolved, or null.</summary>
    public static string? Unresolved(string url) => Reference().Match(url) is { Success: true } match ? match.Value : null;

    private static string Substitute(string template, string prefix, Func<string, string?> lookup) =>
        Reference().Replace(template, match =>
        {
            var reference = match.Groups[1].Value;
            if (!reference.StartsWith(prefix, StringComparison.Ordinal) || lookup(reference[prefix.Length..]) is not { } value)
            {
                return match.Value;
            }

            return match.Index == 0 ? value : Uri.EscapeDataString(value);
        });

    private static string Escape(string segment) => segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static string? Text(JsonNode? node) => node is JsonValue value
        ? value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString()
        : null;
}
