using System.Reflection;

namespace OrderCore.Api.Platform.Json;

/// <summary>
/// The top-level members a request body actually contained, so that PATCH changes only the fields sent
/// (a member sent as <c>null</c> clears it; an absent one is left alone). Bind it as a handler parameter.
/// </summary>
public sealed class SentFields
{
    private readonly HashSet<string> _names;

    private SentFields(HashSet<string> names) => _names = names;

    public bool Has(string wireName) => _names.Contains(wireName);

    public static ValueTask<SentFields?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (context.Features.Get<RequestBody>()?.Root is { ValueKind: JsonValueKind.Object } root)
        {
            foreach (var property in root.EnumerateObject())
            {
                names.Add(property.Name);
            }
        }

        return ValueTask.FromResult<SentFields?>(new SentFields(names));
    }
}
