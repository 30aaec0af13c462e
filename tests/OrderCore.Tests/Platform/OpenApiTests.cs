using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Platform;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c> and Swagger UI at <c>/swagger</c>.</summary>
public sealed partial class OpenApiTests(AppFixture app)
{
    [Fact]
    public async Task The_document_is_public_and_describes_every_route()
    {
        var doc = await DocumentAsync();

        Assert.StartsWith("3.", doc.GetProperty("openapi").GetString());
        var paths = doc.GetProperty("paths");
        var expected = new Dictionary<string, string[]>(StringComparer.Ordinal)
        {
            ["/health"] = ["get"],
            ["/v1/orders"] = ["get", "post"],
            ["/v1/orders/{id}"] = ["get"],
            ["/v1/onboarding/demo-data"] = ["post"],
            ["/admin/v1/tenants"] = ["post"],
        };
        foreach (var (path, methods) in expected)
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"the document lacks {path}; it has {string.Join(", ", paths.EnumerateObject().Select(p => p.Name))}");
            foreach (var method in methods)
            {
                Assert.True(item.TryGetProperty(method, out var operation), $"the document lacks {method.ToUpperInvariant()} {path}");
                Assert.True(operation.TryGetProperty("responses", out var responses) && responses.EnumerateObject().Any(),
                    $"{method} {path} documents no responses");
            }
        }

        var getById = paths.GetProperty("/v1/orders/{id}").GetProperty("get");
        Assert.Contains(getById.GetProperty("parameters").EnumerateArray(),
            p => p.GetProperty("name").GetString() == "id" && p.GetProperty("in").GetString() == "path");
        var listParameters = paths.GetProperty("/v1/orders").GetProperty("get").GetProperty("parameters").EnumerateArray()
            .Select(p => p.GetProperty("name").GetString()).ToArray();
        Assert.Superset(new HashSet<string?> { "status", "customer_id", "page", "per_page", "starting_after" }, listParameters.ToHashSet());
    }

    [Fact]
    public async Task The_document_declares_the_api_key_and_bearer_security_schemes()
    {
        var doc = await DocumentAsync();

        var schemes = doc.GetProperty("components").GetProperty("securitySchemes").EnumerateObject().ToArray();
        var apiKey = schemes.Single(s => s.Value.GetProperty("type").GetString() == "apiKey");
        Assert.Equal("header", apiKey.Value.GetProperty("in").GetString());
        Assert.Equal("X-API-Key", apiKey.Value.GetProperty("name").GetString());
        var bearers = schemes.Where(s => s.Value.GetProperty("type").GetString() == "http"
                                         && string.Equals(s.Value.GetProperty("scheme").GetString(), "bearer", StringComparison.OrdinalIgnoreCase))
            .Select(s => s.Name).ToArray();
        Assert.NotEmpty(bearers);

        // POST /v1/orders accepts either; /health needs neither
        var createOrder = doc.GetProperty("paths").GetProperty("/v1/orders").GetProperty("post");
        var accepted = createOrder.GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name)).ToArray();
        Assert.Contains(apiKey.Name, accepted);
        Assert.Contains(accepted, bearers.Contains);
        var health = doc.GetProperty("paths").GetProperty("/health").GetProperty("get");
        Assert.False(health.TryGetProperty("security", out var healthSecurity) && healthSecurity.GetArrayLength() > 0
                     && healthSecurity.EnumerateArray().Any(r => r.EnumerateObject().Any()),
            "/health is public and must not require a key");
    }

    [Fact]
    public async Task Create_order_documents_its_request_and_response_schemas_in_snake_case()
    {
        var doc = await DocumentAsync();
        var createOrder = doc.GetProperty("paths").GetProperty("/v1/orders").GetProperty("post");

        var request = Resolve(doc, createOrder.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        var requestProperties = PropertyNames(request);
        Assert.Superset(new HashSet<string> { "items", "customer_id", "currency", "merchant_reference_id", "metadata" }, requestProperties);
        Assert.Contains("items", request.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        var item = Resolve(doc, Resolve(doc, request.GetProperty("properties").GetProperty("items")).GetProperty("items"));
        Assert.Superset(new HashSet<string> { "sku_id", "sku_code", "quantity" }, PropertyNames(item));

        var created = Resolve(doc, createOrder.GetProperty("responses").GetProperty("201").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        Assert.Superset(new HashSet<string> { "id", "order_number", "status", "created_at", "customer_id", "currency", "items", "subtotal", "total" },
            PropertyNames(created));
        var line = Resolve(doc, Resolve(doc, created.GetProperty("properties").GetProperty("items")).GetProperty("items"));
        Assert.Superset(new HashSet<string> { "id", "sku_id", "sku_code", "product_id", "product_name", "quantity", "unit_price", "line_total" },
            PropertyNames(line));

        var list = Resolve(doc, doc.GetProperty("paths").GetProperty("/v1/orders").GetProperty("get").GetProperty("responses").GetProperty("200")
            .GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        Assert.Superset(new HashSet<string> { "data", "page", "per_page", "total", "total_exact", "has_more" }, PropertyNames(list));
    }

    [Fact]
    public async Task Every_list_answer_documents_that_total_is_capped_and_when_it_is_exact()
    {
        var doc = await DocumentAsync();

        var lists = doc.GetProperty("components").GetProperty("schemas").EnumerateObject()
            .Where(schema => PropertyNames(schema.Value).Contains("has_more"))
            .ToArray();

        Assert.NotEmpty(lists);
        foreach (var list in lists)
        {
            var properties = list.Value.GetProperty("properties");
            Assert.True(properties.TryGetProperty("total_exact", out var exact), $"{list.Name} lacks total_exact");
            Assert.Equal("boolean", exact.GetProperty("type").GetString());
            Assert.Contains("1,000", exact.GetProperty("description").GetString(), StringComparison.Ordinal);
            Assert.Contains("1,000", properties.GetProperty("total").GetProperty("description").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Every_schema_property_in_the_document_is_snake_case()
    {
        var doc = await DocumentAsync();

        var offenders = doc.GetProperty("components").GetProperty("schemas").EnumerateObject()
            .SelectMany(schema => PropertyNames(schema.Value).Select(p => $"{schema.Name}.{p}"))
            .Where(p => !SnakeCase().IsMatch(p.Split('.')[1]))
            .ToArray();

        Assert.Empty(offenders);
    }

    [Theory]
    [InlineData("/v1/orders", "post", new[] { "400", "401", "404", "409", "413", "422" })]
    [InlineData("/v1/orders", "get", new[] { "400", "401" })]
    [InlineData("/v1/orders/{id}", "get", new[] { "401", "404" })]
    [InlineData("/admin/v1/tenants", "post", new[] { "400", "401" })]
    public async Task Error_answers_are_documented_as_problem_json(string path, string method, string[] statuses)
    {
        var doc = await DocumentAsync();
        var responses = doc.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("responses");

        foreach (var status in statuses)
        {
            Assert.True(responses.TryGetProperty(status, out var response), $"{method.ToUpperInvariant()} {path} does not document {status}");
            Assert.True(response.GetProperty("content").TryGetProperty("application/problem+json", out var media),
                $"{status} of {method.ToUpperInvariant()} {path} is not application/problem+json");
            var schema = Resolve(doc, media.GetProperty("schema"));
            Assert.Superset(new HashSet<string> { "type", "title", "status", "detail", "error", "message", "request_id" }, PropertyNames(schema));
        }
    }

    [Fact]
    public async Task The_documented_required_members_of_an_order_are_present_in_a_real_order()
    {
        var doc = await DocumentAsync();
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();
        var order = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)));
        Assert.Equal(HttpStatusCode.Created, order.Status);
        var created = doc.GetProperty("paths").GetProperty("/v1/orders").GetProperty("post").GetProperty("responses").GetProperty("201");

        var schema = Resolve(doc, created.GetProperty("content").GetProperty("application/json").GetProperty("schema"));

        // a client that validates answers against the document must accept the real answers
        Assert.Empty(MissingRequired(schema, order.Body));
        var lineSchema = Resolve(doc, Resolve(doc, schema.GetProperty("properties").GetProperty("items")).GetProperty("items"));
        Assert.Empty(MissingRequired(lineSchema, order.Body.GetProperty("items")[0]));
    }

    [Fact]
    public async Task The_documented_required_members_of_an_error_are_present_in_a_real_error()
    {
        var doc = await DocumentAsync();
        var tenant = await app.CreateTenantAsync();
        var error = await tenant.Client.GetJsonAsync("/v1/orders/order_unknown");
        Assert.Equal(HttpStatusCode.NotFound, error.Status);
        var notFound = doc.GetProperty("paths").GetProperty("/v1/orders/{id}").GetProperty("get").GetProperty("responses").GetProperty("404");

        var schema = Resolve(doc, notFound.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema"));

        Assert.Empty(MissingRequired(schema, error.Body));
    }

    [Fact]
    public async Task Swagger_ui_is_served_and_reads_the_document()
    {
        using var anonymous = app.Client();

        using var page = await anonymous.GetAsync("/swagger/index.html");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("swagger-ui", html, StringComparison.OrdinalIgnoreCase);

        // the UI's configuration (inline or in index.js) points at the document
        using var script = await anonymous.GetAsync("/swagger/index.js");
        var config = html + (script.IsSuccessStatusCode ? await script.Content.ReadAsStringAsync() : "");
        Assert.Contains("/openapi/v1.json", config, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redocly_lint_finds_no_error_in_the_document()
    {
        var redocly = await Tools.RedoclyAsync();
        using var anonymous = app.Client();
        var file = Path.Combine(Path.GetTempPath(), $"ordercore-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, await anonymous.GetStringAsync("/openapi/v1.json"));
        try
        {
            var (_, output) = await Tools.RunAsync(redocly,
                ["lint", file, "--config", Path.Combine(Tools.RepositoryRoot, "redocly.yaml"), "--format=json"],
                Tools.RepositoryRoot, TimeSpan.FromMinutes(2), new Dictionary<string, string> { ["REDOCLY_TELEMETRY"] = "off", ["NO_COLOR"] = "1" });

            var json = output[output.IndexOf('{', StringComparison.Ordinal)..(output.LastIndexOf('}') + 1)];
            using var report = JsonDocument.Parse(json);
            var errors = report.RootElement.GetProperty("problems").EnumerateArray()
                .Where(p => p.GetProperty("severity").GetString() == "error")
                .Select(p => $"{p.GetProperty("ruleId").GetString()}: {p.GetProperty("message").GetString()} at "
                             + p.GetProperty("location")[0].GetProperty("pointer").GetString())
                .ToArray();
            Assert.True(errors.Length == 0, $"redocly lint reports {errors.Length} error(s):\n{string.Join("\n", errors)}");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Every_post_with_a_key_documents_the_idempotency_key_header_and_replays()
    {
        var doc = await DocumentAsync();

        var posts = Operations(doc).Where(o => o.Method == "post" && !IsPublic(o.Operation)).ToArray();

        Assert.Contains(posts, o => o.Path == "/v1/orders");
        foreach (var (path, _, operation) in posts)
        {
            var header = operation.GetProperty("parameters").EnumerateArray().Select(p => ResolveRef(doc, p))
                .SingleOrDefault(p => p.GetProperty("name").GetString() == "Idempotency-Key");
            Assert.True(header.ValueKind == JsonValueKind.Object, $"POST {path} does not document the Idempotency-Key header");
            Assert.Equal("header", header.GetProperty("in").GetString());
            var success = operation.GetProperty("responses").EnumerateObject().First(r => r.Name.StartsWith('2'));
            Assert.True(success.Value.GetProperty("headers").TryGetProperty("Idempotent-Replayed", out _), $"POST {path} does not document Idempotent-Replayed");
        }
    }

    [Fact]
    public async Task Every_operation_documents_its_headers_rate_limits_and_unavailability()
    {
        var doc = await DocumentAsync();

        foreach (var (path, method, operation) in Operations(doc))
        {
            var name = $"{method.ToUpperInvariant()} {path}";
            var responses = operation.GetProperty("responses");
            foreach (var response in responses.EnumerateObject())
            {
                Assert.True(response.Value.GetProperty("headers").TryGetProperty("X-Request-Id", out _), $"{response.Name} of {name} lacks X-Request-Id");
                if (response.Name == "201")
                {
                    Assert.True(response.Value.GetProperty("headers").TryGetProperty("Location", out _), $"201 of {name} lacks Location");
                }
            }

            Assert.True(responses.TryGetProperty("400", out _), $"{name} does not document 400 (unknown query parameters)");
            if (IsPublic(operation))
            {
                Assert.Equal(0, operation.GetProperty("security").GetArrayLength());
                continue;
            }

            Assert.True(responses.TryGetProperty("503", out var unavailable), $"{name} does not document 503");
            Assert.True(unavailable.GetProperty("headers").TryGetProperty("Retry-After", out _), $"503 of {name} lacks Retry-After");
            var withKey = operation.GetProperty("security").EnumerateArray().Any(r => r.TryGetProperty("ApiKey", out _));
            if (withKey)
            {
                Assert.True(responses.TryGetProperty("429", out var limited), $"{name} does not document 429");
                Assert.True(limited.GetProperty("headers").TryGetProperty("Retry-After", out _), $"429 of {name} lacks Retry-After");
                foreach (var response in responses.EnumerateObject())
                {
                    Assert.True(response.Value.GetProperty("headers").TryGetProperty("RateLimit", out _), $"{response.Name} of {name} lacks RateLimit");
                    Assert.True(response.Value.GetProperty("headers").TryGetProperty("RateLimit-Policy", out _), $"{response.Name} of {name} lacks RateLimit-Policy");
                }
            }
        }
    }

    [Fact]
    public async Task Public_routes_say_security_is_empty_and_keyed_routes_name_their_schemes()
    {
        var doc = await DocumentAsync();

        var health = doc.GetProperty("paths").GetProperty("/health").GetProperty("get");
        Assert.True(health.TryGetProperty("security", out var security) && security.GetArrayLength() == 0, "/health must say security: []");
        // Signed webhooks from other platforms (Stripe, Shopify) carry a signature, not a key.
        Assert.All(Operations(doc).Where(o => o.Path.StartsWith("/v1/", StringComparison.Ordinal) && !IsSignedWebhook(o.Path)),
            o => Assert.False(IsPublic(o.Operation), $"{o.Method} {o.Path} is documented as public"));
    }

    private static bool IsSignedWebhook(string path) =>
        path.StartsWith("/v1/integrations/", StringComparison.Ordinal) && path.EndsWith("/webhook", StringComparison.Ordinal);

    [Fact]
    public async Task Every_request_body_and_answer_has_an_example()
    {
        var doc = await DocumentAsync();

        var missing = new List<string>();
        foreach (var (path, method, operation) in Operations(doc))
        {
            if (operation.TryGetProperty("requestBody", out var body))
            {
                missing.AddRange(body.GetProperty("content").EnumerateObject().Where(m => !m.Value.TryGetProperty("example", out _))
                    .Select(m => $"{method} {path} request {m.Name}"));
            }

            foreach (var response in operation.GetProperty("responses").EnumerateObject())
            {
                missing.AddRange((response.Value.TryGetProperty("content", out var content) ? content.EnumerateObject() : default)
                    .Where(m => !m.Value.TryGetProperty("example", out _)).Select(m => $"{method} {path} {response.Name} {m.Name}"));
            }
        }

        Assert.Empty(missing);
        // the first-order flow uses the README's values
        var order = doc.GetProperty("paths").GetProperty("/v1/orders").GetProperty("post");
        var example = order.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");
        Assert.Equal(1, example.GetProperty("items")[0].GetProperty("quantity").GetInt32());
        var adjust = doc.GetProperty("paths").GetProperty("/v1/inventory/adjust").GetProperty("post");
        Assert.Equal("MUG-RED", adjust.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example")
            .GetProperty("sku_code").GetString());
    }

    [Fact]
    public async Task No_two_paths_differ_only_by_parameter_names()
    {
        var doc = await DocumentAsync();

        var shapes = doc.GetProperty("paths").EnumerateObject().GroupBy(p => ParameterName().Replace(p.Name, "{}"))
            .Where(g => g.Count() > 1).Select(g => string.Join(" vs ", g.Select(p => p.Name))).ToArray();

        Assert.Empty(shapes);
    }

    [Fact]
    public async Task A_real_answer_carries_the_documented_headers()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();

        var created = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)), "openapi-headers-1");
        var replayed = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)), "openapi-headers-1");

        Assert.Equal(HttpStatusCode.Created, created.Status);
        foreach (var header in new[] { "X-Request-Id", "RateLimit", "RateLimit-Policy", "Location" })
        {
            Assert.False(string.IsNullOrEmpty(created.Header(header)), $"the 201 lacks {header}");
        }

        Assert.Equal("true", replayed.Header("Idempotent-Replayed"));
    }

    private static IEnumerable<(string Path, string Method, JsonElement Operation)> Operations(JsonElement doc) =>
        doc.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject()
            .Where(m => m.Name is "get" or "post" or "put" or "patch" or "delete")
            .Select(m => (path.Name, m.Name, m.Value)));

    private static bool IsPublic(JsonElement operation) =>
        operation.TryGetProperty("security", out var security) && security.GetArrayLength() == 0;

    private static JsonElement ResolveRef(JsonElement doc, JsonElement element) =>
        element.TryGetProperty("$ref", out _) ? Resolve(doc, element) : element;

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex ParameterName();

    private async Task<JsonElement> DocumentAsync()
    {
        using var anonymous = app.Client();
        var answer = await anonymous.GetJsonAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("application/json", answer.Message.Content.Headers.ContentType?.MediaType);
        return answer.Body;
    }

    /// <summary>Follows a local <c>$ref</c> (also inside a nullable <c>oneOf</c>/<c>anyOf</c>) to the schema it names.</summary>
    private static JsonElement Resolve(JsonElement doc, JsonElement schema)
    {
        for (var depth = 0; depth < 10; depth++)
        {
            if (schema.TryGetProperty("$ref", out var reference))
            {
                var target = doc;
                foreach (var part in reference.GetString()!.TrimStart('#', '/').Split('/'))
                {
                    target = target.GetProperty(part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
                }

                schema = target;
                continue;
            }

            var alternative = new[] { "oneOf", "anyOf", "allOf" }
                .Where(k => schema.TryGetProperty(k, out _))
                .SelectMany(k => schema.GetProperty(k).EnumerateArray())
                .Where(s => !(s.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "null"))
                .ToArray();
            if (alternative.Length == 1 && !schema.TryGetProperty("properties", out _))
            {
                schema = alternative[0];
                continue;
            }

            return schema;
        }

        throw new InvalidOperationException("$ref chain too deep");
    }

    private static HashSet<string> PropertyNames(JsonElement schema) =>
        schema.TryGetProperty("properties", out var properties)
            ? properties.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal)
            : [];

    private static string[] MissingRequired(JsonElement schema, JsonElement body) =>
        schema.TryGetProperty("required", out var required)
            ? required.EnumerateArray().Select(r => r.GetString()!).Where(name => !body.TryGetProperty(name, out _)).ToArray()
            : [];

    [GeneratedRegex("^[a-z][a-z0-9]*(_[a-z0-9]+)*$")]
    private static partial Regex SnakeCase();
}
