using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrderCore.Tests.Features.Checkout;

/// <summary>
/// A Stripe-compatible server on 127.0.0.1 (Kestrel, port 0) for the two calls Stripe.net makes here:
/// create a PaymentIntent (form-encoded, with Idempotency-Key) and retrieve one. Statuses are set by the test.
/// </summary>
public sealed class FakeStripe : IAsyncDisposable
{
    public const string SecretKey = "sk_test_ordercore_fake_secret";
    public const string WebhookSecret = "whsec_ordercore_fake_webhook_secret";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, JsonObject> _intents = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _byIdempotencyKey = new(StringComparer.Ordinal);

    private FakeStripe(WebApplication app) => _app = app;

    public string ApiBase { get; private set; } = "";

    /// <summary>Authorization headers seen, to check that the configured secret key is what Stripe.net sends.</summary>
    public ConcurrentQueue<string> Authorizations { get; } = new();

    public ConcurrentQueue<string> IdempotencyKeys { get; } = new();

    public static async Task<FakeStripe> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var stripe = new FakeStripe(app);
        app.MapPost("/v1/payment_intents", (Delegate)stripe.CreateAsync);
        app.MapGet("/v1/payment_intents/{id}", stripe.Retrieve);
        await app.StartAsync();
        stripe.ApiBase = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return stripe;
    }

    /// <summary>A PaymentIntent made outside OrderCore (e.g. for another session or amount).</summary>
    public JsonObject Add(long amount, string currency, string tenantId, string sessionId, string status = "succeeded")
    {
        var intent = NewIntent(amount, currency, new JsonObject { ["tenant_id"] = tenantId, ["session_id"] = sessionId });
        intent["status"] = status;
        _intents[intent["id"]!.GetValue<string>()] = intent;
        return intent;
    }

    /// <summary>What the buyer's confirmation with Stripe.js would do.</summary>
    public void SetStatus(string id, string status) => _intents[id]["status"] = status;

    public JsonObject Intent(string id) => _intents[id];

    /// <summary>A Stripe event of <paramref name="type"/> about the intent, as Stripe would send it (JSON body and Stripe-Signature).</summary>
    public static (string Body, string Signature) SignedEvent(JsonObject intent, string secret = WebhookSecret, string type = "payment_intent.succeeded")
    {
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var body = new JsonObject
        {
            ["id"] = $"evt_{Guid.NewGuid():N}",
            ["object"] = "event",
            ["api_version"] = Stripe.StripeConfiguration.ApiVersion,
            ["created"] = created,
            ["livemode"] = false,
            ["pending_webhooks"] = 1,
            ["type"] = type,
            ["data"] = new JsonObject { ["object"] = intent.DeepClone() },
        }.ToJsonString();
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{created}.{body}"));
        return (body, $"t={created},v1={Convert.ToHexString(mac).ToLowerInvariant()}");
    }

    private async Task<IResult> CreateAsync(HttpContext context)
    {
        Authorizations.Enqueue(context.Request.Headers.Authorization.ToString());
        var key = context.Request.Headers["Idempotency-Key"].ToString();
        IdempotencyKeys.Enqueue(key);
        var form = await context.Request.ReadFormAsync();
        if (key.Length > 0 && _byIdempotencyKey.TryGetValue(key, out var existing))
        {
            return Json(_intents[existing]);
        }

        var metadata = new JsonObject();
        foreach (var field in form.Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal)))
        {
            metadata[field.Key["metadata[".Length..^1]] = field.Value.ToString();
        }

        var intent = NewIntent(long.Parse(form["amount"]!, System.Globalization.CultureInfo.InvariantCulture), form["currency"]!, metadata);
        var id = intent["id"]!.GetValue<string>();
        _intents[id] = intent;
        if (key.Length > 0)
        {
            _byIdempotencyKey[key] = id;
        }

        return Json(intent);
    }

    private IResult Retrieve(string id, HttpContext context)
    {
        Authorizations.Enqueue(context.Request.Headers.Authorization.ToString());
        return _intents.TryGetValue(id, out var intent)
            ? Json(intent)
            : Results.Json(new { error = new { type = "invalid_request_error", code = "resource_missing", message = $"No such payment_intent: '{id}'" } },
                statusCode: 404);
    }

    private static JsonObject NewIntent(long amount, string currency, JsonObject metadata)
    {
        var id = $"pi_{Guid.NewGuid():N}";
        return new JsonObject
        {
            ["id"] = id,
            ["object"] = "payment_intent",
            ["amount"] = amount,
            ["amount_received"] = 0,
            ["currency"] = currency.ToLowerInvariant(),
            ["status"] = "requires_payment_method",
            ["client_secret"] = $"{id}_secret_{Guid.NewGuid():N}",
            ["livemode"] = false,
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["metadata"] = metadata,
        };
    }

    private static IResult Json(JsonObject body) => Results.Text(body.ToJsonString(), "application/json", statusCode: 200);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
