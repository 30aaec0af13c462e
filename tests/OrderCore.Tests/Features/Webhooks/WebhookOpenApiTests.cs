using System.Net;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Webhooks;

public sealed class WebhookOpenApiTests(AppFixture app)
{
    [Theory]
    [InlineData("/v1/webhooks/endpoints", "get", "ListWebhookEndpoints", new[] { "401" })]
    [InlineData("/v1/webhooks/endpoints", "post", "CreateWebhookEndpoint", new[] { "400", "401" })]
    [InlineData("/v1/webhooks/endpoints/{id}", "get", "GetWebhookEndpoint", new[] { "401", "404" })]
    [InlineData("/v1/webhooks/endpoints/{id}", "patch", "UpdateWebhookEndpoint", new[] { "400", "401", "404" })]
    [InlineData("/v1/webhooks/endpoints/{id}", "delete", "DeleteWebhookEndpoint", new[] { "401", "404" })]
    [InlineData("/v1/webhooks/endpoints/{id}/rotate-secret", "post", "RotateWebhookSecret", new[] { "401", "404" })]
    [InlineData("/v1/webhooks/endpoints/{id}/recover", "post", "RecoverWebhookDeliveries", new[] { "400", "401", "404" })]
    [InlineData("/v1/webhooks/deliveries", "get", "ListWebhookDeliveries", new[] { "400", "401" })]
    [InlineData("/v1/webhooks/deliveries/{id}", "get", "GetWebhookDelivery", new[] { "401", "404" })]
    [InlineData("/v1/webhooks/deliveries/{id}/retry", "post", "RetryWebhookDelivery", new[] { "401", "404", "409" })]
    [InlineData("/v1/webhooks/metrics", "get", "GetWebhookMetrics", new[] { "400", "401" })]
    [InlineData("/v1/webhooks/smoke", "post", "SendWebhookSmokeTest", new[] { "400", "401", "409" })]
    public async Task Every_webhook_route_is_documented_with_its_name_summary_and_errors(string path, string method, string name, string[] errors)
    {
        using var anonymous = app.Client();
        var doc = await anonymous.GetJsonAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, doc.Status);

        Assert.True(doc.Body.GetProperty("paths").TryGetProperty(path, out var item), $"the document lacks {path}");
        Assert.True(item.TryGetProperty(method, out var operation), $"the document lacks {method.ToUpperInvariant()} {path}");
        Assert.Equal(name, operation.GetProperty("operationId").GetString());
        Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()));
        foreach (var status in errors)
        {
            Assert.True(operation.GetProperty("responses").TryGetProperty(status, out _), $"{method.ToUpperInvariant()} {path} does not document {status}");
        }
    }
}
