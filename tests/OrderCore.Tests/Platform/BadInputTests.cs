using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Platform;

/// <summary>Input that used to answer 500 (issue 18) answers 4xx problem+json.</summary>
public sealed class BadInputTests(AppFixture app)
{
    [Fact]
    public async Task A_json_null_body_is_a_400_not_a_500()
    {
        var tenant = await app.CreateTenantAsync();

        var csv = await SendRawAsync(tenant.Client, "/v1/onboarding/catalog-csv", "null"u8.ToArray());
        var order = await SendRawAsync(tenant.Client, "/v1/orders", "null"u8.ToArray());

        await AssertProblemAsync(csv, HttpStatusCode.BadRequest, "invalid_json");
        await AssertProblemAsync(order, HttpStatusCode.BadRequest, "invalid_json");
    }

    [Fact]
    public async Task A_member_named_twice_is_a_400_on_typed_and_free_form_bodies_alike()
    {
        var tenant = await app.CreateTenantAsync();

        var order = await SendRawAsync(tenant.Client, "/v1/orders", """{"items":[],"items":[{"sku_id":"x","quantity":1}]}"""u8.ToArray());
        var adapter = await SendRawAsync(tenant.Client, "/v1/adapters/erp/configuration", """{"a":1,"a":2}"""u8.ToArray(), HttpMethod.Put);

        Assert.Contains("more than once", (await AssertProblemAsync(order, HttpStatusCode.BadRequest, "validation_failed")).ToString());
        Assert.Contains("more than once", (await AssertProblemAsync(adapter, HttpStatusCode.BadRequest, "validation_failed")).ToString());
    }

    [Fact]
    public async Task A_body_that_is_not_utf8_is_a_400()
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await SendRawAsync(tenant.Client, "/v1/orders", [.. "{\"items\":\""u8, 0xff, 0xfe, .. "\"}"u8]);

        await AssertProblemAsync(answer, HttpStatusCode.BadRequest, "invalid_json");
        Assert.Equal(0, await tenant.CountAsync("orders"));
    }

    [Theory]
    [InlineData("/v1/orders", """{"items":"\ud800"}""")]
    [InlineData("/v1/customers", """{"email":"a\ud800@example.com","name":"x"}""")]
    [InlineData("/v1/customers", """{"\udc00":"x"}""")]
    [InlineData("/v1/orders", """{"items":[{"sku_id":"sku_\ud800","quantity":1}]}""")]
    public async Task An_unpaired_surrogate_escape_is_a_validation_error(string path, string body)
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await SendRawAsync(tenant.Client, path, Encoding.UTF8.GetBytes(body));

        await AssertProblemAsync(answer, HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task A_nul_character_is_still_named_on_its_field()
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await SendRawAsync(tenant.Client, "/v1/customers", """{"email":"a@example.com","name":"a\u0000b"}"""u8.ToArray());

        var problem = await AssertProblemAsync(answer, HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("name", out _), problem.ToString());
    }

    [Fact]
    public async Task A_json_null_body_on_a_body_less_action_is_taken_as_no_body_and_the_answer_is_documented()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();
        var order = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)));
        var id = order.Str("id");

        var confirmed = await SendRawAsync(tenant.Client, $"/v1/orders/{id}/confirm", "null"u8.ToArray());
        var notJson = await SendRawAsync(tenant.Client, $"/v1/orders/{id}/fulfill", "{"u8.ToArray());

        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        await AssertProblemAsync(notJson, HttpStatusCode.BadRequest, "invalid_json");
        using var document = JsonDocument.Parse(await app.Client().GetStringAsync("/openapi/v1.json"));
        var fulfill = document.RootElement.GetProperty("paths").GetProperty("/v1/orders/{id}/fulfill").GetProperty("post").GetProperty("responses");
        Assert.True(fulfill.TryGetProperty("400", out _) && fulfill.TryGetProperty("413", out _), fulfill.ToString());
    }

    private static async Task<HttpResponseMessage> SendRawAsync(HttpClient client, string path, byte[] body, HttpMethod? method = null)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(method ?? HttpMethod.Post, path) { Content = content };
        return await client.SendAsync(request);
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(text);
        Assert.Equal(code, document.RootElement.GetProperty("error").GetString());
        return document.RootElement.Clone();
    }
}
