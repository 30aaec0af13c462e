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
    public async Task The_refusal_names_the_part_of_the_rule_the_id_breaks(string path, string body)
    {
        var tenant = await app.CreateTenantAsync();
        var expected = new Dictionary<string, string>
        {
            ["has space"] = "may contain only the characters [A-Za-z0-9._:-]; U+0020 at position 4 is not one of them",
            ["caf\u00e9"] = "may contain only the characters [A-Za-z0-9._:-]; '\u00e9' (U+00E9) at position 4 is not one of them",
            [new string('x', 129)] = "must be 1 to 128 characters of [A-Za-z0-9._:-]; this one has 129",
            ["cust_0123456789abcdef0123456789abcdef"] =
                "must not be shaped like a generated id (a lower-case prefix, '_' and 32 hex digits): those are OrderCore's own",
        };

        foreach (var (id, message) in expected)
        {
            var post = await tenant.Client.PostJsonAsync(path, body.Insert(1, $"\"id\":\"{id}\","));
            post.AssertError(HttpStatusCode.BadRequest, "validation_failed");
            Assert.Equal(message, post.Body.GetProperty("errors").GetProperty("id")[0].GetString());
        }

        var put = await tenant.Client.SendAsync(HttpMethod.Put, $"{path}/a%2Cb", body);
        put.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal("may contain only the characters [A-Za-z0-9._:-]; ',' (U+002C) at position 2 is not one of them",
            put.Body.GetProperty("errors").GetProperty("id")[0].GetString());
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
