using System.Net;
using System.Text.Json;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Checkout;

/// <summary>An OrderCore instance on the shared database with test payments on and no Stripe key: the buyer page's test mode.</summary>
public sealed class BuyerLinkHost(AppFixture app) : IAsyncLifetime
{
    private OrderCoreFactory? _factory;

    public Uri BaseAddress { get; private set; } = null!;

    public ValueTask InitializeAsync()
    {
        var settings = app.Settings();
        settings["Checkout:AllowTestPayments"] = "true";
        settings["Checkout:AllowHttpReturnUrls"] = "true";
        _factory = new OrderCoreFactory(settings);
        BaseAddress = _factory.Start();
        return ValueTask.CompletedTask;
    }

    public HttpClient Client(string? apiKey = null) => app.Client(apiKey, BaseAddress);

    public async ValueTask DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }
}

public static class BuyerLinkKit
{
    public const string Links = "/v1/account/buyer-checkout-links";

    public static async Task<JsonElement> CreateLinkAsync(this HttpClient merchant, object body)
    {
        var created = await merchant.PostJsonAsync(Links, body);
        Assert.True(created.Status == HttpStatusCode.Created, created.Body.ToString());
        return created.Body;
    }

    public static string Token(this JsonElement link) => link.GetProperty("token").GetString()!;

    public static object Pay() => new { payment_data = new { handler_id = "test" } };
}
