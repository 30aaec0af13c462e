using System.Net;
using System.Text;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Platform;

public sealed class ContentTypeTests(AppFixture app)
{
    [Fact]
    public async Task A_json_endpoint_refuses_another_content_type_with_415_and_stores_nothing_under_the_key()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();
        var json = $$"""{"items":[{"sku_id":"{{sku.SkuId}}","quantity":1}]}""";
        using var form = new HttpRequestMessage(HttpMethod.Post, "/v1/orders") { Content = new StringContent(json, Encoding.UTF8, "application/x-www-form-urlencoded") };
        form.Headers.Add("Idempotency-Key", "typed-wrong");

        var refused = await tenant.Client.SendAsync(form);
        var body = await refused.Content.ReadAsStringAsync();
        var retried = await tenant.Client.PostJsonAsync("/v1/orders", System.Text.Json.JsonDocument.Parse(json).RootElement, "typed-wrong");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);
        Assert.Contains("\"error\":\"unsupported_media_type\"", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, retried.Status);
        Assert.Null(retried.Header("Idempotent-Replayed"));
        Assert.Equal(1, await tenant.CountAsync("orders"));
    }
}
