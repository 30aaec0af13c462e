using System.Globalization;
using System.Net;
using System.Text.Json;
using OrderCore.Tests.Features.Inventory;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Orders;

/// <summary>
/// The order state machine over real HTTP: every legal and forbidden transition, stock following the
/// order exactly (levels, movements, reservations), status_history, racing transitions, and the
/// payment/channel/source_platform/metadata fields.
/// </summary>
public sealed class OrderLifecycleTests(AppFixture app)
{
    // ---------------------------------------------------------------- legal transitions

    [Fact]
    public async Task Pending_confirmed_fulfilled_commits_every_reservation_exactly()
    {
        var tenant = await app.CreateTenantAsync();
        var a = await tenant.SkuWithStockAsync(10);
        var b = await tenant.SkuWithStockAsync(5);
        var untracked = await tenant.SeedSkuAsync(trackInventory: false);
        var created = await tenant.PlaceAsync(new
        {
            items = new[]
            {
                new { sku_id = a.SkuId, quantity = 2 }, new { sku_id = b.SkuId, quantity = 2 },
                new { sku_id = untracked.SkuId, quantity = 4 }, new { sku_id = a.SkuId, quantity = 1 },
            },
        });
        var id = created.Str("id");
        Assert.Equal("pending", created.Str("status"));
        Assert.Equal((10, 3), await tenant.StockAsync(a.SkuId));
        Assert.Equal((5, 2), await tenant.StockAsync(b.SkuId));

        var confirmed = await tenant.MoveOkAsync(id, "confirm", "confirmed");

        Assert.Equal((10, 3), await tenant.StockAsync(a.SkuId));
        Assert.Equal((5, 2), await tenant.StockAsync(b.SkuId));
        Assert.All(await app.OrderReservationsAsync(tenant, id), r => Assert.Equal("active", r.Status));
        Assert.Equal([">pending", "pending>confirmed"], OrderCalls.Steps(confirmed.Body));

        var fulfilled = await tenant.MoveOkAsync(id, "fulfill", "fulfilled");

        Assert.Equal((7, 0), await tenant.StockAsync(a.SkuId));
        Assert.Equal((3, 0), await tenant.StockAsync(b.SkuId));
        var reservations = await app.OrderReservationsAsync(tenant, id);
        Assert.Equal(2, reservations.Count);
        Assert.All(reservations, r => Assert.Equal("committed", r.Status));
        Assert.Equal(3, reservations.Single(r => r.SkuId == a.SkuId).Quantity);
        Assert.Equal(2, reservations.Single(r => r.SkuId == b.SkuId).Quantity);

        var movements = await app.OrderMovementsAsync(tenant, id);
        Assert.Equal(4, movements.Count);
        foreach (var reservation in reservations)
        {
            var mine = movements.Where(m => m.ReservationId == reservation.Id).OrderBy(m => m.Reason, StringComparer.Ordinal).ToList();
            Assert.Equal(
                [new MovementRow(reservation.SkuId, "commit", -reservation.Quantity, -reservation.Quantity, reservation.Id),
                    new MovementRow(reservation.SkuId, "reserve", 0, reservation.Quantity, reservation.Id)],
                mine);
        }

        Assert.Empty(await app.DriftAsync(tenant));
        Assert.Equal([">pending", "pending>confirmed", "confirmed>fulfilled"], OrderCalls.Steps(fulfilled.Body));
        AssertHistoryShape(fulfilled.Body);
        var fetched = await tenant.GetOrderAsync(id);
        Assert.True(JsonElement.DeepEquals(fulfilled.Body, fetched.Body), $"answer {fulfilled.Body}\nGET {fetched.Body}");
    }

    [Fact]
    public async Task Pending_cancelled_releases_every_reservation_exactly_and_records_reason_and_metadata()
    {
        var tenant = await app.CreateTenantAsync();
        var a = await tenant.SkuWithStockAsync(10);
        var b = await tenant.SkuWithStockAsync(5);
        var id = (await tenant.PlaceAsync(Http.Order((a.SkuId, 3), (b.SkuId, 5)))).Str("id");
        Assert.Equal((5, 5), await tenant.StockAsync(b.SkuId));

        var cancelled = await tenant.MoveOkAsync(id, "cancel", "cancelled",
            new { reason = "customer changed their mind", metadata = new { ticket = "T-1", agent = "ada" } });

        Assert.Equal((10, 0), await tenant.StockAsync(a.SkuId));
        Assert.Equal((5, 0), await tenant.StockAsync(b.SkuId));
        AssertReleasedExactly(await app.OrderReservationsAsync(tenant, id), await app.OrderMovementsAsync(tenant, id), expectedReservations: 2);
        Assert.Empty(await app.DriftAsync(tenant));

        Assert.Equal([">pending", "pending>cancelled"], OrderCalls.Steps(cancelled.Body));
        AssertHistoryShape(cancelled.Body);
        var last = cancelled.Body.GetProperty("status_history")[1];
        Assert.Equal("customer changed their mind", last.GetProperty("reason").GetString());
        Assert.Equal("T-1", last.GetProperty("metadata").GetProperty("ticket").GetString());
        Assert.Equal("ada", last.GetProperty("metadata").GetProperty("agent").GetString());
        var fetched = await tenant.GetOrderAsync(id);
        Assert.True(JsonElement.DeepEquals(cancelled.Body, fetched.Body), $"answer {cancelled.Body}\nGET {fetched.Body}");
    }

