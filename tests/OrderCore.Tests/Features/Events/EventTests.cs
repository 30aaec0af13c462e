using System.Net;
using System.Text.Json;
using OrderCore.Tests.Features.Inventory;
using OrderCore.Tests.Features.Orders;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Events;

/// <summary>
/// The transactional outbox and its feed: one event per order change with the conventions' envelope and
/// the order as GET shows it, per-order sequence, once per idempotent request, none on rollback, and
/// GET /v1/events (filters, newest first, cursor) and GET /v1/events/{id}.
/// </summary>
public sealed class EventTests(AppFixture app)
{
    [Fact]
    public async Task Create_confirm_fulfil_write_one_event_each_with_the_order_as_it_was_then()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 10);

        var created = await tenant.PlaceAsync(new
        {
            merchant_reference_id = "cart-9",
            payment = new { provider = "stripe", reference = "pi_1" },
            channel = "web",
            metadata = new { zeta = 1, alpha = "a", middle_key = new { b = 2, a = 1 } },
            items = new[] { new { sku_id = sku.SkuId, quantity = 2 } },
        });
        var id = created.Str("id");
        var afterCreate = await tenant.GetOrderAsync(id);
        var confirmed = await tenant.MoveOkAsync(id, "confirm", "confirmed");
        var afterConfirm = await tenant.GetOrderAsync(id);
        var fulfilled = await tenant.MoveOkAsync(id, "fulfill", "fulfilled");
        var afterFulfil = await tenant.GetOrderAsync(id);

        var feed = await tenant.Client.GetJsonAsync("/v1/events");
        Assert.Equal(HttpStatusCode.OK, feed.Status);
        Assert.Equal(3, feed.Body.GetProperty("total").GetInt32());
        var events = feed.Body.GetProperty("data").EnumerateArray().Reverse().ToList();
        Assert.Equal(["order.created", "order.confirmed", "order.fulfilled"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.GetProperty("sequence").GetInt64()));
        foreach (var (envelope, asAnswered, asFetched) in new[] { (events[0], created, afterCreate), (events[1], confirmed, afterConfirm), (events[2], fulfilled, afterFulfil) })
        {
            AssertEnvelope(envelope);
            Assert.Equal(id, envelope.GetProperty("subject_id").GetString());
            var obj = envelope.GetProperty("data").GetProperty("object");
            Assert.True(JsonElement.DeepEquals(asFetched.Body, obj), $"event {obj}\nGET then {asFetched.Body}");
            Assert.True(JsonElement.DeepEquals(asAnswered.Body, obj), $"event {obj}\nanswer {asAnswered.Body}");
        }

        // each snapshot stays as it was: the created event still shows a pending order
        Assert.Equal("pending", events[0].GetProperty("data").GetProperty("object").GetProperty("status").GetString());
        Assert.Single(events[0].GetProperty("data").GetProperty("object").GetProperty("status_history").EnumerateArray());
    }

    [Fact]
    public async Task Cancel_writes_order_cancelled_with_the_reason_in_the_object()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 10);
        var id = (await tenant.PlaceAsync(Http.Order((sku.SkuId, 1)))).Str("id");

        var cancelled = await tenant.MoveOkAsync(id, "cancel", "cancelled", new { reason = "out of stock at supplier" });

        var list = await tenant.Client.GetJsonAsync("/v1/events?type=order.cancelled");
        var only = Assert.Single(list.Body.GetProperty("data").EnumerateArray());
        AssertEnvelope(only);
        Assert.Equal(2, only.GetProperty("sequence").GetInt64());
        var obj = only.GetProperty("data").GetProperty("object");
        Assert.True(JsonElement.DeepEquals(cancelled.Body, obj), $"event {obj}\nanswer {cancelled.Body}");
        Assert.Equal("out of stock at supplier", obj.GetProperty("status_history")[1].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task An_idempotent_replay_writes_no_second_event()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 10);

        var first = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)), "order-key-1");
        var replay = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)), "order-key-1");
        var id = first.Str("id");
        var cancel = await tenant.MoveAsync(id, "cancel", new { reason = "dup" }, "cancel-key-1");
        var cancelReplay = await tenant.MoveAsync(id, "cancel", new { reason = "dup" }, "cancel-key-1");
        var confirm = await tenant.MoveAsync(id, "confirm", null, "confirm-key-1");
        var confirmReplay = await tenant.MoveAsync(id, "confirm", null, "confirm-key-1");

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal("true", replay.Header("Idempotent-Replayed"));
        Assert.Equal(id, replay.Str("id"));
        Assert.Equal(HttpStatusCode.OK, cancel.Status);
        Assert.Equal(HttpStatusCode.OK, cancelReplay.Status);
        Assert.Equal("true", cancelReplay.Header("Idempotent-Replayed"));
        Assert.Equal(cancel.Body.GetRawText(), cancelReplay.Body.GetRawText());
        confirm.AssertError(HttpStatusCode.Conflict, "invalid_state_transition");
        Assert.Equal("true", confirmReplay.Header("Idempotent-Replayed"));
        Assert.Equal(HttpStatusCode.Conflict, confirmReplay.Status);

        var events = await app.SubjectEventsAsync(tenant, id);
        Assert.Equal(["order.created", "order.cancelled"], events.Select(e => e.Type));
        Assert.Equal(2, (await tenant.Client.GetJsonAsync("/v1/events")).Body.GetProperty("total").GetInt32());
        Assert.Equal(1, await tenant.CountAsync("orders"));
        Assert.Equal([">pending", "pending>cancelled"], OrderCalls.Steps((await tenant.GetOrderAsync(id)).Body));
    }

    [Fact]
    public async Task Parallel_requests_with_one_idempotency_key_write_one_order_created()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 10);

        var answers = await Task.WhenAll(Enumerable.Range(0, 8)
            .Select(_ => Task.Run(() => tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)), "same-key"))));

        Assert.Contains(answers, a => a.Status == HttpStatusCode.Created);
        foreach (var other in answers.Where(a => a.Status != HttpStatusCode.Created))
        {
            other.AssertError(HttpStatusCode.Conflict, "idempotency_key_in_use");
        }

        Assert.Single(answers.Where(a => a.Status == HttpStatusCode.Created).Select(a => a.Str("id")).Distinct());
        Assert.Equal(1, await tenant.CountAsync("orders"));
        Assert.Equal(1, await OrderEventCountAsync(tenant));
    }

    [Fact]
    public async Task A_rolled_back_request_writes_no_event()
    {
        var tenant = await app.CreateTenantAsync();
        var plenty = await tenant.SeedSkuAsync(stock: 10);
        var scarce = await tenant.SeedSkuAsync(stock: 1);

        var noStock = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((scarce.SkuId, 2)));
        var secondLineShort = await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((plenty.SkuId, 1), (scarce.SkuId, 5)));
        var invalid = await tenant.Client.PostJsonAsync("/v1/orders", new { items = new[] { new { sku_id = plenty.SkuId, quantity = 0 } } });
        var unknownCustomer = await tenant.Client.PostJsonAsync("/v1/orders",
            new { customer_id = "cust_nobody", items = new[] { new { sku_id = plenty.SkuId, quantity = 1 } } });

        noStock.AssertError(HttpStatusCode.Conflict, "insufficient_stock");
        secondLineShort.AssertError(HttpStatusCode.Conflict, "insufficient_stock");
        invalid.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(HttpStatusCode.NotFound, unknownCustomer.Status);
        Assert.Equal(0, await tenant.CountAsync("events"));
        Assert.Equal(0, (await tenant.Client.GetJsonAsync("/v1/events")).Body.GetProperty("total").GetInt32());

        var id = (await tenant.PlaceAsync(Http.Order((plenty.SkuId, 1)))).Str("id");
        var forbidden = await tenant.MoveAsync(id, "fulfill");
        var badCancel = await tenant.MoveAsync(id, "cancel", new { reason = new string('x', 501) });
        var stored409 = await tenant.MoveAsync(id, "fulfill", null, "fulfil-too-early");

        forbidden.AssertError(HttpStatusCode.Conflict, "invalid_state_transition");
        badCancel.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        stored409.AssertError(HttpStatusCode.Conflict, "invalid_state_transition");
        var events = await app.SubjectEventsAsync(tenant, id);
        Assert.Equal(["order.created"], events.Select(e => e.Type));
        Assert.Equal(1, await OrderEventCountAsync(tenant));

        // the next change continues the sequence: nothing was consumed by the rolled-back attempts
        await tenant.MoveOkAsync(id, "confirm", "confirmed");
        Assert.Equal([1L, 2L], (await app.SubjectEventsAsync(tenant, id)).Select(e => e.Sequence ?? 0));
    }

    // ---------------------------------------------------------------- inventory.adjusted

    [Fact]
    public async Task Inventory_adjusted_carries_the_level_as_the_api_shows_it_once_per_change_and_none_on_rollback()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 0);
        var location = await app.DefaultLocationIdAsync(tenant);
        var adjust = new { sku_id = sku.SkuId, delta = 7, reason = "received" };

        var adjusted = await tenant.Client.PostJsonAsync("/v1/inventory/adjust", adjust, "adjust-key-1");
        var afterAdjust = Assert.Single((await tenant.Client.GetJsonAsync($"/v1/inventory?sku_id={sku.SkuId}")).Body.GetProperty("data").EnumerateArray());
        var replay = await tenant.Client.PostJsonAsync("/v1/inventory/adjust", adjust, "adjust-key-1");
        var stale = await tenant.Client.PostJsonAsync("/v1/inventory/adjust",
            new { sku_id = sku.SkuId, set_on_hand = 3, expected_on_hand = 2, reason = "count" });
        var tooMuch = await tenant.Client.PostJsonAsync("/v1/inventory/reserve", new { sku_id = sku.SkuId, quantity = 8 });
        var reserved = await tenant.Client.PostJsonAsync("/v1/inventory/reserve", new { sku_id = sku.SkuId, quantity = 2 });
        var released = await tenant.Client.PostJsonAsync("/v1/inventory/release", new { reservation_id = reserved.Str("id") });
        var releasedAgain = await tenant.Client.PostJsonAsync("/v1/inventory/release", new { reservation_id = reserved.Str("id") });

        Assert.Equal(HttpStatusCode.OK, adjusted.Status);
        Assert.Equal("true", replay.Header("Idempotent-Replayed"));
        stale.AssertError(HttpStatusCode.Conflict, "stock_changed");
        tooMuch.AssertError(HttpStatusCode.Conflict, "insufficient_stock");
        Assert.Equal(HttpStatusCode.Created, reserved.Status);
        Assert.Equal(HttpStatusCode.OK, released.Status);
        releasedAgain.AssertError(HttpStatusCode.Conflict, "reservation_not_active");

        var list = await tenant.Client.GetJsonAsync("/v1/events?type=inventory.adjusted");
        var events = list.Body.GetProperty("data").EnumerateArray().Reverse().ToList();
        Assert.Equal(3, list.Body.GetProperty("total").GetInt32());
        Assert.Equal([(7, 0), (7, 2), (7, 0)], events.Select(e =>
            (e.GetProperty("data").GetProperty("object").GetProperty("on_hand").GetInt32(),
                e.GetProperty("data").GetProperty("object").GetProperty("reserved").GetInt32())));
        foreach (var e in events)
        {
            Assert.Matches("^evt_[0-9a-f]{32}$", e.GetProperty("id").GetString());
            Assert.Equal("inventory.adjusted", e.GetProperty("type").GetString());
            Assert.Matches("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$", e.GetProperty("created_at").GetString());
            Assert.Equal("v1", e.GetProperty("api_version").GetString());
            Assert.Equal($"{sku.SkuId}@{location}", e.GetProperty("subject_id").GetString());
            var level = e.GetProperty("data").GetProperty("object");
            Assert.Equal(sku.SkuId, level.GetProperty("sku_id").GetString());
            Assert.Equal(location, level.GetProperty("location_id").GetString());
        }

        var first = events[0].GetProperty("data").GetProperty("object");
        Assert.True(JsonElement.DeepEquals(adjusted.Body, first), $"event {first}\nanswer {adjusted.Body}");
        Assert.True(JsonElement.DeepEquals(afterAdjust, first), $"event {first}\nGET /v1/inventory then {afterAdjust}");
        var last = events[2].GetProperty("data").GetProperty("object");
        Assert.True(JsonElement.DeepEquals(released.Body.GetProperty("level"), last), $"event {last}\nanswer {released.Body}");
    }

    [Fact]
    public async Task Stock_an_order_reserves_releases_or_commits_is_told_by_the_orders_own_events()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 10);

        var shipped = (await tenant.PlaceAsync(Http.Order((sku.SkuId, 2)))).Str("id");
        var cancelled = (await tenant.PlaceAsync(Http.Order((sku.SkuId, 3)))).Str("id");
        await tenant.MoveOkAsync(shipped, "confirm", "confirmed");
        await tenant.MoveOkAsync(shipped, "fulfill", "fulfilled");
        await tenant.MoveOkAsync(cancelled, "cancel", "cancelled");

        var all = await tenant.Client.GetJsonAsync("/v1/events?per_page=100");
        Assert.Equal((8, 0), await tenant.StockAsync(sku.SkuId));
        Assert.Equal(0, (await tenant.Client.GetJsonAsync("/v1/events?type=inventory.adjusted")).Body.GetProperty("total").GetInt32());
        Assert.Equal(["order.cancelled", "order.fulfilled", "order.confirmed", "order.created", "order.created"],
            all.Body.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("type").GetString()));
    }

    // ---------------------------------------------------------------- GET /v1/events

    [Fact]
    public async Task The_feed_is_newest_first_and_walks_every_page_with_starting_after()
    {
        var tenant = await app.CreateTenantAsync();
        var expected = await MakeSevenEventsAsync(tenant);
        var newestFirst = expected.AsEnumerable().Reverse().Select(e => e.Id).ToList();

        var seen = new List<string>();
        var envelopes = new List<JsonElement>();
        string? cursor = null;
        var pages = 0;
        while (true)
        {
            var page = await tenant.Client.GetJsonAsync($"/v1/events?per_page=3{(cursor is null ? "" : $"&starting_after={cursor}")}");
            Assert.True(page.Status == HttpStatusCode.OK, page.Body.ToString());
            Assert.Equal(7, page.Body.GetProperty("total").GetInt32());
            Assert.Equal(3, page.Body.GetProperty("per_page").GetInt32());
            var data = page.Body.GetProperty("data").EnumerateArray().ToList();
            Assert.NotEmpty(data);
            envelopes.AddRange(data);
            seen.AddRange(data.Select(e => e.GetProperty("id").GetString()!));
            pages++;
            Assert.True(pages <= 5, "starting_after does not terminate");
            if (!page.Body.GetProperty("has_more").GetBoolean())
            {
                break;
            }

            cursor = seen[^1];
        }

        Assert.Equal(3, pages);
        Assert.Equal(newestFirst, seen);
        Assert.Equal(expected.AsEnumerable().Reverse().Select(e => e.Type), envelopes.Select(e => e.GetProperty("type").GetString()));
        var times = envelopes.Select(e => DateTimeOffset.Parse(e.GetProperty("created_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(times.OrderDescending(), times);
        Assert.All(envelopes, AssertEnvelope);

        // page numbers give the same order
        var second = await tenant.Client.GetJsonAsync("/v1/events?per_page=3&page=2");
        Assert.Equal(newestFirst[3..6], second.Body.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task The_type_filter_selects_one_type()
    {
        var tenant = await app.CreateTenantAsync();
        var all = await MakeSevenEventsAsync(tenant);

        foreach (var type in new[] { "order.created", "order.confirmed", "order.fulfilled", "order.cancelled" })
        {
            var list = await tenant.Client.GetJsonAsync($"/v1/events?type={type}");
            Assert.Equal(HttpStatusCode.OK, list.Status);
            var expected = all.Where(e => e.Type == type).Select(e => e.Id).Reverse().ToList();
            Assert.Equal(expected, list.Body.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
            Assert.Equal(expected.Count, list.Body.GetProperty("total").GetInt32());
        }

        var created = all.Where(e => e.Type == "order.created").Select(e => e.Id).Reverse().ToList();
        var paged = await tenant.Client.GetJsonAsync($"/v1/events?type=order.created&per_page=1&starting_after={created[0]}");
        Assert.Equal([created[1]], paged.Body.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        Assert.True(paged.Body.GetProperty("has_more").GetBoolean());
        Assert.Equal(0, (await tenant.Client.GetJsonAsync("/v1/events?type=order.deleted")).Body.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Created_after_selects_events_at_or_after_an_instant()
    {
        var tenant = await app.CreateTenantAsync();
        var all = await MakeSevenEventsAsync(tenant);
        // test set-up: event i was created at 09:00 + i minutes
        for (var i = 0; i < all.Count; i++)
        {
            await app.Database.ExecuteAsync("UPDATE events SET created_at = $1 WHERE tenant_id = $2 AND id = $3",
                new DateTimeOffset(2026, 3, 1, 9, i, 0, TimeSpan.Zero), tenant.Id, all[i].Id);
        }

        var fromThird = await tenant.Client.GetJsonAsync("/v1/events?created_after=2026-03-01T09:02:00Z");
        var offset = await tenant.Client.GetJsonAsync($"/v1/events?created_after={Uri.EscapeDataString("2026-03-01T10:05:00+01:00")}");
        var combined = await tenant.Client.GetJsonAsync("/v1/events?created_after=2026-03-01T09:02:30Z&type=order.created");
        var none = await tenant.Client.GetJsonAsync("/v1/events?created_after=2026-03-01T09:06:01Z");

        Assert.Equal(all[2..].Select(e => e.Id).Reverse(), fromThird.Body.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        Assert.Equal(5, fromThird.Body.GetProperty("total").GetInt32());
        Assert.Equal(all[5..].Select(e => e.Id).Reverse(), offset.Body.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        Assert.Equal(all[3..].Where(e => e.Type == "order.created").Select(e => e.Id).Reverse(),
            combined.Body.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        Assert.Equal(0, none.Body.GetProperty("total").GetInt32());
        var shown = fromThird.Body.GetProperty("data")[0];
        Assert.Equal("2026-03-01T09:06:00Z", shown.GetProperty("created_at").GetString());
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2026-03-01")]
    [InlineData("2026-03-01T09:00:00")]
    public async Task An_invalid_created_after_answers_400_validation_failed(string value)
    {
        var tenant = await app.CreateTenantAsync();

        var answer = await tenant.Client.GetJsonAsync($"/v1/events?created_after={Uri.EscapeDataString(value)}");

        answer.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty("created_after", out _), answer.Body.ToString());
    }

    [Fact]
    public async Task Get_by_id_answers_the_envelope_as_listed()
    {
        var tenant = await app.CreateTenantAsync();
        var all = await MakeSevenEventsAsync(tenant);
        var list = await tenant.Client.GetJsonAsync("/v1/events?per_page=100");

        foreach (var listed in list.Body.GetProperty("data").EnumerateArray())
        {
            var one = await tenant.Client.GetJsonAsync($"/v1/events/{listed.GetProperty("id").GetString()}");
            Assert.Equal(HttpStatusCode.OK, one.Status);
            Assert.True(JsonElement.DeepEquals(listed, one.Body), $"listed {listed}\nGET {one.Body}");
        }

        Assert.Equal(all.Count, list.Body.GetProperty("data").GetArrayLength());
        (await tenant.Client.GetJsonAsync("/v1/events/evt_0000000000000000000000000000abcd")).AssertError(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Another_tenants_events_are_invisible()
    {
        var owner = await app.CreateTenantAsync();
        var stranger = await app.CreateTenantAsync();
        var all = await MakeSevenEventsAsync(owner);
        var strangerSku = await stranger.SeedSkuAsync(stock: 5);
        var strangerOrder = (await stranger.PlaceAsync(Http.Order((strangerSku.SkuId, 1)))).Str("id");

        foreach (var e in all)
        {
            (await stranger.Client.GetJsonAsync($"/v1/events/{e.Id}")).AssertError(HttpStatusCode.NotFound, "not_found");
        }

        var theirs = await stranger.Client.GetJsonAsync("/v1/events?per_page=100");
        var created = await stranger.Client.GetJsonAsync("/v1/events?type=order.created");
        var cursor = await stranger.Client.GetJsonAsync($"/v1/events?starting_after=evt_ffffffffffffffffffffffffffffffff");
        var mine = await owner.Client.GetJsonAsync("/v1/events?per_page=100");

        var only = Assert.Single(theirs.Body.GetProperty("data").EnumerateArray());
        Assert.Equal(strangerOrder, only.GetProperty("data").GetProperty("object").GetProperty("id").GetString());
        Assert.Equal(1, theirs.Body.GetProperty("total").GetInt32());
        Assert.Single(created.Body.GetProperty("data").EnumerateArray());
        Assert.Single(cursor.Body.GetProperty("data").EnumerateArray());
        Assert.Equal(7, mine.Body.GetProperty("total").GetInt32());
        Assert.DoesNotContain(mine.Body.GetProperty("data").EnumerateArray(),
            e => e.GetProperty("data").GetProperty("object").GetProperty("id").GetString() == strangerOrder);
    }

    // ---------------------------------------------------------------- helpers

    private Task<long> OrderEventCountAsync(TestTenant tenant) =>
        app.Database.ScalarAsync<long>("SELECT count(*) FROM events WHERE tenant_id = $1 AND type LIKE 'order.%'", tenant.Id);

    /// <summary>
    /// Three orders: A created, confirmed, fulfilled; B created, cancelled; C created, confirmed.
    /// Answers the seven events (id, type) in the order they were written, as the database has them.
    /// </summary>
    private async Task<List<EventRow>> MakeSevenEventsAsync(TestTenant tenant)
    {
        var sku = await tenant.SeedSkuAsync(stock: 10);
        var written = new List<EventRow>();
        async Task StepAsync(string id, string type)
        {
            var events = await app.SubjectEventsAsync(tenant, id);
            var last = events[^1];
            Assert.Equal(type, last.Type);
            written.Add(last);
        }

        var a = (await tenant.PlaceAsync(Http.Order((sku.SkuId, 1)))).Str("id");
        await StepAsync(a, "order.created");
        await tenant.MoveOkAsync(a, "confirm", "confirmed");
        await StepAsync(a, "order.confirmed");
        var b = (await tenant.PlaceAsync(Http.Order((sku.SkuId, 1)))).Str("id");
        await StepAsync(b, "order.created");
        await tenant.MoveOkAsync(a, "fulfill", "fulfilled");
        await StepAsync(a, "order.fulfilled");
        await tenant.MoveOkAsync(b, "cancel", "cancelled");
        await StepAsync(b, "order.cancelled");
        var c = (await tenant.PlaceAsync(Http.Order((sku.SkuId, 1)))).Str("id");
        await StepAsync(c, "order.created");
        await tenant.MoveOkAsync(c, "confirm", "confirmed");
        await StepAsync(c, "order.confirmed");
        return written;
    }

    /// <summary>The conventions' envelope: evt_ id, dot-separated lower-case type, UTC created_at with Z, api_version v1, data.object.</summary>
    private static void AssertEnvelope(JsonElement envelope)
    {
        Assert.Matches("^evt_[0-9a-f]{32}$", envelope.GetProperty("id").GetString());
        Assert.Matches("^[a-z]+(\\.[a-z_]+)+$", envelope.GetProperty("type").GetString());
        Assert.Matches("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$", envelope.GetProperty("created_at").GetString());
        Assert.Equal("v1", envelope.GetProperty("api_version").GetString());
        var obj = envelope.GetProperty("data").GetProperty("object");
        Assert.Equal(JsonValueKind.Object, obj.ValueKind);
        Assert.StartsWith("order_", obj.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal(envelope.GetProperty("subject_id").GetString(), obj.GetProperty("id").GetString());
        Assert.True(envelope.GetProperty("sequence").GetInt64() >= 1);
    }
}
