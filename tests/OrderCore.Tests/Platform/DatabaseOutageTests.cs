using System.Net;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Platform;

/// <summary>
/// Requests while PostgreSQL itself is stopped and started again (<see cref="OwnedPostgres"/>, <c>pg_ctl</c>): reads and
/// keyed writes are retried across the outage and run once; past the retry budget every data route answers 503
/// <c>unavailable</c> with <c>Retry-After</c>, never 500; the app serves again by itself once the database is back.
/// </summary>
public sealed class DatabaseOutageTests(AppFixture app)
{
    [Fact]
    public async Task Reads_and_keyed_writes_wait_out_a_restart_and_the_write_happens_once()
    {
        // A budget far longer than the restart, so the outcome does not depend on how loaded the machine is.
        await using var outage = await Outage.StartAsync(app, budget: TimeSpan.FromSeconds(60));
        using var client = outage.Client;
        const string key = "outage-create-customer";
        var body = new { email = "outage@example.com", name = "Outage" };

        await outage.Postgres.StopAsync();
        var read = client.GetJsonAsync("/v1/customers");
        var write = client.PostJsonAsync("/v1/customers", body, key);
        await Task.Delay(TimeSpan.FromSeconds(1));
        // Still waiting while the database is down: both are retrying, not answered.
        Assert.False(read.IsCompleted, $"The read answered while the database was stopped: {(read.IsCompleted ? (await read).Body : "")}");
        Assert.False(write.IsCompleted, $"The write answered while the database was stopped: {(write.IsCompleted ? (await write).Body : "")}");
        await outage.Postgres.StartAgainAsync();

        Assert.Equal(HttpStatusCode.OK, (await read).Status);
        var created = await write;
        Assert.True(created.Status == HttpStatusCode.Created, created.Body.ToString());
        var replay = await client.PostJsonAsync("/v1/customers", body, key);
        Assert.Equal(HttpStatusCode.Created, replay.Status);
        Assert.Equal("true", replay.Header("Idempotent-Replayed"));
        Assert.Equal(created.Str("id"), replay.Str("id"));
        var list = await client.GetJsonAsync("/v1/customers");
        Assert.Equal(1, list.Body.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task While_the_database_stays_away_data_routes_answer_503_with_Retry_After_and_recover_when_it_returns()
    {
        await using var outage = await Outage.StartAsync(app, budget: TimeSpan.FromSeconds(1));
        using var client = outage.Client;

        await outage.Postgres.StopAsync();
        var read = await client.GetJsonAsync("/v1/orders");
        var keyedWrite = await client.PostJsonAsync("/v1/customers", new { email = "keyed@example.com" }, "outage-keyed");
        var write = await client.PostJsonAsync("/v1/customers", new { email = "plain@example.com" });
        await outage.Postgres.StartAgainAsync();

        foreach (var answer in new[] { read, keyedWrite, write })
        {
            answer.AssertError(HttpStatusCode.ServiceUnavailable, "unavailable");
            Assert.Equal("5", answer.Header("Retry-After"));
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync("/v1/orders")).Status);
        var retried = await client.PostJsonAsync("/v1/customers", new { email = "keyed@example.com" }, "outage-keyed");
        Assert.Equal(HttpStatusCode.Created, retried.Status);
        Assert.Null(retried.Header("Idempotent-Replayed"));
    }

    /// <summary>An app on a cluster of the test's own, with a tenant whose key is already known to it.</summary>
    private sealed class Outage : IAsyncDisposable
    {
        private OrderCoreFactory _factory = null!;

        public OwnedPostgres Postgres { get; private init; } = null!;
        public HttpClient Client { get; private set; } = null!;

        public static async Task<Outage> StartAsync(AppFixture app, TimeSpan budget)
        {
            var outage = new Outage { Postgres = await OwnedPostgres.StartAsync() };
            var settings = app.Settings();
            settings["ORDERCORE_DB"] = await outage.Postgres.CreateDatabaseAsync("ordercore");
            settings["DatabaseRetry:Budget"] = budget.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
            outage._factory = new OrderCoreFactory(settings);
            var baseAddress = outage._factory.Start();
            using var admin = app.AdminClient(baseAddress);
            var tenant = await admin.PostJsonAsync("/admin/v1/tenants", new { name = "Outage" });
            outage.Client = app.Client(tenant.Body.GetProperty("api_key").GetProperty("key").GetString(), baseAddress);
            Assert.Equal(HttpStatusCode.OK, (await outage.Client.GetJsonAsync("/v1/orders")).Status);
            return outage;
        }

        public async ValueTask DisposeAsync()
        {
            await _factory.DisposeAsync();
            await Postgres.DisposeAsync();
        }
    }
}
