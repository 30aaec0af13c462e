using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Webhooks;

/// <summary>Receiver-side verification, as a merchant would write it.</summary>
public static class Verifiers
{
    /// <summary>A line-by-line port of the reference's Node/Go <c>verifyOrderCoreSignature</c>.</summary>
    public static bool VerifyOrderCoreSignature(byte[] rawBody, string? signatureHeader, string endpointSecret)
    {
        using var mac = new HMACSHA256(Encoding.UTF8.GetBytes(endpointSecret));
        var expected = "sha256=" + Convert.ToHexString(mac.ComputeHash(rawBody)).ToLowerInvariant();
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(signatureHeader ?? ""));
    }

    /// <summary>Standard Webhooks: any <c>v1,</c> entry of <c>webhook-signature</c> that matches the signed content.</summary>
    public static bool VerifyStandardWebhooks(byte[] rawBody, string id, string timestamp, string signatureHeader, string secret)
    {
        var key = Convert.FromBase64String(secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret[6..] : secret);
        var signed = Encoding.UTF8.GetBytes($"{id}.{timestamp}.").Concat(rawBody).ToArray();
        var expected = Convert.ToBase64String(HMACSHA256.HashData(key, signed));
        return signatureHeader.Split(' ').Any(entry => entry.StartsWith("v1,", StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(entry[3..]), Encoding.UTF8.GetBytes(expected)));
    }
}

public static class WebhookTestKit
{
    public static async Task<(string Id, string Secret)> CreateEndpointAsync(this HttpClient client, string url, params string[] events)
    {
        var created = await client.PostJsonAsync("/v1/webhooks/endpoints", new { url, events = events.Length == 0 ? ["*"] : events });
        Assert.True(created.Status == HttpStatusCode.Created, created.Body.ToString());
        return (created.Str("id"), created.Str("secret"));
    }

    /// <summary>A smoke event to every active endpoint; answers (event id, delivery ids).</summary>
    public static async Task<(string EventId, List<string> DeliveryIds)> SmokeAsync(this HttpClient client, string mode = "standard")
    {
        var smoke = await client.PostJsonAsync("/v1/webhooks/smoke", new { mode });
        Assert.True(smoke.Status == HttpStatusCode.Accepted, smoke.Body.ToString());
        return (smoke.Str("event_id"), smoke.Body.GetProperty("delivery_ids").EnumerateArray().Select(e => e.GetString()!).ToList());
    }

    public static async Task<JsonElement> DeliveryAsync(this HttpClient client, string id)
    {
        var delivery = await client.GetJsonAsync($"/v1/webhooks/deliveries/{id}");
        Assert.True(delivery.Status == HttpStatusCode.OK, delivery.Body.ToString());
        return delivery.Body;
    }

    /// <summary>Polls the delivery until <paramref name="done"/> holds (at most 15 s) and answers it.</summary>
    public static async Task<JsonElement> WaitForDeliveryAsync(this HttpClient client, string id, Func<JsonElement, bool> done)
    {
        JsonElement last = default;
        await Eventually.WaitAsync(async () => done(last = await client.DeliveryAsync(id)), () => $"delivery {id}: {last}");
        return last;
    }

    public static Task<JsonElement> WaitForStatusAsync(this HttpClient client, string id, string status) =>
        client.WaitForDeliveryAsync(id, d => d.GetProperty("status").GetString() == status);

    public static string Status(this JsonElement delivery) => delivery.GetProperty("status").GetString()!;

    public static int Attempt(this JsonElement delivery) => delivery.GetProperty("attempt").GetInt32();

    public static List<JsonElement> Attempts(this JsonElement delivery) => delivery.GetProperty("attempts").EnumerateArray().ToList();
}

public static class Eventually
{
    /// <summary>Polls a condition every 50 ms for at most <paramref name="seconds"/>; fails with <paramref name="describe"/>.</summary>
    public static async Task WaitAsync(Func<Task<bool>> condition, Func<string>? describe = null, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Condition not met within {seconds} s. {describe?.Invoke()}");
            await Task.Delay(50);
        }
    }
}

/// <summary>
/// OrderCore instances on a database of their own, for tests whose settings differ from the shared app's:
/// on the shared database the shared app's worker would also send (with its settings) what they create.
/// </summary>
public sealed class IsolatedApp : IAsyncDisposable
{
    private readonly TestDatabase _database;
    private readonly Dictionary<string, string?> _settings;
    private readonly string _adminToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private readonly List<OrderCoreFactory> _instances = [];

    private IsolatedApp(TestDatabase database, Dictionary<string, string?> settings)
    {
        _database = database;
        _settings = new Dictionary<string, string?>(settings)
        {
            ["ORDERCORE_DB"] = database.ConnectionString,
            ["ORDERCORE_ADMIN_TOKEN"] = _adminToken,
        };
    }

    public TestDatabase Database => _database;

    public static async Task<IsolatedApp> CreateAsync(Dictionary<string, string?> settings) => new(await TestDatabase.CreateAsync(), settings);

    /// <summary>Starts another instance on the same database and answers its address.</summary>
    public Uri StartInstance(Action<IServiceCollection>? services = null)
    {
        var factory = new OrderCoreFactory(_settings, services);
        _instances.Add(factory);
        return factory.Start();
    }

    /// <summary>Stops an instance the way a deployment does (graceful shutdown).</summary>
    public async Task StopInstanceAsync(int index) => await _instances[index].DisposeAsync();

    /// <summary>A tenant with a full-access key; answers a client for it on <paramref name="address"/>.</summary>
    public async Task<(string TenantId, string ApiKey)> CreateTenantAsync(Uri address)
    {
        using var admin = new HttpClient { BaseAddress = address };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", _adminToken);
        var response = await admin.PostAsJsonAsync("/admin/v1/tenants", new { name = "Isolated" });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (body.RootElement.GetProperty("tenant").GetProperty("id").GetString()!,
            body.RootElement.GetProperty("api_key").GetProperty("key").GetString()!);
    }

    public static HttpClient Client(Uri address, string apiKey)
    {
        var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Add("X-API-Key", apiKey);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        await _database.DisposeAsync();
    }
}
