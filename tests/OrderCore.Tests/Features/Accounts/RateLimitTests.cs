using System.Net;
using System.Text.RegularExpressions;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Accounts;

public sealed partial class RateLimitTests(AppFixture app)
{
    [Fact]
    public async Task Every_authenticated_answer_carries_the_rate_limit_headers_and_health_does_not()
    {
        var tenant = await app.CreateTenantAsync();

        var first = await tenant.Client.GetJsonAsync("/v1/orders");
        var second = await tenant.Client.GetJsonAsync("/v1/orders/order_unknown");
        using var anonymous = app.Client();
        using var health = await anonymous.GetAsync("/health");
        using var document = await anonymous.GetAsync("/openapi/v1.json");

        Assert.Equal("\"per-key\";q=1000;w=60", first.Header("RateLimit-Policy"));
        Assert.Equal(999, Remaining(first));
        Assert.InRange(ResetSeconds(first), 0, 60);
        Assert.Equal(HttpStatusCode.NotFound, second.Status);
        Assert.Equal(998, Remaining(second));
        Assert.False(health.Headers.Contains("RateLimit-Policy"));
        Assert.False(health.Headers.Contains("RateLimit"));
        Assert.False(document.Headers.Contains("RateLimit"));
    }

    [Fact]
    public async Task Over_the_limit_the_answer_is_429_with_retry_after_and_the_next_window_admits_again()
    {
        await using var factory = new OrderCoreFactory(new Dictionary<string, string?>(app.Settings()) { ["RateLimiting:Window"] = "00:00:01" });
        var baseAddress = factory.Start();
        var (tenantId, _) = await app.CreateTenantOnAsync(baseAddress);
        var (_, key) = await app.IssueKeyAsync(tenantId, ["orders:read"], rateLimitPerMinute: 3, baseAddress: baseAddress);
        using var client = app.Client(key, baseAddress);

        // Requests until the first refusal; a window boundary may fall in between, so there may be more than 3.
        var answers = new List<ApiResponse>();
        while (answers.Count < 20 && (answers.Count == 0 || answers[^1].Status != HttpStatusCode.TooManyRequests))
        {
            answers.Add(await client.GetJsonAsync("/v1/orders"));
        }

        var refused = answers[^1].AssertError(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.Equal("Too many requests", refused.Str("message"));
        Assert.True(int.Parse(refused.Header("Retry-After")!, System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("\"per-key\";q=3;w=1", refused.Header("RateLimit-Policy"));
        Assert.Equal(0, Remaining(refused));
        Assert.True(answers.Count >= 4);
        Assert.Equal(0, Remaining(answers[^2]));
        Assert.All(answers[..^1], a => Assert.Equal(HttpStatusCode.OK, a.Status));

        // The window resets: poll (briefly) until the key is admitted again, with a fresh allowance.
        ApiResponse again;
        var attempts = 0;
        do
        {
            await Task.Delay(100);
            again = await client.GetJsonAsync("/v1/orders");
        }
        while (again.Status == HttpStatusCode.TooManyRequests && ++attempts < 50);

        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(2, Remaining(again));
    }

    [Fact]
    public async Task Each_key_has_its_own_window()
    {
        var tenant = await app.CreateTenantAsync();
        var (_, key) = await app.IssueKeyAsync(tenant.Id, ["orders:read"], rateLimitPerMinute: 1);
        using var limited = app.Client(key);

        Assert.Equal(HttpStatusCode.OK, (await limited.GetJsonAsync("/v1/orders")).Status);
        var refused = (await limited.GetJsonAsync("/v1/orders")).AssertError(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.InRange(int.Parse(refused.Header("Retry-After")!, System.Globalization.CultureInfo.InvariantCulture), 1, 60);

        var other = await tenant.Client.GetJsonAsync("/v1/orders");
        Assert.Equal(HttpStatusCode.OK, other.Status);
        Assert.Equal(999, Remaining(other));
    }

    [Fact]
    public async Task A_refusal_names_the_same_wait_in_retry_after_as_in_the_rate_limit_header()
    {
        var tenant = await app.CreateTenantAsync();
        var (_, key) = await app.IssueKeyAsync(tenant.Id, ["orders:read"], rateLimitPerMinute: 2);
        using var limited = app.Client(key);
        Assert.Equal(HttpStatusCode.OK, (await limited.GetJsonAsync("/v1/orders")).Status);
        Assert.Equal(HttpStatusCode.OK, (await limited.GetJsonAsync("/v1/orders")).Status);

        var refused = (await limited.GetJsonAsync("/v1/orders")).AssertError(HttpStatusCode.TooManyRequests, "rate_limited");

        var retryAfter = int.Parse(refused.Header("Retry-After")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(ResetSeconds(refused), retryAfter);
        Assert.Equal(retryAfter, refused.Body.GetProperty("retry_after").GetInt32());
        Assert.InRange(retryAfter, 1, 60);
    }

    private static int Remaining(ApiResponse answer) =>
        int.Parse(RateLimitHeader().Match(answer.Header("RateLimit") ?? "").Groups["r"].Value, System.Globalization.CultureInfo.InvariantCulture);

    private static int ResetSeconds(ApiResponse answer) =>
        int.Parse(RateLimitHeader().Match(answer.Header("RateLimit") ?? "").Groups["t"].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex("^\"per-key\";r=(?<r>\\d+);t=(?<t>\\d+)$")]
    private static partial Regex RateLimitHeader();
}
