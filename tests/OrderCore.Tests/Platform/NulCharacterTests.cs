using System.Net;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Platform;

/// <summary>PostgreSQL text cannot hold U+0000: such input is a 400 naming the field, never a 500.</summary>
public sealed class NulCharacterTests(AppFixture app)
{
    [Fact]
    public async Task A_nul_in_a_body_string_or_member_name_is_a_validation_error()
    {
        var tenant = await app.CreateTenantAsync();

        var inMetadata = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/customers", """{"name":"a","metadata":{"k":"x\u0000y"}}""");
        var inKey = await tenant.Client.SendAsync(HttpMethod.Post, "/v1/customers", """{"metadata":{"k\u0000":"v"}}""");

        inMetadata.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(inMetadata.Body.GetProperty("errors").TryGetProperty("metadata.k", out _), inMetadata.Body.ToString());
        inKey.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(0, await tenant.CountAsync("customers"));
    }

    [Theory]
    [InlineData("/v1/events?type=a%00b", "type")]
    [InlineData("/v1/orders?customer_id=a%00b", "customer_id")]
    public async Task A_nul_in_a_query_parameter_is_a_validation_error(string path, string parameter)
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await tenant.Client.GetJsonAsync(path);

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty(parameter, out _));
    }

    [Theory]
    [InlineData("/v1/products/%00")]
    [InlineData("/v1/customers/abc%00def")]
    [InlineData("/ucp/public/checkout/sessions/%00")]
    public async Task A_nul_in_the_path_refused_by_kestrel_is_still_a_problem_json_400(string path)
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await tenant.Client.GetJsonAsync(path);
        var next = await tenant.Client.GetJsonAsync("/v1/products");

        answer.AssertError(HttpStatusCode.BadRequest, "bad_request");
        Assert.Contains("%00", answer.Str("message"));
        // The refused connection is closed; the next request is served as always.
        Assert.Equal(HttpStatusCode.OK, next.Status);
    }

    [Fact]
    public async Task A_rejected_response_is_rewritten_only_when_it_is_kestrels_empty_400()
    {
        var refusal = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\nDate: Mon, 07 Dec 2026 04:00:00 GMT\r\n\r\n"u8;
        var ordinary = "HTTP/1.1 400 Bad Request\r\nContent-Length: 12\r\nContent-Type: application/problem+json\r\n\r\n"u8;

        var rewritten = System.Text.Encoding.UTF8.GetString(OrderCore.Api.Platform.Errors.RejectedRequests.Replacement(refusal)!);

        Assert.Null(OrderCore.Api.Platform.Errors.RejectedRequests.Replacement(ordinary));
        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\nContent-Type: application/problem+json\r\nContent-Length: ", rewritten);
        Assert.Contains("\r\nConnection: close\r\n", rewritten);
        Assert.Contains("\r\nX-Request-Id: req_", rewritten);
        var body = rewritten[(rewritten.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        Assert.Contains("\"error\":\"bad_request\"", body);
    }
}
