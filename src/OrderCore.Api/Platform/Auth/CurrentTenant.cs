namespace OrderCore.Api.Platform.Auth;

/// <summary>
/// The tenant of the current request, resolved once by API-key authentication. Every tenant-owned query
/// is filtered by <see cref="Id"/>; without a tenant (background work, admin routes) those queries
/// return nothing unless they opt out explicitly.
/// </summary>
public sealed class CurrentTenant
{
    public string? Id { get; private set; }
    public string? Name { get; private set; }
    public string? ApiKeyId { get; private set; }
    public IReadOnlyList<string> Scopes { get; private set; } = [];

    public bool IsResolved => Id is not null;

    public string RequiredId => Id ?? throw new InvalidOperationException("No tenant was resolved for this request.");

    public void Resolve(string tenantId, string tenantName, string apiKeyId, IReadOnlyList<string> scopes)
    {
        if (Id is not null && Id != tenantId)
        {
            throw new InvalidOperationException("The current tenant cannot change within a request.");
        }

        (Id, Name, ApiKeyId, Scopes) = (tenantId, tenantName, apiKeyId, scopes);
    }
}
