using System.Text.Json;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Pricing;

/// <summary>Every pricing route, and order preview, is in the OpenAPI document with a name, a summary and its error answers.</summary>
public sealed class PricingOpenApiTests(AppFixture app)
{
    [Theory]
    [InlineData("/v1/price-lists", "get", "ListPriceLists", new[] { "400", "401" })]
    [InlineData("/v1/price-lists", "post", "CreatePriceList", new[] { "400", "401", "404", "409", "413", "422" })]
    [InlineData("/v1/price-lists/{id}", "get", "GetPriceList", new[] { "401", "404" })]
    [InlineData("/v1/price-lists/{id}", "patch", "UpdatePriceList", new[] { "400", "401", "404", "409" })]
    [InlineData("/v1/prices", "get", "ListPrices", new[] { "400", "401" })]
    [InlineData("/v1/prices", "post", "CreatePrice", new[] { "400", "401", "404", "409", "413", "422" })]
    [InlineData("/v1/prices/resolve", "get", "ResolvePrice", new[] { "400", "401", "404", "422" })]
    [InlineData("/v1/prices/{id}", "get", "GetPrice", new[] { "401", "404" })]
    [InlineData("/v1/prices/{id}", "patch", "UpdatePrice", new[] { "400", "401", "404" })]
    [InlineData("/v1/prices/{id}", "delete", "DeletePrice", new[] { "401", "404" })]
    [InlineData("/v1/orders/preview", "post", "PreviewOrder", new[] { "400", "401", "404", "409", "413", "422" })]
    public async Task The_route_is_documented(string path, string method, string operationId, string[] errors)
    {
        using var anonymous = app.Client();
        var doc = (await anonymous.GetJsonAsync("/openapi/v1.json")).Body;

        Assert.True(doc.GetProperty("paths").TryGetProperty(path, out var item), $"the document lacks {path}");
        Assert.True(item.TryGetProperty(method, out var operation), $"the document lacks {method.ToUpperInvariant()} {path}");
        Assert.Equal(operationId, operation.GetProperty("operationId").GetString());
        Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()));
        var tag = path.StartsWith("/v1/orders", StringComparison.Ordinal) ? "Orders" : "Pricing";
        Assert.Contains(tag, operation.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        var responses = operation.GetProperty("responses");
        Assert.Contains(responses.EnumerateObject(), r => r.Name.StartsWith('2'));
        foreach (var status in errors)
        {
            Assert.True(responses.TryGetProperty(status, out var response), $"{method.ToUpperInvariant()} {path} does not document {status}");
            Assert.True(response.GetProperty("content").TryGetProperty("application/problem+json", out _));
        }
    }

    [Fact]
    public async Task The_query_filters_of_the_price_list_and_resolve_are_documented()
    {
        using var anonymous = app.Client();
        var paths = (await anonymous.GetJsonAsync("/openapi/v1.json")).Body.GetProperty("paths");

        Assert.Superset(
            new HashSet<string> { "sku_id", "sku_code", "price_list_code", "currency", "customer_id", "quantity", "valid_now", "active_only", "page", "per_page" },
            Parameters(paths.GetProperty("/v1/prices").GetProperty("get")));
        Assert.Superset(
            new HashSet<string> { "sku_id", "sku_code", "currency", "customer_id", "quantity" },
            Parameters(paths.GetProperty("/v1/prices/resolve").GetProperty("get")));
    }

    private static HashSet<string> Parameters(JsonElement operation) =>
        operation.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()!).ToHashSet(StringComparer.Ordinal);
}