    [Fact]
    public async Task Confirmed_cancelled_releases_every_reservation_exactly()
    {
        var tenant = await app.CreateTenantAsync();
        var a = await tenant.SkuWithStockAsync(8);
        var b = await tenant.SkuWithStockAsync(8);
        var id = (await tenant.PlaceAsync(Http.Order((a.SkuId, 8), (b.SkuId, 1)))).Str("id");
        await tenant.MoveOkAsync(id, "confirm", "confirmed");

        var cancelled = await tenant.MoveOkAsync(id, "cancel", "cancelled", new { reason = "fraud check failed" });

        Assert.Equal((8, 0), await tenant.StockAsync(a.SkuId));
        Assert.Equal((8, 0), await tenant.StockAsync(b.SkuId));
        AssertReleasedExactly(await app.OrderReservationsAsync(tenant, id), await app.OrderMovementsAsync(tenant, id), expectedReservations: 2);
        Assert.Empty(await app.DriftAsync(tenant));
        Assert.Equal([">pending", "pending>confirmed", "confirmed>cancelled"], OrderCalls.Steps(cancelled.Body));
        AssertHistoryShape(cancelled.Body);
        var history = cancelled.Body.GetProperty("status_history");
        Assert.Equal(JsonValueKind.Null, history[1].GetProperty("reason").ValueKind);
        Assert.Equal("fraud check failed", history[2].GetProperty("reason").GetString());

        // The released stock is available again: a new order can take all of it.
        await tenant.PlaceAsync(Http.Order((a.SkuId, 8)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("{}")]
    [InlineData("{\"reason\":null,\"metadata\":null}")]
    public async Task Cancel_needs_no_body(string? body)
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(4);
        var id = (await tenant.PlaceAsync(Http.Order((sku.SkuId, 4)))).Str("id");

        var cancelled = await tenant.MoveOkAsync(id, "cancel", "cancelled", body);

        Assert.Equal([">pending", "pending>cancelled"], OrderCalls.Steps(cancelled.Body));
        Assert.Equal(JsonValueKind.Null, cancelled.Body.GetProperty("status_history")[1].GetProperty("reason").ValueKind);
        Assert.Equal((4, 0), await tenant.StockAsync(sku.SkuId));
    }

    [Fact]
    public async Task An_invalid_cancel_body_is_rejected_and_changes_nothing()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(4);
        var id = (await tenant.PlaceAsync(Http.Order((sku.SkuId, 2)))).Str("id");
        var tooManyKeys = Enumerable.Range(0, 51).ToDictionary(i => $"k{i}", i => (object)i);

        var longReason = await tenant.MoveAsync(id, "cancel", new { reason = new string('r', 501) });
        var bigMetadata = await tenant.MoveAsync(id, "cancel", new { reason = "x", metadata = tooManyKeys });
        var notAnObject = await tenant.MoveAsync(id, "cancel", new { metadata = "text" });

        longReason.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(longReason.Body.GetProperty("errors").TryGetProperty("reason", out _), longReason.Body.ToString());
        bigMetadata.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(bigMetadata.Body.GetProperty("errors").TryGetProperty("metadata", out _), bigMetadata.Body.ToString());
        notAnObject.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        var order = await tenant.GetOrderAsync(id);
        Assert.Equal("pending", order.Str("status"));
        Assert.Equal([">pending"], OrderCalls.Steps(order.Body));
        Assert.Equal((4, 2), await tenant.StockAsync(sku.SkuId));
        Assert.All(await app.OrderReservationsAsync(tenant, id), r => Assert.Equal("active", r.Status));
        Assert.Equal(["order.created"], (await app.SubjectEventsAsync(tenant, id)).Select(e => e.Type));
    }

