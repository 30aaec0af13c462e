using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Orders;

/// <summary>
/// How many times order creation waits for the database. Each command Npgsql sends (a single statement or a batch) is
/// one round trip and one <c>Npgsql</c> activity; the commit, which Npgsql sends without one, is one more. The request is
/// picked out by the trace it continues (<c>traceparent</c>), so other tests' traffic does not count; a request that shows
/// no command at all fails the test (the count would prove nothing).
/// </summary>
public sealed class OrderRoundTripTests : IDisposable
{
    private readonly AppFixture app;
    private readonly ConcurrentQueue<Activity> _commands = new();
    private readonly ActivityListener _listener;

    public OrderRoundTripTests(AppFixture app)
    {
        this.app = app;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _commands.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    [Fact]
    public async Task A_two_line_order_with_an_idempotency_key_takes_five_round_trips()
    {
        var tenant = await app.CreateTenantAsync();
        var a = await tenant.SeedSkuAsync();
        var b = await tenant.SeedSkuAsync();

        var (answer, commands) = await TracedAsync(tenant, Http.Order((a.SkuId, 1), (b.SkuId, 2)), $"rt-{Guid.NewGuid():N}");

        Assert.Equal(HttpStatusCode.Created, answer.Status);
        // Key lock and stored-answer read; the catalog; reservation and number; the inserts with the stored answer. Then COMMIT.
        Assert.True(commands.Count + 1 is > 1 and <= 5, Describe(commands));
        Assert.DoesNotContain(commands, c => c.Contains("SAVEPOINT", StringComparison.OrdinalIgnoreCase));
        Assert.True(commands.Any(c => c.Contains("INSERT INTO idempotency_records", StringComparison.OrdinalIgnoreCase)
            && c.Contains("INSERT INTO orders", StringComparison.OrdinalIgnoreCase)), Describe(commands));
    }

    [Fact]
    public async Task Without_a_key_an_order_takes_four_and_a_refused_one_stops_before_its_number()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 1);

        var (placed, commands) = await TracedAsync(tenant, Http.Order((sku.SkuId, 1)), key: null);
        Assert.Equal(HttpStatusCode.Created, placed.Status);
        Assert.True(commands.Count + 1 is > 1 and <= 4, Describe(commands));

        var (refused, _) = await TracedAsync(tenant, Http.Order((sku.SkuId, 1)), key: null);
        refused.AssertError(HttpStatusCode.Conflict, "insufficient_stock");
        var second = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 0)));
        Assert.Equal(HttpStatusCode.BadRequest, second.Status);
        await tenant.Client.PostJsonAsync("/v1/inventory/adjust", new { sku_id = sku.SkuId, delta = 1, reason = "restock" });
        var next = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)));
        // The refusal drew no number: the batch stopped at the reservation.
        Assert.Equal("OC-000002", next.Str("order_number"));
    }

    [Fact]
    public async Task A_new_orders_answer_is_stored_once_as_its_event_and_replayed_byte_for_byte()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();
        var key = $"once-{Guid.NewGuid():N}";
        using var first = await SendAsync(tenant, key, Http.Order((sku.SkuId, 2)));
        using var replay = await SendAsync(tenant, key, Http.Order((sku.SkuId, 2)));

        var original = await first.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first.Headers.Location, replay.Headers.Location);
        Assert.Equal(original, await replay.Content.ReadAsByteArrayAsync());
        // The record names the order.created event, whose data is the answer, instead of holding the JSON again.
        var orderId = JsonDocument.Parse(original).RootElement.GetProperty("id").GetString()!;
        Assert.Equal(0, await app.Database.ScalarAsync<int>("SELECT length(body) FROM idempotency_records WHERE scope = $1 AND key = $2", tenant.Id, key));
        Assert.Equal(System.Text.Encoding.UTF8.GetString(original), await app.Database.ScalarAsync<string>("""
            SELECT e.data::text FROM idempotency_records i JOIN events e ON e.tenant_id = i.scope AND e.id = i.event_id
            WHERE i.scope = $1 AND i.key = $2 AND e.type = 'order.created' AND e.subject_id = $3
            """, tenant.Id, key, orderId));
    }

    private static async Task<HttpResponseMessage> SendAsync(TestTenant tenant, string key, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/orders") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return await tenant.Client.SendAsync(request);
    }

    private async Task<(ApiResponse Answer, List<string> Commands)> TracedAsync(TestTenant tenant, object body, string? key)
    {
        // A key the instance has seen is answered from its cache, as in steady use; its first request reads it from the database.
        Assert.Equal(HttpStatusCode.OK, (await tenant.Client.GetJsonAsync("/v1/orders")).Status);

        // The request continues this activity's trace: HttpClient sends it as traceparent.
        using var parent = new Activity("order-round-trips").SetIdFormat(ActivityIdFormat.W3C).Start();
        var trace = parent.TraceId;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/orders") { Content = JsonContent.Create(body) };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        using var response = await tenant.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var answer = new ApiResponse(response.StatusCode, JsonDocument.Parse(text.Length == 0 ? "{}" : text).RootElement.Clone(), response);
        var commands = _commands.Where(c => c.TraceId == trace).Select(c => c.DisplayName + ": " + (c.GetTagItem("db.statement") ?? c.GetTagItem("db.query.text"))).ToList();
        return (answer, commands);
    }

    private string Describe(List<string> commands) =>
        $"{commands.Count} commands + COMMIT (of {_commands.Count} seen: {string.Join(", ", _commands.Select(c => c.TraceId).Distinct().Take(5))}):\n"
        + string.Join("\n---\n", commands);

    public void Dispose() => _listener.Dispose();
}
