using System.Net;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Platform;

/// <summary>One client-chosen-id rule for products, customers and locations (it had drifted: locations accepted generated-looking ids).</summary>
public sealed class ClientChosenIdTests(AppFixture app)
{
    public static TheoryData<string, string> Resources => new()
    {
        { "/v1/products", """{"name":"Mug"}""" },
        { "/v1/customers", """{"email":"a@example.com"}""" },
        { "/v1/locations", """{"code":"WH-ID","name":"Warehouse"}""" },
    };

    [Theory]
    [MemberData(nameof(Resources))]
    public async Task A_generated_looking_or_malformed_id_is_refused_on_post_and_put(string path, string body)
    {
        var tenant = await app.CreateTenantAsync();
        const string generated = "loc_0123456789abcdef0123456789abcdef";

        foreach (var id in new[] { generated, "has space", new string('x', 129) })
        {
            var post = await tenant.Client.PostJsonAsync(path, body.Insert(1, $"\"id\":\"{id}\","));
            post.AssertError(HttpStatusCode.BadRequest, "validation_failed");
            Assert.True(post.Body.GetProperty("errors").TryGetProperty("id", out _), post.Body.ToString());
        }

        var put = await tenant.Client.SendAsync(HttpMethod.Put, $"{path}/{generated}", body);
        put.AssertError(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Theory]
    [MemberData(nameof(Resources))]
    public async Task A_taken_id_answers_409_naming_the_put_that_replaces_it(string path, string body)
    {
        var tenant = await app.CreateTenantAsync();
        var withId = body.Insert(1, "\"id\":\"my-id-1\",");
        Assert.Equal(HttpStatusCode.Created, (await tenant.Client.PostJsonAsync(path, withId)).Status);

        var again = await tenant.Client.PostJsonAsync(path, withId.Replace("WH-ID", "WH-ID2", StringComparison.Ordinal));

        again.AssertError(HttpStatusCode.Conflict, "resource_exists");
        Assert.Contains($"PUT {path}/my-id-1", again.Str("message"), StringComparison.Ordinal);
    }
}
