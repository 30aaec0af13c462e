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

    /// <summary>
    /// Where this caller's idempotency keys live: the tenant, unless the caller is narrower than the tenant
    /// (a checkout token), whose keys must never replay another caller's answer.
    /// </summary>
    public string? IdempotencyScope { get; private set; }

    public bool IsResolved => Id is not null;

    public string RequiredId => Id ?? throw new InvalidOperationException("No tenant was resolved for this request.");

    public void Resolve(string tenantId, string tenantName, string apiKeyId, IReadOnlyList<string> scopes, string? idempotencyScope = null)
    {
        if (Id is not null && Id != tenantId)
        {
            throw new InvalidOperationException("The current tenant cannot change within a request.");
        }

        (Id, Name, ApiKeyId, Scopes, IdempotencyScope) = (tenantId, tenantName, apiKeyId, scopes, idempotencyScope ?? tenantId);
    }
}
