using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OrderCore.Api.Platform.Events;

/// <summary>An event name a feature publishes (lower case, dot-separated: <c>order.created</c>).</summary>
public sealed record EventTypeDeclaration(string Name);

/// <summary>
/// The event names of this deployment, as the features declared them at startup
/// (<see cref="EventCatalogSetup.AddEventTypes"/>): what webhook endpoints may subscribe to.
/// </summary>
public sealed class EventCatalog(IEnumerable<EventTypeDeclaration> declared)
{
    public IReadOnlyList<string> All { get; } = declared.Select(d => d.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    public bool IsKnown(string name) => All.Contains(name, StringComparer.Ordinal);
}

public static class EventCatalogSetup
{
    /// <summary>Declares event names a feature publishes; declaring one twice is harmless.</summary>
    public static IServiceCollection AddEventTypes(this IServiceCollection services, params string[] names)
    {
        services.TryAddSingleton<EventCatalog>();
        foreach (var name in names)
        {
            services.AddSingleton(new EventTypeDeclaration(name));
        }

        return services;
    }
}
