using System.Net;
using OrderCore.Tests.Features.Webhooks;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Platform;

/// <summary><c>/health/live</c> and <c>/health/ready</c>: public probes on ASP.NET Core health checks.</summary>
public sealed class HealthProbeTests(AppFixture app)
{
    [Fact]
    public async Task Both_probes_pass_on_a_running_instance_without_a_key()
    {
        using var anonymous = app.Client();

        var live = await anonymous.GetJsonAsync("/health/live");
        var ready = await anonymous.GetJsonAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.Status);
        Assert.Equal("pass", live.Str("status"));
        Assert.Equal(HttpStatusCode.OK, ready.Status);
        Assert.Equal("pass", ready.Str("status"));
        Assert.Equal(["database", "workers"], ready.Body.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToArray());
        Assert.Contains("WebhookDeliveryWorker", ready.Body.GetProperty("checks")[1].GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readiness_fails_and_liveness_holds_while_the_database_is_down_and_both_recover()
    {
        await using var database = await TestDatabase.CreateAsync();
        var settings = app.Settings();
        settings["ORDERCORE_DB"] = database.ConnectionString + ";Timeout=2";
        await using var factory = new OrderCoreFactory(settings);
        var baseAddress = factory.Start();
        using var anonymous = app.Client(baseAddress: baseAddress);
        using var admin = app.AdminClient(baseAddress);
        var tenant = await admin.PostJsonAsync("/admin/v1/tenants", new { name = "Probe" });
        using var client = app.Client(tenant.Body.GetProperty("api_key").GetProperty("key").GetString(), baseAddress);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetJsonAsync("/health/ready")).Status);

        await database.SetConnectionsAllowedAsync(false);
        try
        {
            var ready = default(ApiResponse);
            await Eventually.WaitAsync(async () => (ready = await anonymous.GetJsonAsync("/health/ready")).Status == HttpStatusCode.ServiceUnavailable,
                () => ready?.Body.ToString() ?? "");
            Assert.Equal("fail", ready!.Str("status"));
            Assert.Equal("fail", ready.Body.GetProperty("checks")[0].GetProperty("status").GetString());
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetJsonAsync("/health/live")).Status);
            Assert.Equal("unreachable", (await anonymous.GetJsonAsync("/health")).Str("database"));
            var unavailable = await client.GetJsonAsync("/v1/orders");
            unavailable.AssertError(HttpStatusCode.ServiceUnavailable, "unavailable");
            Assert.Equal("5", unavailable.Header("Retry-After"));
        }
        finally
        {
            await database.SetConnectionsAllowedAsync(true);
        }

        await Eventually.WaitAsync(async () => (await anonymous.GetJsonAsync("/health/ready")).Status == HttpStatusCode.OK);
    }

    [Fact]
    public async Task Readiness_fails_while_migrations_are_not_applied()
    {
        await using var database = await TestDatabase.CreateAsync();
        var settings = app.Settings();
        settings["ORDERCORE_DB"] = database.ConnectionString;
        settings["Database:MigrateOnStartup"] = "false";
        await using var factory = new OrderCoreFactory(settings);
        using var anonymous = app.Client(baseAddress: factory.Start());

        var ready = await anonymous.GetJsonAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        Assert.Contains("not applied", ready.Body.GetProperty("checks")[0].GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetJsonAsync("/health/live")).Status);
    }

    [Fact]
    public async Task The_probe_command_of_the_container_healthcheck_exits_0_when_ready_and_1_otherwise()
    {
        var ready = new Uri(app.BaseAddress, "/health/ready").ToString();

        Assert.Equal(0, await OrderCore.Api.Platform.Health.ProbeCommand.RunAsync(["probe", ready]));
        Assert.Equal(1, await OrderCore.Api.Platform.Health.ProbeCommand.RunAsync(["probe", new Uri(app.BaseAddress, "/no-such-probe").ToString()]));
        Assert.Equal(1, await OrderCore.Api.Platform.Health.ProbeCommand.RunAsync(["probe", "http://127.0.0.1:1/health/ready"]));
    }
}