    // ---------------------------------------------------------------- forbidden transitions

    public static TheoryData<string, string, string, string> ForbiddenTransitions => new()
    {
        // path to the state, forbidden action, current status, allowed next (comma-separated)
        { "", "fulfill", "pending", "confirmed,cancelled" },
        { "confirm", "confirm", "confirmed", "fulfilled,cancelled" },
        { "confirm,fulfill", "confirm", "fulfilled", "" },
        { "confirm,fulfill", "cancel", "fulfilled", "" },
        { "confirm,fulfill", "fulfill", "fulfilled", "" },
        { "cancel", "confirm", "cancelled", "" },
        { "cancel", "cancel", "cancelled", "" },
        { "cancel", "fulfill", "cancelled", "" },
        { "confirm,cancel", "confirm", "cancelled", "" },
        { "confirm,cancel", "fulfill", "cancelled", "" },
        { "confirm,cancel", "cancel", "cancelled", "" },
    };

    [Theory]
    [MemberData(nameof(ForbiddenTransitions))]
    public async Task A_forbidden_transition_answers_409_naming_current_status_and_allowed_next_and_changes_nothing(
        string path, string action, string current, string allowedNext)
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(10);
        var id = (await tenant.PlaceAsync(Http.Order((sku.SkuId, 3)))).Str("id");
        foreach (var step in path.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.Equal(HttpStatusCode.OK, (await tenant.MoveAsync(id, step)).Status);
        }

        var before = await tenant.GetOrderAsync(id);
        var stockBefore = await tenant.StockAsync(sku.SkuId);
        var movementsBefore = await tenant.CountAsync("inventory_movements");
        var eventsBefore = await tenant.CountAsync("events");

        var answer = await tenant.MoveAsync(id, action);

        answer.AssertError(HttpStatusCode.Conflict, "invalid_state_transition");
        var allowed = allowedNext.Split(',', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(current, answer.Str("current_status"));
        Assert.Equal(allowed, answer.Body.GetProperty("allowed_next").EnumerateArray().Select(s => s.GetString()!).ToArray());
        var message = answer.Str("message");
        Assert.Contains(id, message, StringComparison.Ordinal);
        Assert.Contains($"is {current}", message, StringComparison.Ordinal);
        if (allowed.Length == 0)
        {
            Assert.Contains("none", message, StringComparison.Ordinal);
        }

        foreach (var next in allowed)
        {
            Assert.Contains(next, message, StringComparison.Ordinal);
        }

        var after = await tenant.GetOrderAsync(id);
        Assert.True(JsonElement.DeepEquals(before.Body, after.Body), $"before {before.Body}\nafter {after.Body}");
        Assert.Equal(stockBefore, await tenant.StockAsync(sku.SkuId));
        Assert.Equal(movementsBefore, await tenant.CountAsync("inventory_movements"));
        Assert.Equal(eventsBefore, await tenant.CountAsync("events"));
        Assert.Empty(await app.DriftAsync(tenant));
    }

    [Theory]
    [InlineData("confirm")]
    [InlineData("cancel")]
    [InlineData("fulfill")]
    public async Task A_transition_of_an_unknown_or_another_tenants_order_answers_404(string action)
    {
        var owner = await app.CreateTenantAsync();
        var stranger = await app.CreateTenantAsync();
        var sku = await owner.SkuWithStockAsync(5);
        var id = (await owner.PlaceAsync(Http.Order((sku.SkuId, 2)))).Str("id");
        if (action == "fulfill")
        {
            await owner.MoveOkAsync(id, "confirm", "confirmed");
        }

        var before = await owner.GetOrderAsync(id);

        (await stranger.MoveAsync(id, action)).AssertError(HttpStatusCode.NotFound, "not_found");
        (await owner.MoveAsync("order_0000000000000000000000000000abcd", action)).AssertError(HttpStatusCode.NotFound, "not_found");
        (await owner.MoveAsync("nonsense", action)).AssertError(HttpStatusCode.NotFound, "not_found");

        var after = await owner.GetOrderAsync(id);
        Assert.True(JsonElement.DeepEquals(before.Body, after.Body), $"before {before.Body}\nafter {after.Body}");
        Assert.Equal((5, 2), await owner.StockAsync(sku.SkuId));
        Assert.Equal(0, await stranger.CountAsync("events"));
    }

    // ---------------------------------------------------------------- races (real parallel requests)

