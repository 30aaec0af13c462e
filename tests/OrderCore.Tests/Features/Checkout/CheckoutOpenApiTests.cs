using System.Net;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Checkout;

public sealed class CheckoutOpenApiTests(AppFixture app)
{
    [Fact]
    public async Task Public_routes_are_documented_with_the_checkout_token_and_examples_of_the_flow()
    {
        using var anonymous = app.Client();
        var doc = await anonymous.GetJsonAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, doc.Status);
        var paths = doc.Body.GetProperty("paths");

        var scheme = doc.Body.GetProperty("components").GetProperty("securitySchemes").GetProperty("CheckoutToken");
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        foreach (var (path, method) in new[]
                 {
                     ("/ucp/public/checkout/sessions", "post"), ("/ucp/public/checkout/sessions/{id}", "put"),
                     ("/ucp/public/checkout/sessions/{id}", "get"), ("/ucp/public/checkout/sessions/{id}/payment-intent", "post"),
                     ("/ucp/public/checkout/sessions/{id}/complete", "post"),
                 })
        {
            var operation = paths.GetProperty(path).GetProperty(method);
            var security = operation.GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name)).ToArray();
            Assert.Equal(["CheckoutToken"], security);
            Assert.True(operation.GetProperty("responses").TryGetProperty("401", out _), $"{method} {path} does not document 401");
        }

        foreach (var (path, member) in new[]
                 {
                     ("/v1/account/checkout-access-tokens", "ttl_minutes"), ("/ucp/public/checkout/sessions", "line_items"),
                     ("/ucp/public/checkout/sessions/{id}/complete", "payment_data"),
                 })
        {
            var example = paths.GetProperty(path).GetProperty("post").GetProperty("requestBody").GetProperty("content")
                .GetProperty("application/json").GetProperty("example");
            Assert.True(example.TryGetProperty(member, out _), $"{path}: {example}");
        }

        Assert.True(paths.TryGetProperty("/v1/integrations/stripe/webhook", out _));
        Assert.True(paths.TryGetProperty("/ucp/.well-known/ucp", out _));
        Assert.True(paths.TryGetProperty("/v1/checkout/sessions", out _));
    }

    [Fact]
    public async Task Discovery_is_public_and_says_when_payments_are_not_configured()
    {
        using var anonymous = app.Client();

        var config = await anonymous.GetJsonAsync("/direct-ai/browser-config");
        var catalog = await anonymous.GetJsonAsync("/integrations/catalog");

        Assert.Equal(HttpStatusCode.OK, config.Status);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, config.Body.GetProperty("stripe_publishable_key").ValueKind);
        Assert.Equal(app.BaseAddress.ToString().TrimEnd('/'), config.Str("api_base"));
        Assert.Contains(catalog.Body.GetProperty("connectors").EnumerateArray(),
            c => c.Id() == "stripe" && c.GetProperty("status").GetString() == "not_configured");
        // and no CORS for browsers by default
        using var preflight = new HttpRequestMessage(HttpMethod.Options, CheckoutKit.Sessions);
        preflight.Headers.Add("Origin", "https://shop.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        using var answer = await anonymous.SendAsync(preflight);
        Assert.False(answer.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
