using System.Net;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Inventory;

public sealed class InventoryOpenApiTests(AppFixture app)
{
    [Theory]
    [InlineData("/v1/locations", "get", "ListLocations", new[] { "401" })]
    [InlineData("/v1/locations", "post", "CreateLocation", new[] { "400", "401", "409" })]
    [InlineData("/v1/locations/{id}", "get", "GetLocation", new[] { "401", "404" })]
    [InlineData("/v1/locations/{id}", "put", "PutLocation", new[] { "400", "401", "409" })]
    [InlineData("/v1/inventory", "get", "ListInventory", new[] { "400", "401" })]
    [InlineData("/v1/inventory/adjust", "post", "AdjustInventory", new[] { "400", "401", "404", "409", "422" })]
    [InlineData("/v1/inventory/reserve", "post", "ReserveInventory", new[] { "400", "401", "404", "409" })]
    [InlineData("/v1/inventory/reservations/{id}", "get", "GetReservation", new[] { "401", "404" })]
    [InlineData("/v1/inventory/release", "post", "ReleaseInventory", new[] { "400", "401", "404", "409" })]
    [InlineData("/v1/inventory/movements", "get", "ListInventoryMovements", new[] { "400", "401" })]
    public async Task Every_inventory_route_is_documented_with_its_name_summary_and_errors(string path, string method, string name, string[] errors)
    {
        using var anonymous = app.Client();
        var doc = await anonymous.GetJsonAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, doc.Status);

        Assert.True(doc.Body.GetProperty("paths").TryGetProperty(path, out var item), $"the document lacks {path}");
        Assert.True(item.TryGetProperty(method, out var operation), $"the document lacks {method.ToUpperInvariant()} {path}");
        Assert.Equal(name, operation.GetProperty("operationId").GetString());
        Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()));
        var responses = operation.GetProperty("responses");
        foreach (var status in errors)
        {
            Assert.True(responses.TryGetProperty(status, out var response) && response.GetProperty("content").TryGetProperty("application/problem+json", out _),
                $"{method.ToUpperInvariant()} {path} does not document {status} as problem+json");
        }
    }

    [Fact]
    public async Task The_inventory_list_documents_its_filters_and_page_parameters()
    {
        using var anonymous = app.Client();
        var doc = await anonymous.GetJsonAsync("/openapi/v1.json");

        string?[] Parameters(string path) => doc.Body.GetProperty("paths").GetProperty(path).GetProperty("get").GetProperty("parameters")
            .EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToArray();

        Assert.Equal(new[] { "location_id", "page", "per_page", "sku_code", "sku_id" }, Parameters("/v1/inventory").Order());
        Assert.Superset(new HashSet<string?> { "sku_id", "sku_code", "location_id", "reason", "created_after", "created_before", "page", "per_page", "starting_after" },
            Parameters("/v1/inventory/movements").ToHashSet());
    }
}
