using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OrderCore.Api.Platform.Auth;
using OrderCore.Tests.Features.Accounts;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Platform;

/// <summary>
/// Walks the app's own route table, so a new /v1 route without a declared scope fails here, and every
/// route is tried with a key that lacks its scope (403 forbidden naming it) and with one that has it.
/// </summary>
public sealed partial class ScopeTests(AppFixture app)
{
    private sealed record V1Endpoint(string Method, string Pattern, string[] Scopes);

    private List<V1Endpoint> V1Endpoints() =>
        app.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/v1", StringComparison.Ordinal) == true)
            // Inbound webhooks of other platforms (Stripe) authenticate by their own signature, not a key.
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is null)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(method => new V1Endpoint(
                method, e.RoutePattern.RawText!, e.Metadata.GetOrderedMetadata<RequiredScopes>().SelectMany(r => r.Scopes).ToArray())))
            .ToList();

    private IReadOnlyList<string> KnownScopes => app.Factory.Services.GetRequiredService<ScopeCatalog>().All;

    [Fact]
    public void Every_v1_endpoint_declares_the_scopes_it_needs()
    {
        var endpoints = V1Endpoints();

        Assert.True(endpoints.Count > 40, $"only {endpoints.Count} /v1 endpoints found");
        Assert.Empty(endpoints.Where(e => e.Scopes.Length == 0).Select(e => $"{e.Method} {e.Pattern}"));
        // The known scopes are the ones routes declare: each feature's pair, and none for a feature without routes.
        Assert.Equal(endpoints.SelectMany(e => e.Scopes).Distinct().Order(StringComparer.Ordinal), KnownScopes);
        Assert.Equal(["account:read", "account:write", "catalog:read", "catalog:write", "checkout:read", "checkout:write", "integrations:read",
            "integrations:write", "inventory:read", "inventory:write", "orders:read", "orders:write", "webhooks:read", "webhooks:write"], KnownScopes);
        // reads need a :read scope, writes a :write one
        Assert.All(endpoints, e => Assert.All(e.Scopes, s => Assert.EndsWith(e.Method is "GET" or "HEAD" ? ":read" : ":write", s)));
    }

    [Fact]
    public async Task Every_v1_endpoint_answers_403_to_a_key_without_its_scope_and_admits_one_with_it()
    {
        var tenant = await app.CreateTenantAsync();
        var endpoints = V1Endpoints();
        var lacking = new Dictionary<string, HttpClient>(StringComparer.Ordinal);
        var holding = new Dictionary<string, HttpClient>(StringComparer.Ordinal);
        foreach (var scopes in endpoints.Select(e => e.Scopes).DistinctBy(s => string.Join(' ', s)))
        {
            var set = string.Join(' ', scopes);
            lacking[set] = app.Client((await app.IssueKeyAsync(tenant.Id, KnownScopes.Except(scopes).ToArray())).Key);
            holding[set] = app.Client((await app.IssueKeyAsync(tenant.Id, scopes)).Key);
        }

        foreach (var endpoint in endpoints)
        {
            var path = RouteParameter().Replace(endpoint.Pattern, "unknown-id");
            var body = endpoint.Method is "GET" or "HEAD" or "DELETE" ? null : "{}";
            var set = string.Join(' ', endpoint.Scopes);

            var denied = await lacking[set].SendAsync(new HttpMethod(endpoint.Method), path, body);
            Assert.True(denied.Status == HttpStatusCode.Forbidden, $"{endpoint.Method} {path}: {(int)denied.Status} {denied.Body}");
            denied.AssertError(HttpStatusCode.Forbidden, "forbidden");
            Assert.Equal(endpoint.Scopes, denied.Body.GetProperty("missing_scopes").EnumerateArray().Select(s => s.GetString()!).ToArray());
            Assert.NotNull(denied.Header("RateLimit"));

            var admitted = await holding[set].SendAsync(new HttpMethod(endpoint.Method), path, body);
            Assert.True(admitted.Status is not HttpStatusCode.Forbidden and not HttpStatusCode.Unauthorized,
                $"{endpoint.Method} {path} with {set}: {(int)admitted.Status} {admitted.Body}");
        }
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_the_scopes_of_each_operation()
    {
        using var anonymous = app.Client();
        var doc = (await anonymous.GetJsonAsync("/openapi/v1.json")).Body;
        var paths = doc.GetProperty("paths");

        foreach (var endpoint in V1Endpoints())
        {
            var operation = paths.GetProperty(endpoint.Pattern.TrimEnd('/')).GetProperty(endpoint.Method.ToLowerInvariant());
            var documented = operation.GetProperty("x-required-scopes").EnumerateArray().Select(s => s.GetString()!).ToArray();
            Assert.Equal(endpoint.Scopes, documented);
            var security = operation.GetProperty("security")[0].GetProperty("ApiKey").EnumerateArray().Select(s => s.GetString()!).ToArray();
            Assert.Equal(endpoint.Scopes, security);
            Assert.True(operation.GetProperty("responses").TryGetProperty("403", out _), $"{endpoint.Method} {endpoint.Pattern} does not document 403");
        }
    }

    [Fact]
    public async Task A_key_with_star_reaches_every_group()
    {
        var tenant = await app.CreateTenantAsync();
        foreach (var path in new[] { "/v1/orders", "/v1/products", "/v1/inventory", "/v1/events", "/v1/customers", "/v1/prices", "/v1/account/auth" })
        {
            var answer = await tenant.Client.GetJsonAsync(path);
            Assert.True(answer.Status == HttpStatusCode.OK, $"{path}: {answer.Body}");
        }
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();
}
