namespace OrderCore.Api.Platform.Persistence;

/// <summary>A row that belongs to one tenant. Its key and indexes start with <c>tenant_id</c>.</summary>
public interface ITenantOwned
{
    string TenantId { get; set; }
}
