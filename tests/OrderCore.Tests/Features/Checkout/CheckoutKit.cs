using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Checkout;

/// <summary>
/// A second OrderCore instance on the shared database, configured for payments: Stripe.net pointed at a
/// <see cref="FakeStripe"/>, the test payment handler on, and one allowed browser origin.
/// </summary>
public sealed class StripeCheckoutHost(AppFixture app) : IAsyncLifetime
{
    public const string AllowedOrigin = "https://shop.example";

    private OrderCoreFactory? _factory;

    public FakeStripe Stripe { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Stripe = await FakeStripe.StartAsync();
        var settings = app.Settings();
        settings["Stripe:SecretKey"] = FakeStripe.SecretKey;
        settings["Stripe:PublishableKey"] = "pk_test_ordercore_fake";
        settings["Stripe:WebhookSecret"] = FakeStripe.WebhookSecret;
        settings["Stripe:ApiBase"] = Stripe.ApiBase;
        settings["Checkout:AllowTestPayments"] = "true";
        settings["Checkout:AllowedOrigins:0"] = AllowedOrigin;
        _factory = new OrderCoreFactory(settings);
        BaseAddress = _factory.Start();
    }

    public HttpClient Client(string? apiKey = null) => app.Client(apiKey, BaseAddress);

    public async ValueTask DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        await Stripe.DisposeAsync();
    }
}

public static class CheckoutKit
{
    public const string Sessions = "/ucp/public/checkout/sessions";

    /// <summary>Mints a checkout access token with the merchant's key; answers the token.</summary>
    public static async Task<string> MintTokenAsync(this HttpClient merchant, object? body = null)
    {
        var minted = await merchant.PostJsonAsync("/v1/account/checkout-access-tokens", body ?? new { });
        Assert.True(minted.Status == HttpStatusCode.Created, minted.Body.ToString());
        Assert.StartsWith("cat_", minted.Str("token"));
        return minted.Str("token");
    }

    /// <summary>A client for the public routes: the token as a bearer, no API key.</summary>
    public static HttpClient Buyer(this AppFixture app, string token, Uri? baseAddress = null)
    {
        var client = app.Client(baseAddress: baseAddress);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static object Session(string skuId, int quantity, string? email = "buyer@example.com", string? reference = null) => new
    {
        line_items = new[] { new { item = new { id = skuId }, quantity } },
        currency = "USD",
        buyer = email is null ? null : new { email, first_name = "Jane", last_name = "Doe" },
        merchant_reference_id = reference,
    };

    public static async Task<JsonElement> CreateSessionAsync(this HttpClient buyer, object body, string path = Sessions)
    {
        var created = await buyer.PostJsonAsync(path, body);
        Assert.True(created.Status == HttpStatusCode.Created, created.Body.ToString());
        return created.Body;
    }

    public static object Pay(string paymentIntentId) => new { payment_data = new { handler_id = "card", payment_intent_id = paymentIntentId } };

    public static string Status(this JsonElement session) => session.GetProperty("status").GetString()!;

    public static string Id(this JsonElement body) => body.GetProperty("id").GetString()!;
}
