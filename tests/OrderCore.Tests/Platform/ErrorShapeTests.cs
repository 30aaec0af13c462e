using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OrderCore.Api.Features.Catalog;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Platform;

/// <summary>Every error code of issue 2, with its status and the one error shape; and X-Request-Id on every answer.</summary>
public sealed class ErrorShapeTests(AppFixture app)
{
    // ---------------------------------------------------------------- 401 unauthorized

    [Fact]
    public async Task No_key_answers_401_missing_api_key()
    {
        using var anonymous = app.Client();

        var answer = await anonymous.GetJsonAsync("/v1/orders");

        answer.AssertError(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("Missing API key", answer.Str("message"));
        AssertNoValidationErrors(answer);
    }

    [Fact]
    public async Task No_key_on_a_post_answers_401_and_creates_nothing()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();
        using var anonymous = app.Client();

        var answer = await anonymous.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)));

        answer.AssertError(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("Missing API key", answer.Str("message"));
        Assert.Equal(0, await tenant.CountAsync("orders"));
    }

    [Theory]
    [InlineData("well-formed-unknown")]
    [InlineData("malformed")]
    [InlineData("wrong-prefix")]
    [InlineData("bearer-unknown")]
    [InlineData("bearer-malformed")]
    public async Task An_unknown_or_malformed_key_answers_401_invalid_api_key(string variant)
    {
        var unknownKey = "oc_live_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        using var client = app.Client();
        var headers = variant switch
        {
            "well-formed-unknown" => new Dictionary<string, string> { ["X-API-Key"] = unknownKey },
            "malformed" => new Dictionary<string, string> { ["X-API-Key"] = "not a key at all" },
            "wrong-prefix" => new Dictionary<string, string> { ["X-API-Key"] = "sk_live_" + new string('a', 40) },
            "bearer-unknown" => new Dictionary<string, string> { ["Authorization"] = $"Bearer {unknownKey}" },
            "bearer-malformed" => new Dictionary<string, string> { ["Authorization"] = "Bearer oc_live_short" },
            _ => throw new ArgumentOutOfRangeException(nameof(variant)),
        };

        var answer = await client.SendAsync(HttpMethod.Get, "/v1/orders", headers: headers);

        answer.AssertError(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("Invalid API key", answer.Str("message"));
        Assert.DoesNotContain(unknownKey, answer.Body.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_valid_key_as_bearer_token_works_like_x_api_key()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(unitPrice: 5.00m, stock: 10);
        using var bearer = app.Client();
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tenant.ApiKey);

        var created = await bearer.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 2)));
        var list = await bearer.GetJsonAsync("/v1/orders");
        var viaHeader = await tenant.Client.GetJsonAsync($"/v1/orders/{created.Str("id")}");

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.Equal(1, list.Body.GetProperty("total").GetInt32());
        Assert.Equal(created.Str("id"), list.Body.GetProperty("data")[0].GetProperty("id").GetString());
        // The order belongs to the key's tenant: the X-API-Key client of the same tenant sees it.
        Assert.Equal(HttpStatusCode.OK, viaHeader.Status);
        Assert.Equal((10, 2), await tenant.StockAsync(sku.SkuId));
    }

    // ---------------------------------------------------------------- 400 validation_failed

    public static TheoryData<string, string, string> InvalidBodies => new()
    {
        // case name, body ({SKU} is replaced by a real sku id), field that must be named in errors
        { "empty items", """{"items":[]}""", "items" },
        { "missing items", """{"currency":"USD"}""", "items" },
        { "quantity zero", """{"items":[{"sku_id":"{SKU}","quantity":0}]}""", "items[0].quantity" },
        { "quantity negative", """{"items":[{"sku_id":"{SKU}","quantity":-3}]}""", "items[0].quantity" },
        { "quantity missing", """{"items":[{"sku_id":"{SKU}"}]}""", "items[0].quantity" },
        { "quantity null", """{"items":[{"sku_id":"{SKU}","quantity":null}]}""", "items[0].quantity" },
        { "quantity a string", """{"items":[{"sku_id":"{SKU}","quantity":"two"}]}""", "items[0].quantity" },
        { "quantity a fraction", """{"items":[{"sku_id":"{SKU}","quantity":1.5}]}""", "items[0].quantity" },
        { "items not an array", """{"items":"{SKU}"}""", "items" },
        { "item not an object", """{"items":[42]}""", "items[0]" },
        { "sku_id a number", """{"items":[{"sku_id":17,"quantity":1}]}""", "items[0].sku_id" },
        { "customer_id an object", """{"customer_id":{"id":"x"},"items":[{"sku_id":"{SKU}","quantity":1}]}""", "customer_id" },
        { "metadata an array", """{"items":[{"sku_id":"{SKU}","quantity":1}],"metadata":[1,2]}""", "metadata" },
        { "unknown root field", """{"items":[{"sku_id":"{SKU}","quantity":1}],"colour":"red"}""", "colour" },
        { "unknown item field", """{"items":[{"sku_id":"{SKU}","quantity":1,"discount":5}]}""", "items[0].discount" },
        { "neither sku_id nor sku_code", """{"items":[{"quantity":1}]}""", "items[0].sku_id" },
        { "both sku_id and sku_code", """{"items":[{"sku_id":"{SKU}","sku_code":"ANY-CODE","quantity":1}]}""", "items[0].sku_id" },
        { "currency not a code", """{"items":[{"sku_id":"{SKU}","quantity":1}],"currency":"dollars"}""", "currency" },
        { "body not an object", """[{"sku_id":"{SKU}","quantity":1}]""", "$" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task An_invalid_order_body_answers_400_validation_failed_naming_the_field(string caseName, string body, string field)
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 10);

        var answer = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/orders", body.Replace("{SKU}", sku.SkuId, StringComparison.Ordinal));

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        var errors = ErrorsOf(answer);
        Assert.True(errors.ContainsKey(field), $"{caseName}: expected errors to name '{field}', got {answer.Body}");
        Assert.All(errors[field], message => Assert.False(string.IsNullOrWhiteSpace(message)));
        Assert.Equal(0, await tenant.CountAsync("orders"));
        Assert.Equal((10, 0), await tenant.StockAsync(sku.SkuId));
    }

    [Fact]
    public async Task Several_rule_violations_are_all_named()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();
        var body = $$"""
            {"items":[{"sku_id":"{{sku.SkuId}}","quantity":0},{"quantity":2},{"sku_id":"{{sku.SkuId}}","quantity":1}],"currency":"dollars"}
            """;

        var answer = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/orders", body);

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        var errors = ErrorsOf(answer);
        Assert.Contains("items[0].quantity", errors.Keys);
        Assert.Contains("items[1].sku_id", errors.Keys);
        Assert.Contains("currency", errors.Keys);
        Assert.DoesNotContain(errors.Keys, k => k.StartsWith("items[2]", StringComparison.Ordinal));
        Assert.Equal(0, await tenant.CountAsync("orders"));
    }

    [Fact]
    public async Task Several_wrong_types_and_unknown_fields_are_all_named()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();
        var body = $$"""
            {"items":[{"sku_id":"{{sku.SkuId}}","quantity":"two"},{"sku_id":"{{sku.SkuId}}","quantity":1},{"sku_id":true,"quantity":1}],
             "currency":7,"shipping":"express"}
            """;

        var answer = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/orders", body);

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        var errors = ErrorsOf(answer);
        Assert.Contains("items[0].quantity", errors.Keys);
        Assert.Contains("items[2].sku_id", errors.Keys);
        Assert.Contains("currency", errors.Keys);
        Assert.Contains("shipping", errors.Keys);
        Assert.DoesNotContain(errors.Keys, k => k.StartsWith("items[1]", StringComparison.Ordinal));
    }

    // ---------------------------------------------------------------- 400 invalid_json

    [Theory]
    [InlineData("""{"items": [""")]
    [InlineData("""{"items": [{"sku_id": "x", "quantity": 1,}]}""")]
    [InlineData("not json at all")]
    [InlineData("""{'items': []}""")]
    public async Task Malformed_json_answers_400_invalid_json(string body)
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/orders", body);

        answer.AssertError(HttpStatusCode.BadRequest, "invalid_json");
        AssertNoValidationErrors(answer);
        Assert.Equal(0, await tenant.CountAsync("orders"));
    }

    [Fact]
    public async Task An_empty_order_body_is_rejected_with_the_error_shape()
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/orders", "");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains(answer.Str("error"), new[] { "invalid_json", "validation_failed" });
        answer.AssertError(HttpStatusCode.BadRequest, answer.Str("error"));
    }

    // ---------------------------------------------------------------- 404 / 405 / 413

    [Theory]
    [InlineData("/v1/does-not-exist", true)]
    [InlineData("/v1/does-not-exist", false)]
    [InlineData("/nothing/here", false)]
    [InlineData("/v2/orders", true)]
    public async Task An_unknown_route_answers_404_not_found(string path, bool withKey)
    {
        var tenant = await app.CreateTenantAsync();
        using var anonymous = app.Client();
        var client = withKey ? tenant.Client : anonymous;

        var answer = await client.GetJsonAsync(path);

        answer.AssertError(HttpStatusCode.NotFound, "not_found");
        AssertNoValidationErrors(answer);
    }

    [Theory]
    [InlineData("DELETE", "/v1/orders")]
    [InlineData("PUT", "/v1/orders")]
    [InlineData("PATCH", "/v1/orders")]
    [InlineData("DELETE", "/health")]
    public async Task A_wrong_method_answers_405_method_not_allowed(string method, string path)
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await tenant.Client.SendAsync(new HttpMethod(method), path);

        answer.AssertError(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
        Assert.Equal(0, await tenant.CountAsync("orders"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_body_over_1_mib_answers_413_payload_too_large(bool chunked)
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();
        var filler = new string('x', (1024 * 1024) + 1024);
        var body = "{\"items\":[{\"sku_id\":\"" + sku.SkuId + "\",\"quantity\":1}],\"metadata\":{\"note\":\"" + filler + "\"}}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/orders")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (chunked)
        {
            request.Headers.TransferEncodingChunked = true;
        }

        var answer = await SendRawAsync(tenant.Client, request);

        answer.AssertError(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        Assert.Equal(0, await tenant.CountAsync("orders"));
    }

    [Fact]
    public async Task A_body_just_under_1_mib_is_not_rejected_for_its_size()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();
        var prefix = $$"""{"items":[{"sku_id":"{{sku.SkuId}}","quantity":1}],"shipping_note":" """;
        var filler = new string(' ', (1024 * 1024) - prefix.Length - 10);
        var body = prefix + filler + "\"}";

        var answer = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/orders", body);

        // Under the limit the body is read and judged on its content: the unknown field, not the size.
        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Contains("shipping_note", ErrorsOf(answer).Keys);
    }

    // ---------------------------------------------------------------- business errors

    [Fact]
    public async Task An_unknown_sku_id_answers_404_sku_not_found_naming_it()
    {
        var tenant = await app.CreateTenantAsync();
        var known = await tenant.SeedSkuAsync(stock: 10);
        const string unknown = "sku_0000000000000000000000000000dead";

        var answer = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((known.SkuId, 1), (unknown, 1)));

        answer.AssertError(HttpStatusCode.NotFound, "sku_not_found");
        Assert.Contains(unknown, answer.Str("message"), StringComparison.Ordinal);
        Assert.Equal(unknown, answer.Str("sku_id"));
        AssertNoValidationErrors(answer);
        Assert.Equal(0, await tenant.CountAsync("orders"));
        Assert.Equal((10, 0), await tenant.StockAsync(known.SkuId));
    }

    [Fact]
    public async Task An_unknown_sku_code_answers_404_sku_not_found_naming_it()
    {
        var tenant = await app.CreateTenantAsync();
        await tenant.SeedSkuAsync(skuCode: "REAL-CODE-1");

        var answer = await tenant.Client.PostJsonAsync("/v1/orders", new { items = new[] { new { sku_code = "NO-SUCH-CODE", quantity = 1 } } });

        answer.AssertError(HttpStatusCode.NotFound, "sku_not_found");
        Assert.Contains("NO-SUCH-CODE", answer.Str("message"), StringComparison.Ordinal);
        Assert.Equal("NO-SUCH-CODE", answer.Str("sku_code"));
        Assert.Equal(0, await tenant.CountAsync("orders"));
    }

    [Fact]
    public async Task An_unknown_customer_answers_404_customer_not_found()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 10);
        const string customerId = "cust_does_not_exist";

        var answer = await tenant.Client.PostJsonAsync("/v1/orders",
            new { customer_id = customerId, items = new[] { new { sku_id = sku.SkuId, quantity = 1 } } });

        answer.AssertError(HttpStatusCode.NotFound, "customer_not_found");
        Assert.Contains(customerId, answer.Str("message"), StringComparison.Ordinal);
        Assert.Equal(0, await tenant.CountAsync("orders"));
        Assert.Equal((10, 0), await tenant.StockAsync(sku.SkuId));
    }

    [Theory]
    [InlineData(ProductStatus.Draft)]
    [InlineData(ProductStatus.Archived)]
    public async Task An_inactive_product_answers_409_product_unavailable(ProductStatus status)
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 10, productStatus: status);

        var answer = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)));

        answer.AssertError(HttpStatusCode.Conflict, "product_unavailable");
        Assert.Contains(sku.SkuCode, answer.Str("message"), StringComparison.Ordinal);
        Assert.Equal(0, await tenant.CountAsync("orders"));
        Assert.Equal((10, 0), await tenant.StockAsync(sku.SkuId));
    }

    [Fact]
    public async Task No_price_in_the_requested_currency_answers_422_price_not_found()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(unitPrice: 12.00m, stock: 10, currency: "USD");

        var answer = await tenant.Client.PostJsonAsync("/v1/orders",
            new { currency = "EUR", items = new[] { new { sku_id = sku.SkuId, quantity = 1 } } });

        answer.AssertError(HttpStatusCode.UnprocessableEntity, "price_not_found");
        Assert.Contains(sku.SkuCode, answer.Str("message"), StringComparison.Ordinal);
        Assert.Contains("EUR", answer.Str("message"), StringComparison.Ordinal);
        Assert.Equal(0, await tenant.CountAsync("orders"));
        Assert.Equal((10, 0), await tenant.StockAsync(sku.SkuId));

        // the same SKU in its priced currency is fine: the 422 was about the currency only
        var usd = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)));
        Assert.Equal(HttpStatusCode.Created, usd.Status);
    }

    [Fact]
    public async Task Not_enough_stock_answers_409_insufficient_stock_naming_the_sku_and_what_is_available()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 2);

        var answer = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 3)));

        answer.AssertError(HttpStatusCode.Conflict, "insufficient_stock");
        Assert.Contains(sku.SkuCode, answer.Str("message"), StringComparison.Ordinal);
        Assert.Equal(2, answer.Body.GetProperty("available").GetInt32());
        Assert.Equal(sku.SkuId, answer.Str("sku_id"));
        AssertNoValidationErrors(answer);
        Assert.Equal(0, await tenant.CountAsync("orders"));
        Assert.Equal((2, 0), await tenant.StockAsync(sku.SkuId));
    }

    // ---------------------------------------------------------------- 500 internal_error

    [Fact]
    public async Task An_unhandled_exception_answers_500_internal_error_without_internals_and_is_not_stored_for_idempotency()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 10);
        var body = $$"""{"items":[{"sku_id":"{{sku.SkuId}}","quantity":2}]}""";
        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = "retry-after-500" };

        await using (var failing = new OrderCoreFactory(app.Settings(), services =>
                     {
                         services.AddHttpContextAccessor();
                         services.AddSingleton<TimeProvider>(sp => new OrderPlacementFailingClock(sp.GetRequiredService<IHttpContextAccessor>()));
                     }))
        {
            using var broken = app.Client(tenant.ApiKey, failing.Start());

            var answer = await broken.SendAsync(HttpMethod.Post, "/v1/orders", body, headers);

            answer.AssertError(HttpStatusCode.InternalServerError, "internal_error");
            AssertNoValidationErrors(answer);
            var text = answer.Body.GetRawText();
            Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
            Assert.DoesNotContain(OrderPlacementFailingClock.Secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain("OrderCore.Api", text, StringComparison.Ordinal);
            Assert.DoesNotContain("PlaceOrder", text, StringComparison.Ordinal);

            // the other routes of that instance are healthy: only order placement fails
            var list = await broken.GetJsonAsync("/v1/orders");
            Assert.Equal(HttpStatusCode.OK, list.Status);
        }

        Assert.Equal(0, await tenant.CountAsync("orders"));
        Assert.Equal((10, 0), await tenant.StockAsync(sku.SkuId));
        Assert.Equal(0, await app.Database.ScalarAsync<long>(
            "SELECT count(*) FROM idempotency_records WHERE scope = $1 AND key = $2", tenant.Id, "retry-after-500"));

        // A healthy instance runs the retry with the same key: a new order, not a replay of the 500.
        var retry = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/orders", body, headers);

        Assert.Equal(HttpStatusCode.Created, retry.Status);
        Assert.Null(retry.Header("Idempotent-Replayed"));
        Assert.Equal(1, await tenant.CountAsync("orders"));
        Assert.Equal((10, 2), await tenant.StockAsync(sku.SkuId));

        var replay = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/orders", body, headers);
        Assert.Equal("true", replay.Header("Idempotent-Replayed"));
        Assert.Equal(retry.Str("id"), replay.Str("id"));
    }

    // ---------------------------------------------------------------- X-Request-Id

    [Fact]
    public async Task A_well_formed_incoming_request_id_is_echoed_and_used_in_the_error_body()
    {
        using var anonymous = app.Client();
        var incoming = $"trace-{Guid.NewGuid():N}:1.2";

        var error = await anonymous.SendAsync(HttpMethod.Get, "/v1/orders", headers: new Dictionary<string, string> { ["X-Request-Id"] = incoming });
        var ok = await anonymous.SendAsync(HttpMethod.Get, "/health", headers: new Dictionary<string, string> { ["X-Request-Id"] = incoming });

        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
        Assert.Equal(incoming, error.Header("X-Request-Id"));
        Assert.Equal(incoming, error.Str("request_id"));
        Assert.Equal(HttpStatusCode.OK, ok.Status);
        Assert.Equal(incoming, ok.Header("X-Request-Id"));
    }

    [Theory]
    [InlineData("has spaces in it")]
    [InlineData("semi;colon")]
    [InlineData("slash/inside")]
    [InlineData("too-long")]
    public async Task A_malformed_incoming_request_id_is_replaced_by_a_generated_one(string incoming)
    {
        if (incoming == "too-long")
        {
            incoming = new string('a', 129);
        }

        using var anonymous = app.Client();

        var error = await anonymous.SendAsync(HttpMethod.Get, "/v1/orders", headers: new Dictionary<string, string> { ["X-Request-Id"] = incoming });

        error.AssertError(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.NotEqual(incoming, error.Header("X-Request-Id"));
        Assert.Matches("^req_[0-9a-f]{32}$", error.Header("X-Request-Id")!);
    }

    [Fact]
    public async Task Every_answer_carries_a_generated_request_id_2xx_included()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();
        using var anonymous = app.Client();

        var answers = new[]
        {
            await anonymous.GetJsonAsync("/health"),
            await tenant.Client.GetJsonAsync("/v1/orders"),
            await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1))),
            await tenant.Client.PostJsonAsync("/v1/onboarding/demo-data", new { }),
            await tenant.Client.GetJsonAsync("/v1/orders/order_unknown"),
            await anonymous.GetJsonAsync("/v1/orders"),
        };

        Assert.Equal(
            new[] { HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.NotFound, HttpStatusCode.Unauthorized },
            answers.Select(a => a.Status).ToArray());
        Assert.All(answers, a => Assert.Matches("^req_[0-9a-f]{32}$", a.Header("X-Request-Id")!));
        Assert.Equal(answers.Length, answers.Select(a => a.Header("X-Request-Id")).Distinct().Count());
        Assert.Equal(answers[4].Header("X-Request-Id"), answers[4].Str("request_id"));
    }

    [Fact]
    public async Task The_swagger_and_openapi_answers_carry_a_request_id_too()
    {
        using var anonymous = app.Client();

        using var doc = await anonymous.GetAsync("/openapi/v1.json");
        using var ui = await anonymous.GetAsync("/swagger/index.html");

        Assert.True(doc.Headers.TryGetValues("X-Request-Id", out var docIds));
        Assert.StartsWith("req_", Assert.Single(docIds));
        Assert.True(ui.Headers.TryGetValues("X-Request-Id", out var uiIds));
        Assert.StartsWith("req_", Assert.Single(uiIds));
    }

    // ---------------------------------------------------------------- helpers

    private static Dictionary<string, string[]> ErrorsOf(ApiResponse answer)
    {
        Assert.True(answer.Body.TryGetProperty("errors", out var errors), $"validation_failed without errors: {answer.Body}");
        Assert.Equal(JsonValueKind.Object, errors.ValueKind);
        return errors.EnumerateObject().ToDictionary(
            p => p.Name,
            p => p.Value.EnumerateArray().Select(m => m.GetString()!).ToArray(),
            StringComparer.Ordinal);
    }

    private static void AssertNoValidationErrors(ApiResponse answer) =>
        Assert.False(answer.Body.TryGetProperty("errors", out _), $"only validation failures carry errors: {answer.Body}");

    private static async Task<ApiResponse> SendRawAsync(HttpClient client, HttpRequestMessage request)
    {
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return new ApiResponse(response.StatusCode, json, response);
    }

    /// <summary>
    /// The system clock, except inside an authenticated <c>POST /v1/orders</c>, where reading the time
    /// throws: order placement fails with an exception the app does not expect, while tenant
    /// authentication (which runs before the user is set) and every other route keep working.
    /// </summary>
    private sealed class OrderPlacementFailingClock(IHttpContextAccessor accessor) : TimeProvider
    {
        public const string Secret = "simulated clock failure 7f3a";

        public override DateTimeOffset GetUtcNow()
        {
            var context = accessor.HttpContext;
            if (context is not null && HttpMethods.IsPost(context.Request.Method)
                && context.Request.Path.StartsWithSegments("/v1/orders", StringComparison.OrdinalIgnoreCase)
                && context.User.Identity?.IsAuthenticated == true)
            {
                throw new InvalidOperationException(Secret);
            }

            return base.GetUtcNow();
        }
    }
}
