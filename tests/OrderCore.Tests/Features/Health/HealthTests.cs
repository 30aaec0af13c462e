using System.Net;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Health;

/// <summary><c>GET /health</c>: no auth; 200 when PostgreSQL answers, 503 when it does not.</summary>
public sealed class HealthTests(AppFixture app)
{
    [Fact]
    public async Task Health_answers_200_ok_without_a_key()
    {
        using var anonymous = app.Client();

        var answer = await anonymous.GetJsonAsync("/health");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("application/json", answer.Message.Content.Headers.ContentType?.MediaType);
        Assert.Equal("ok", answer.Str("status"));
        Assert.Equal("ok", answer.Str("database"));
        Assert.False(string.IsNullOrWhiteSpace(answer.Str("version")));
        Assert.StartsWith("req_", answer.Header("X-Request-Id"));
    }

    [Fact]
    public async Task Health_ignores_an_invalid_key()
    {
        using var client = app.Client("oc_live_this_key_does_not_exist_anywhere_at_all_0000");

        var answer = await client.GetJsonAsync("/health");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("ok", answer.Str("status"));
    }

    [Fact]
    public async Task Health_answers_503_database_unreachable_when_postgres_does_not_answer()
    {
        var settings = app.Settings();
        settings["ORDERCORE_DB"] = "Host=127.0.0.1;Port=1;Username=postgres;Database=postgres;Timeout=2;Pooling=false";
        settings["Database:MigrateOnStartup"] = "false";
        await using var factory = new OrderCoreFactory(settings);
        using var anonymous = app.Client(baseAddress: factory.Start());

        var answer = await anonymous.GetJsonAsync("/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.Status);
        Assert.Equal("unreachable", answer.Str("database"));
        Assert.NotEqual("ok", answer.Str("status"));
        Assert.False(string.IsNullOrWhiteSpace(answer.Str("version")));
        Assert.DoesNotContain("Exception", answer.Body.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", answer.Body.GetRawText(), StringComparison.Ordinal);
        Assert.StartsWith("req_", answer.Header("X-Request-Id"));
    }
}
