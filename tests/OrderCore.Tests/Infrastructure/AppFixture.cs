using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrderCore.Api.Platform.Auth;
using OrderCore.Api.Platform.Persistence;

[assembly: AssemblyFixture(typeof(OrderCore.Tests.Infrastructure.AppFixture))]

namespace OrderCore.Tests.Infrastructure;

/// <summary>
/// One running OrderCore (real Kestrel on loopback, real PostgreSQL) shared by the whole run. Tests
/// never share data: each creates its own tenant through the admin API.
/// </summary>
public sealed class AppFixture : IAsyncLifetime
{
    private static readonly SocketsHttpHandler Handler = new() { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 256 };

    public TestDatabase Database { get; private set; } = null!;
    public OrderCoreFactory Factory { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;
    public string AdminToken { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));

    public async ValueTask InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Factory = new OrderCoreFactory(Settings());
        BaseAddress = Factory.Start();
    }

    /// <summary>The settings the shared app runs with; tests that need a variant start their own factory from these.</summary>
    public Dictionary<string, string?> Settings() => new()
    {
        ["ORDERCORE_DB"] = Database.ConnectionString,
        ["ORDERCORE_ADMIN_TOKEN"] = AdminToken,
        // Every test calls from 127.0.0.1, and many send wrong keys on purpose: FailedAuthenticationTests runs its own instance.
        ["FailedAuthentication:AttemptsPerMinute"] = "1000000",
        // Webhook tests deliver to a receiver on 127.0.0.1, with a millisecond retry schedule (3 retries).
        ["Webhooks:AllowHttp"] = "true",
        ["Webhooks:AllowPrivateTargets"] = "true",
        ["Webhooks:RetryDelays:0"] = "00:00:00.050",
        ["Webhooks:RetryDelays:1"] = "00:00:00.050",
        ["Webhooks:RetryDelays:2"] = "00:00:00.050",
    };

    public HttpClient Client(string? apiKey = null, Uri? baseAddress = null)
    {
        var client = new HttpClient(Handler, disposeHandler: false) { BaseAddress = baseAddress ?? BaseAddress };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-API-Key", apiKey);
        }

        return client;
    }

    public HttpClient AdminClient(Uri? baseAddress = null)
    {
        var client = Client(baseAddress: baseAddress);
        client.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
        return client;
    }

    /// <summary>A new tenant with a full-access key, created through <c>POST /admin/v1/tenants</c>.</summary>
    public async Task<TestTenant> CreateTenantAsync(string? name = null)
    {
        using var admin = AdminClient();
        var response = await admin.PostAsJsonAsync("/admin/v1/tenants", new { name = name ?? $"Tenant {Guid.NewGuid():N}" });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var tenantId = body.RootElement.GetProperty("tenant").GetProperty("id").GetString()!;
        var key = body.RootElement.GetProperty("api_key").GetProperty("key").GetString()!;
        return new TestTenant(this, tenantId, key);
    }

    /// <summary>Runs <paramref name="work"/> against the app's own DbContext as <paramref name="tenantId"/> (test set-up only).</summary>
    public async Task AsTenantAsync(string tenantId, Func<OrderCoreDbContext, Task> work)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentTenant>().Resolve(tenantId, "test", "test", ["*"]);
        var db = scope.ServiceProvider.GetRequiredService<OrderCoreDbContext>();
        await work(db);
        await db.SaveChangesAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Database.DisposeAsync();
    }
}