    [Fact]
    public async Task Parallel_confirm_and_cancel_of_each_order_serialize_and_keep_stock_exact()
    {
        const int orders = 15;
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(100);
        var ids = new List<string>();
        for (var i = 0; i < orders; i++)
        {
            ids.Add((await tenant.PlaceAsync(Http.Order((sku.SkuId, 2)))).Str("id"));
        }

        Assert.Equal((100, 2 * orders), await tenant.StockAsync(sku.SkuId));

        var pairs = await Task.WhenAll(ids.Select(async id =>
        {
            var confirm = Task.Run(() => tenant.MoveAsync(id, "confirm"));
            var cancel = Task.Run(() => tenant.MoveAsync(id, "cancel", new { reason = "race" }));
            return (Id: id, Confirm: await confirm, Cancel: await cancel);
        }));

        foreach (var (id, confirm, cancel) in pairs)
        {
            // cancel is legal from pending and from confirmed, so it always succeeds; confirm succeeds only if it came first
            Assert.True(cancel.Status == HttpStatusCode.OK, cancel.Body.ToString());
            Assert.Equal("cancelled", cancel.Str("status"));
            var order = await tenant.GetOrderAsync(id);
            if (confirm.Status == HttpStatusCode.OK)
            {
                Assert.Equal("confirmed", confirm.Str("status"));
                Assert.Equal([">pending", "pending>confirmed", "confirmed>cancelled"], OrderCalls.Steps(order.Body));
            }
            else
            {
                confirm.AssertError(HttpStatusCode.Conflict, "invalid_state_transition");
                Assert.Equal("cancelled", confirm.Str("current_status"));
                Assert.Equal([">pending", "pending>cancelled"], OrderCalls.Steps(order.Body));
            }

            AssertHistoryShape(order.Body);
            AssertReleasedExactly(await app.OrderReservationsAsync(tenant, id), await app.OrderMovementsAsync(tenant, id), expectedReservations: 1);
            var events = await app.SubjectEventsAsync(tenant, id);
            Assert.Single(events, e => e.Type == "order.cancelled");
            Assert.Equal(confirm.Status == HttpStatusCode.OK ? 1 : 0, events.Count(e => e.Type == "order.confirmed"));
            Assert.Equal(Enumerable.Range(1, events.Count).Select(n => (long?)n), events.Select(e => e.Sequence));
        }

        Assert.Equal((100, 0), await tenant.StockAsync(sku.SkuId));
        Assert.Empty(await app.DriftAsync(tenant));
    }

