using System.Net;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Platform;

/// <summary>Failed authentication is limited per client address; valid keys from that address are not slowed.</summary>
public sealed class FailedAuthenticationTests(AppFixture app)
{
    [Fact]
    public async Task Past_the_limit_wrong_keys_get_429_with_retry_after_while_a_valid_key_still_works()
    {
        var settings = app.Settings();
        settings["FailedAuthentication:AttemptsPerMinute"] = "5";
        await using var factory = new OrderCoreFactory(settings);
        var baseAddress = factory.Start();
        using var admin = app.AdminClient(baseAddress);
        var tenant = await admin.PostJsonAsync("/admin/v1/tenants", new { name = "Limited" });
        using var valid = app.Client(tenant.Body.GetProperty("api_key").GetProperty("key").GetString(), baseAddress);
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
}
