using System.Net;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Platform;

/// <summary>Failed authentication is limited per client address; valid keys from that address are not slowed.</summary>
public sealed class FailedAuthenticationTests(AppFixture app)
{
    [Fact]
    public async Task Past_the_limit_wrong_keys_get_429_with_retry_after_while_a_valid_key_still_works()
    {
        var (factory, baseAddress, key) = await StartLimitedAsync(5);
        await using var _ = factory;
        using var valid = app.Client(key, baseAddress);
        using var wrong = app.Client("oc_live_" + new string('x', 43), baseAddress);
        using var wrongAdmin = app.Client(baseAddress: baseAddress);
        wrongAdmin.DefaultRequestHeaders.Authorization = new("Bearer", "not-the-admin-token");
        using var anonymous = app.Client(baseAddress: baseAddress);

        var refusals = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            refusals.Add((await wrong.GetJsonAsync("/v1/orders")).Status);
        }

        var limited = await wrong.GetJsonAsync("/v1/orders");
        var limitedAdmin = await wrongAdmin.GetJsonAsync("/admin/v1/tenants");
        var stillValid = await valid.GetJsonAsync("/v1/orders");
        var missingKey = await anonymous.GetJsonAsync("/v1/orders");

        Assert.All(refusals, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        limited.AssertError(HttpStatusCode.TooManyRequests, "rate_limited");
        var retryAfter = int.Parse(limited.Header("Retry-After")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        limitedAdmin.AssertError(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.Equal(HttpStatusCode.OK, stillValid.Status);
        // No credential is no guess: still a 401 that says what is missing.
        missingKey.AssertError(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Wrong_checkout_tokens_and_buyer_links_count_against_the_address_while_a_valid_token_still_works()
    {
        var (factory, baseAddress, key) = await StartLimitedAsync(4);
        await using var _ = factory;
        using var merchant = app.Client(key, baseAddress);
        var minted = await merchant.PostJsonAsync("/v1/account/checkout-access-tokens", new { });
        Assert.Equal(HttpStatusCode.Created, minted.Status);
        using var valid = app.Client(baseAddress: baseAddress);
        valid.DefaultRequestHeaders.Authorization = new("Bearer", minted.Str("token"));
        const string session = "/ucp/public/checkout/sessions/cs_unknown";

        var refusals = new List<HttpStatusCode>();
        foreach (var guess in (string[])["cat_" + new string('x', 43), "cat_" + new string('y', 43), "bl_guessed.link", "bl_another.guess"])
        {
            using var guessing = app.Client(baseAddress: baseAddress);
            guessing.DefaultRequestHeaders.Authorization = new("Bearer", guess);
            refusals.Add((await guessing.GetJsonAsync(session)).Status);
        }

        using var limited = app.Client(baseAddress: baseAddress);
        limited.DefaultRequestHeaders.Authorization = new("Bearer", "cat_" + new string('z', 43));
        var tooMany = await limited.GetJsonAsync(session);
        using var page = app.Client(baseAddress: baseAddress);
        var buyerPage = await page.GetAsync("/direct-ai-buyer-checkout?token=bl_guessed.link");
        var stillValid = await valid.GetJsonAsync(session);

        Assert.All(refusals, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        tooMany.AssertError(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.InRange(int.Parse(tooMany.Header("Retry-After")!, System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.Equal(HttpStatusCode.TooManyRequests, buyerPage.StatusCode);
        Assert.True(buyerPage.Headers.RetryAfter is not null, "the buyer page's 429 says when to come back");
        Assert.Equal(HttpStatusCode.NotFound, stillValid.Status);
    }

    /// <summary>An instance of its own with a low failed-authentication limit, and a tenant's key on it.</summary>
    private async Task<(OrderCoreFactory Factory, Uri BaseAddress, string Key)> StartLimitedAsync(int attemptsPerMinute)
    {
        var settings = app.Settings();
        settings["FailedAuthentication:AttemptsPerMinute"] = attemptsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var factory = new OrderCoreFactory(settings);
        var baseAddress = factory.Start();
        using var admin = app.AdminClient(baseAddress);
        var tenant = await admin.PostJsonAsync("/admin/v1/tenants", new { name = $"Limited {attemptsPerMinute}" });
        Assert.Equal(HttpStatusCode.Created, tenant.Status);
        return (factory, baseAddress, tenant.Body.GetProperty("api_key").GetProperty("key").GetString()!);
    }
}
