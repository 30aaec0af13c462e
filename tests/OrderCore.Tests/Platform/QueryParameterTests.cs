using System.Net;
using System.Text.Json;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Platform;

/// <summary>Unknown query parameters answer 400 naming them, like unknown body fields.</summary>
public sealed class QueryParameterTests(AppFixture app)
{
    [Fact]
    public async Task An_unknown_query_parameter_answers_400_naming_it()
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await tenant.Client.GetJsonAsync("/v1/orders?statsu=pending&per_page=5&bogus=1");

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        var errors = answer.Body.GetProperty("errors");
        Assert.Equal(["bogus", "statsu"], errors.EnumerateObject().Select(e => e.Name).Order().ToArray());
        Assert.Contains("status", errors.GetProperty("statsu")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_route_without_query_parameters_refuses_any()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();

        var answer = await tenant.Client.GetJsonAsync($"/v1/skus/{sku.SkuCode}?expand=product");

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty("expand", out _));
    }

    [Fact]
    public async Task Every_documented_query_parameter_is_accepted()
    {
        var tenant = await app.CreateTenantAsync();
        using var anonymous = app.Client();
        using var doc = JsonDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json"));

        var refused = new List<string>();
        foreach (var path in doc.RootElement.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/v1/", StringComparison.Ordinal)))
        {
            if (!path.Value.TryGetProperty("get", out var get) || !get.TryGetProperty("parameters", out var parameters))
            {
                continue;
            }

            var names = parameters.EnumerateArray().Where(p => p.TryGetProperty("in", out var where) && where.GetString() == "query")
                .Select(p => p.GetProperty("name").GetString()!).ToArray();
            if (names.Length == 0)
            {
                continue;
            }

            var url = path.Name.Replace("{id}", "x_unknown", StringComparison.Ordinal) + "?" + string.Join("&", names.Select(n => $"{n}=1"));
            var answer = await tenant.Client.GetJsonAsync(url);
            if (answer.Body.ValueKind == JsonValueKind.Object && answer.Body.TryGetProperty("errors", out var errors)
                && errors.EnumerateObject().Any(e => e.Value[0].GetString()!.Contains("is not a query parameter", StringComparison.Ordinal)))
            {
                refused.Add($"{url}: {errors}");
            }
        }

        Assert.Empty(refused);
    }
}