    [Fact]
    public async Task Ten_parallel_cancels_of_one_order_release_its_stock_once()
    {
        var tenant = await app.CreateTenantAsync();
        var a = await tenant.SkuWithStockAsync(30);
        var b = await tenant.SkuWithStockAsync(30);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await tenant.PlaceAsync(Http.Order((a.SkuId, 4), (b.SkuId, 1)))).Str("id"));
        }

        await tenant.MoveOkAsync(ids[2], "confirm", "confirmed");

        var answers = await Task.WhenAll(ids.SelectMany(id => Enumerable.Range(0, 10)
            .Select(i => Task.Run(async () => (Id: id, Answer: await tenant.MoveAsync(id, "cancel", new { reason = $"cancel {i}" }))))));

        foreach (var id in ids)
        {
            var mine = answers.Where(x => x.Id == id).Select(x => x.Answer).ToList();
            var winner = Assert.Single(mine, x => x.Status == HttpStatusCode.OK);
            Assert.Equal("cancelled", winner.Str("status"));
            foreach (var loser in mine.Where(x => x.Status != HttpStatusCode.OK))
            {
                loser.AssertError(HttpStatusCode.Conflict, "invalid_state_transition");
                Assert.Equal("cancelled", loser.Str("current_status"));
                Assert.Empty(loser.Body.GetProperty("allowed_next").EnumerateArray());
            }

            var order = await tenant.GetOrderAsync(id);
            Assert.Single(OrderCalls.Steps(order.Body), s => s.EndsWith(">cancelled", StringComparison.Ordinal));
            AssertReleasedExactly(await app.OrderReservationsAsync(tenant, id), await app.OrderMovementsAsync(tenant, id), expectedReservations: 2);
            Assert.Single(await app.SubjectEventsAsync(tenant, id), e => e.Type == "order.cancelled");
        }

        Assert.Equal((30, 0), await tenant.StockAsync(a.SkuId));
        Assert.Equal((30, 0), await tenant.StockAsync(b.SkuId));
        Assert.Empty(await app.DriftAsync(tenant));
    }

    [Fact]
    public async Task Parallel_fulfil_and_cancel_of_confirmed_orders_let_exactly_one_win_and_keep_stock_exact()
    {
        const int orders = 12;
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(100);
        var ids = new List<string>();
        for (var i = 0; i < orders; i++)
        {
            var id = (await tenant.PlaceAsync(Http.Order((sku.SkuId, 3)))).Str("id");
            await tenant.MoveOkAsync(id, "confirm", "confirmed");
            ids.Add(id);
        }

        var pairs = await Task.WhenAll(ids.Select(async id =>
        {
            var fulfil = Task.Run(() => tenant.MoveAsync(id, "fulfill"));
            var cancel = Task.Run(() => tenant.MoveAsync(id, "cancel"));
            return (Id: id, Fulfil: await fulfil, Cancel: await cancel);
        }));

        var fulfilled = 0;
        foreach (var (id, fulfil, cancel) in pairs)
        {
            Assert.True((fulfil.Status == HttpStatusCode.OK) ^ (cancel.Status == HttpStatusCode.OK),
                $"exactly one must win: fulfill {(int)fulfil.Status} {fulfil.Body}, cancel {(int)cancel.Status} {cancel.Body}");
            var (winner, loser, final, reservationStatus) = fulfil.Status == HttpStatusCode.OK
                ? (fulfil, cancel, "fulfilled", "committed")
                : (cancel, fulfil, "cancelled", "released");
            Assert.Equal(final, winner.Str("status"));
            loser.AssertError(HttpStatusCode.Conflict, "invalid_state_transition");
            Assert.Equal(final, loser.Str("current_status"));
            fulfilled += final == "fulfilled" ? 1 : 0;

            var order = await tenant.GetOrderAsync(id);
            Assert.Equal([">pending", "pending>confirmed", $"confirmed>{final}"], OrderCalls.Steps(order.Body));
            var reservation = Assert.Single(await app.OrderReservationsAsync(tenant, id));
            Assert.Equal(reservationStatus, reservation.Status);
            var settled = (await app.OrderMovementsAsync(tenant, id)).Where(m => m.Reason != "reserve").ToList();
            var movement = Assert.Single(settled);
            Assert.Equal(final == "fulfilled" ? "commit" : "release", movement.Reason);
            Assert.Equal(final == "fulfilled" ? -3 : 0, movement.OnHandDelta);
            Assert.Equal(-3, movement.ReservedDelta);
            var events = await app.SubjectEventsAsync(tenant, id);
            Assert.Equal(["order.created", "order.confirmed", $"order.{final}"], events.Select(e => e.Type));
            Assert.Equal([1L, 2L, 3L], events.Select(e => e.Sequence ?? 0));
        }

        Assert.Equal((100 - (3 * fulfilled), 0), await tenant.StockAsync(sku.SkuId));
        Assert.Empty(await app.DriftAsync(tenant));
    }

    [Fact]
    public async Task Confirm_fulfil_and_two_cancels_in_parallel_apply_only_in_a_legal_order()
    {
        const int orders = 10;
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(50);
        var ids = new List<string>();
        for (var i = 0; i < orders; i++)
        {
            ids.Add((await tenant.PlaceAsync(Http.Order((sku.SkuId, 2)))).Str("id"));
        }

        string[] actions = ["confirm", "fulfill", "cancel", "cancel"];
        var runs = await Task.WhenAll(ids.Select(async id =>
            (Id: id, Answers: await Task.WhenAll(actions.Select(action => Task.Run(async () => (Action: action, Answer: await tenant.MoveAsync(id, action))))))));

        var shipped = 0;
        foreach (var (id, answers) in runs)
        {
            var order = await tenant.GetOrderAsync(id);
            var steps = OrderCalls.Steps(order.Body);
            string[][] legal = [[">pending", "pending>cancelled"], [">pending", "pending>confirmed", "confirmed>cancelled"],
                [">pending", "pending>confirmed", "confirmed>fulfilled"]];
            Assert.Contains(legal, l => l.SequenceEqual(steps));
            AssertHistoryShape(order.Body);

            // every successful answer is one step of the history, and every rejected one is a 409
            var succeeded = answers.Where(a => a.Answer.Status == HttpStatusCode.OK).Select(a => a.Answer.Str("status")).Order(StringComparer.Ordinal);
            Assert.Equal(steps.Skip(1).Select(s => s.Split('>')[1]).Order(StringComparer.Ordinal), succeeded);
            foreach (var (_, rejected) in answers.Where(a => a.Answer.Status != HttpStatusCode.OK))
            {
                rejected.AssertError(HttpStatusCode.Conflict, "invalid_state_transition");
            }

            var final = order.Str("status");
            var reservation = Assert.Single(await app.OrderReservationsAsync(tenant, id));
            Assert.Equal(final == "fulfilled" ? "committed" : "released", reservation.Status);
            var movements = await app.OrderMovementsAsync(tenant, id);
            Assert.Equal(["reserve", final == "fulfilled" ? "commit" : "release"], movements.Select(m => m.Reason).OrderByDescending(r => r == "reserve"));
            var events = await app.SubjectEventsAsync(tenant, id);
            Assert.Equal(steps.Select(s => s.StartsWith('>') ? "order.created" : $"order.{s.Split('>')[1]}"), events.Select(e => e.Type));
            Assert.Equal(Enumerable.Range(1, steps.Length).Select(n => (long?)n), events.Select(e => e.Sequence));
            shipped += final == "fulfilled" ? 2 : 0;
        }

        Assert.Equal((50 - shipped, 0), await tenant.StockAsync(sku.SkuId));
        Assert.Empty(await app.DriftAsync(tenant));
    }

    [Theory]
    [InlineData("cancel")]
    [InlineData("fulfill")]
    public async Task A_transition_racing_a_direct_release_of_the_orders_reservation_succeeds_and_settles_it_once(string action)
    {
        // Orders' reservations are the same records as POST /v1/inventory/reserve's and may be released by
        // id. A cancel or fulfil racing such a release must still succeed (never 500), and each reservation
        // is settled exactly once: released by whichever came first, or committed before the release.
        const int orders = 12;
        var tenant = await app.CreateTenantAsync();
        var a = await tenant.SkuWithStockAsync(100);
        var b = await tenant.SkuWithStockAsync(100);
        var ids = new List<string>();
        for (var i = 0; i < orders; i++)
        {
            var id = (await tenant.PlaceAsync(Http.Order((a.SkuId, 2), (b.SkuId, 1)))).Str("id");
            if (action == "fulfill")
            {
                await tenant.MoveOkAsync(id, "confirm", "confirmed");
            }

            ids.Add(id);
        }

        var runs = await Task.WhenAll(ids.Select(async id =>
        {
            var reservationId = (await app.OrderReservationsAsync(tenant, id)).Single(r => r.SkuId == b.SkuId).Id;
            var release = Task.Run(() => tenant.ReleaseAsync(new { reservation_id = reservationId }));
            var move = Task.Run(() => tenant.MoveAsync(id, action));
            return (Id: id, Release: await release, Move: await move);
        }));

        var final = action == "cancel" ? "cancelled" : "fulfilled";
        var shippedOfB = 0;
        foreach (var (id, release, move) in runs)
        {
            Assert.True(move.Status == HttpStatusCode.OK, $"{action}: {(int)move.Status} {move.Body}");
            Assert.Equal(final, move.Str("status"));
            if (release.Status != HttpStatusCode.OK)
            {
                release.AssertError(HttpStatusCode.Conflict, "reservation_not_active");
            }

            var reservations = await app.OrderReservationsAsync(tenant, id);
            var movements = await app.OrderMovementsAsync(tenant, id);
            Assert.Equal(2, reservations.Count);
            foreach (var reservation in reservations)
            {
                var settled = Assert.Single(movements, m => m.ReservationId == reservation.Id && m.Reason != "reserve");
                Assert.Equal(reservation.Status == "committed" ? "commit" : "release", settled.Reason);
                Assert.NotEqual("active", reservation.Status);
            }

            var ofB = reservations.Single(r => r.SkuId == b.SkuId);
            Assert.Equal(release.Status == HttpStatusCode.OK ? "released" : final == "cancelled" ? "released" : "committed", ofB.Status);
            shippedOfB += ofB.Status == "committed" ? 1 : 0;
            Assert.Equal(final == "cancelled" ? "released" : "committed", reservations.Single(r => r.SkuId == a.SkuId).Status);
            Assert.Single(await app.SubjectEventsAsync(tenant, id), e => e.Type == $"order.{final}");
        }

        Assert.Equal(final == "cancelled" ? (100, 0) : (100 - (2 * orders), 0), await tenant.StockAsync(a.SkuId));
        Assert.Equal((100 - shippedOfB, 0), await tenant.StockAsync(b.SkuId));
        Assert.Empty(await app.DriftAsync(tenant));
    }

    // ---------------------------------------------------------------- payment, channel, source_platform, metadata

    [Fact]
    public async Task Payment_channel_source_platform_and_metadata_are_stored_and_returned()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(5);

        var created = await tenant.PlaceAsync(new
        {
            items = new[] { new { sku_id = sku.SkuId, quantity = 1 } },
            payment = new { provider = "stripe", reference = "pi_3MtwBwLkdIwHu7ix28a3tqPa" },
            channel = "web-storefront",
            source_platform = "shopify",
            metadata = new { cart_id = "c-77", gift = true, lines = 3, nested = new { utm = "spring" } },
        });
        var plain = await tenant.PlaceAsync(new
        {
            items = new[] { new { sku_id = sku.SkuId, quantity = 1 } }, payment = new { provider = "paypal" },
        });
        var bare = await tenant.PlaceAsync(Http.Order((sku.SkuId, 1)));
        var fetched = await tenant.GetOrderAsync(created.Str("id"));
        var listed = (await tenant.Client.GetJsonAsync("/v1/orders")).Body.GetProperty("data").EnumerateArray()
            .Single(o => o.GetProperty("id").GetString() == created.Str("id"));
        var confirmed = await tenant.MoveOkAsync(created.Str("id"), "confirm", "confirmed");

        foreach (var order in new[] { created.Body, fetched.Body, listed, confirmed.Body })
        {
            Assert.Equal("stripe", order.GetProperty("payment").GetProperty("provider").GetString());
            Assert.Equal("pi_3MtwBwLkdIwHu7ix28a3tqPa", order.GetProperty("payment").GetProperty("reference").GetString());
            Assert.Equal("web-storefront", order.GetProperty("channel").GetString());
            Assert.Equal("shopify", order.GetProperty("source_platform").GetString());
            var metadata = order.GetProperty("metadata");
            Assert.Equal("c-77", metadata.GetProperty("cart_id").GetString());
            Assert.True(metadata.GetProperty("gift").GetBoolean());
            Assert.Equal(3, metadata.GetProperty("lines").GetInt32());
            Assert.Equal("spring", metadata.GetProperty("nested").GetProperty("utm").GetString());
        }

        Assert.Equal("paypal", plain.Body.GetProperty("payment").GetProperty("provider").GetString());
        Assert.Equal(JsonValueKind.Null, plain.Body.GetProperty("payment").GetProperty("reference").ValueKind);
        foreach (var name in new[] { "payment", "channel", "source_platform", "metadata", "customer_id", "merchant_reference_id" })
        {
            Assert.Equal(JsonValueKind.Null, bare.Body.GetProperty(name).ValueKind);
        }
    }

    [Fact]
    public async Task Metadata_is_limited_to_50_keys_and_8_KiB()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(10);
        object Body(object metadata) => new { items = new[] { new { sku_id = sku.SkuId, quantity = 1 } }, metadata };
        var fifty = Enumerable.Range(0, 50).ToDictionary(i => $"key{i}", i => (object)$"value {i}");
        var fiftyOne = Enumerable.Range(0, 51).ToDictionary(i => $"key{i}", i => (object)$"value {i}");
        // {"k":"xxx..."} is 8 characters plus the value: 8184 x makes exactly 8192 bytes
        var atLimit = new Dictionary<string, object> { ["k"] = new string('x', 8184) };
        var overLimit = new Dictionary<string, object> { ["k"] = new string('x', 8185) };

        var okKeys = await tenant.Client.PostJsonAsync("/v1/orders", Body(fifty));
        var okSize = await tenant.Client.PostJsonAsync("/v1/orders", Body(atLimit));
        var tooManyKeys = await tenant.Client.PostJsonAsync("/v1/orders", Body(fiftyOne));
        var tooBig = await tenant.Client.PostJsonAsync("/v1/orders", Body(overLimit));
        var notAnObject = await tenant.Client.PostJsonAsync("/v1/orders", Body(new[] { 1, 2 }));

        Assert.True(okKeys.Status == HttpStatusCode.Created, okKeys.Body.ToString());
        Assert.Equal(50, okKeys.Body.GetProperty("metadata").EnumerateObject().Count());
        Assert.True(okSize.Status == HttpStatusCode.Created, okSize.Body.ToString());
        foreach (var rejected in new[] { tooManyKeys, tooBig, notAnObject })
        {
            rejected.AssertError(HttpStatusCode.BadRequest, "validation_failed");
            Assert.True(rejected.Body.GetProperty("errors").TryGetProperty("metadata", out _), rejected.Body.ToString());
        }

        Assert.Equal(2, await tenant.CountAsync("orders"));
        Assert.Equal((10, 2), await tenant.StockAsync(sku.SkuId));
    }

    [Fact]
    public async Task The_8_KiB_of_metadata_are_utf8_bytes_not_escaped_characters()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(10);
        object Body(string note) => new { items = new[] { new { sku_id = sku.SkuId, quantity = 1 } }, metadata = new { note } };

        // 2,700 x "あ" is 8,100 bytes of UTF-8 (8,111 as {"note":"..."}), though 16,200 characters once \u-escaped
        var japanese = await tenant.Client.PostJsonAsync("/v1/orders", Body(new string('あ', 2700)));
        // 3,000 x "é" is 6,000 bytes; 2,728 x "あ" is 8,184 bytes, 8,195 with the rest: over
        var accented = await tenant.Client.PostJsonAsync("/v1/orders", Body(new string('é', 3000)));
        var over = await tenant.Client.PostJsonAsync("/v1/orders", Body(new string('あ', 2728)));
        // characters the default JSON encoder escapes (<, >, &, ') count once each as well
        var html = await tenant.Client.PostJsonAsync("/v1/orders", Body(string.Concat(Enumerable.Repeat("<b>&'", 1600))));

        Assert.True(japanese.Status == HttpStatusCode.Created, japanese.Body.ToString());
        Assert.Equal(new string('あ', 2700), japanese.Body.GetProperty("metadata").GetProperty("note").GetString());
        Assert.True(accented.Status == HttpStatusCode.Created, accented.Body.ToString());
        Assert.True(html.Status == HttpStatusCode.Created, html.Body.ToString());
        over.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(over.Body.GetProperty("errors").TryGetProperty("metadata", out _), over.Body.ToString());
    }

    [Fact]
    public async Task Payment_without_provider_and_overlong_channel_are_rejected()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(10);
        var items = new[] { new { sku_id = sku.SkuId, quantity = 1 } };

        var noProvider = await tenant.Client.PostJsonAsync("/v1/orders", new { items, payment = new { reference = "pi_1" } });
        var longChannel = await tenant.Client.PostJsonAsync("/v1/orders", new { items, channel = new string('c', 129) });
        var longPlatform = await tenant.Client.PostJsonAsync("/v1/orders", new { items, source_platform = new string('s', 129) });

        noProvider.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Contains(noProvider.Body.GetProperty("errors").EnumerateObject(), e => e.Name.Contains("provider", StringComparison.Ordinal));
        longChannel.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(longChannel.Body.GetProperty("errors").TryGetProperty("channel", out _), longChannel.Body.ToString());
        longPlatform.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(longPlatform.Body.GetProperty("errors").TryGetProperty("source_platform", out _), longPlatform.Body.ToString());
        Assert.Equal(0, await tenant.CountAsync("orders"));
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>Every reservation released once: one reserve and one release movement each, nothing committed.</summary>
    private static void AssertReleasedExactly(List<ReservationRow> reservations, List<MovementRow> movements, int expectedReservations)
    {
        Assert.Equal(expectedReservations, reservations.Count);
        Assert.All(reservations, r => Assert.Equal("released", r.Status));
        Assert.Equal(2 * reservations.Count, movements.Count);
        foreach (var reservation in reservations)
        {
            var mine = movements.Where(m => m.ReservationId == reservation.Id).OrderBy(m => m.Reason, StringComparer.Ordinal).ToList();
            Assert.Equal(
                [new MovementRow(reservation.SkuId, "release", 0, -reservation.Quantity, reservation.Id),
                    new MovementRow(reservation.SkuId, "reserve", 0, reservation.Quantity, reservation.Id)],
                mine);
        }
    }

    /// <summary>status_history: from/to/at/reason on every step, the first from null to pending, times in order.</summary>
    private static void AssertHistoryShape(JsonElement order)
    {
        var history = order.GetProperty("status_history").EnumerateArray().ToList();
        Assert.NotEmpty(history);
        Assert.Equal(JsonValueKind.Null, history[0].GetProperty("from").ValueKind);
        Assert.Equal("pending", history[0].GetProperty("to").GetString());
        var previous = DateTimeOffset.MinValue;
        for (var i = 0; i < history.Count; i++)
        {
            var step = history[i];
            Assert.True(step.TryGetProperty("reason", out _), step.ToString());
            var at = step.GetProperty("at").GetString()!;
            Assert.Matches("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$", at);
            var instant = DateTimeOffset.Parse(at, CultureInfo.InvariantCulture);
            Assert.True(instant >= previous, $"status_history is not in time order: {order}");
            previous = instant;
            if (i > 0)
            {
                Assert.Equal(history[i - 1].GetProperty("to").GetString(), step.GetProperty("from").GetString());
            }
        }

        Assert.Equal(order.GetProperty("status").GetString(), history[^1].GetProperty("to").GetString());
    }
}
