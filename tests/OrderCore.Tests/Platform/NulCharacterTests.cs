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
}
