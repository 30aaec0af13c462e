using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace OrderCore.Api.Platform.Validation;

/// <summary>
/// Answers 400 <c>validation_failed</c> naming every query parameter the route does not take, as unknown body
/// fields are: a misspelt filter (<c>?statsu=pending</c>) must not silently list everything. What a route takes
/// is read from its handler's parameter binding metadata (<c>[FromQuery]</c> names, also inside
/// <c>[AsParameters]</c> types, and simple parameters bound from the query by default). The paging parameters of every
/// list are checked here too, by the one rule of <see cref="PageRequest.Check"/>.
/// </summary>
public sealed class QueryParametersMiddleware(RequestDelegate next)
{
    private static readonly ConcurrentDictionary<Endpoint, FrozenSet<string>> Accepted = new();

    public async Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (context.Request.Query.Count == 0 || !endpoint.IsRouteHandler())
        {
            await next(context);
            return;
        }

        var accepted = Accepted.GetOrAdd(endpoint!, AcceptedBy);
        var unknown = context.Request.Query.Keys.Where(name => !accepted.Contains(name)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            var known = accepted.Count == 0 ? "this route takes no query parameters" : $"this route takes {string.Join(", ", accepted.Order(StringComparer.Ordinal))}";
            await ProblemWriter.WriteAsync(context, ApiError.Validation(unknown.ToDictionary(name => name, _ => new[] { $"is not a query parameter: {known}" })));
            return;
        }

        if (accepted.Contains("page") && PageRequest.Check(context.Request.Query) is { Count: > 0 } pageErrors)
        {
            await ProblemWriter.WriteAsync(context, ApiError.Validation(pageErrors));
            return;
        }

        await next(context);
    }

    /// <summary>The query parameter names an endpoint binds.</summary>
    public static FrozenSet<string> AcceptedBy(Endpoint endpoint)
    {
        var routeParameters = (endpoint as RouteEndpoint)?.RoutePattern.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var parameter in endpoint.Metadata.OfType<IParameterBindingMetadata>())
        {
            var info = parameter.ParameterInfo;
            var fromQuery = info.GetCustomAttributes().OfType<IFromQueryMetadata>().FirstOrDefault();
            if (fromQuery is not null)
            {
                names.Add(fromQuery.Name ?? parameter.Name);
            }
            else if (!HasExplicitSource(info) && IsSimple(info.ParameterType) && !routeParameters.Contains(parameter.Name))
            {
                names.Add(parameter.Name);
            }
        }

        return names.ToFrozenSet(StringComparer.Ordinal);
    }

    private static bool HasExplicitSource(ParameterInfo info) =>
        info.GetCustomAttributes().Any(a => a is IFromRouteMetadata or IFromHeaderMetadata or IFromBodyMetadata or IFromServiceMetadata or IFromFormMetadata);

    private static bool IsSimple(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsArray)
        {
            type = type.GetElementType()!;
        }

        return type == typeof(string) || type.IsPrimitive || type.IsEnum || type == typeof(decimal) || type == typeof(Guid)
               || type == typeof(DateTimeOffset) || type == typeof(DateTime) || type == typeof(DateOnly);
    }
}
