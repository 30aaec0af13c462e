using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OrderCore.Api.Features.Checkout;
using OrderCore.Api.Features.Inventory;
using OrderCore.Api.Platform.Persistence;
using OrderCore.Tests.Features.Inventory;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Checkout;

/// <summary>Sessions, tokens and stock through the shared app (no Stripe configured, test payments off).</summary>
public sealed class CheckoutSessionTests(AppFixture app)
{
    [Fact]
    public async Task An_expired_token_is_refused()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();
        var token = await tenant.Client.MintTokenAsync(new { ttl_minutes = 5 });
        using var buyer = app.Buyer(token);
        var session = await buyer.CreateSessionAsync(CheckoutKit.Session(sku.SkuId, 1));

        await app.Database.ExecuteAsync("UPDATE checkout_access_tokens SET expires_at = now() - interval '1 second' WHERE tenant_id = $1", tenant.Id);

        var read = await buyer.GetJsonAsync($"{CheckoutKit.Sessions}/{session.Id()}");
        read.AssertError(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("expired_checkout_token", read.Str("auth_reason"));
    }

    [Fact]
    public async Task Revoking_the_minting_key_revokes_its_tokens_at_once()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();
        var created = await tenant.Client.PostJsonAsync("/v1/account/api-keys", new { name = "storefront", scopes = new[] { "checkout:write" } });
        var keyId = created.Str("id");
        var token = await app.Client(created.Str("key")).MintTokenAsync();
        using var buyer = app.Buyer(token);
        var session = await buyer.CreateSessionAsync(CheckoutKit.Session(sku.SkuId, 1));

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Client.SendAsync(HttpMethod.Delete, $"/v1/account/api-keys/{keyId}")).Status);

        var read = await buyer.GetJsonAsync($"{CheckoutKit.Sessions}/{session.Id()}");
        read.AssertError(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("revoked_checkout_token", read.Str("auth_reason"));
    }

    [Fact]
    public async Task A_token_reaches_only_the_sessions_it_created_in_its_own_tenant()
    {
        var a = await app.CreateTenantAsync();
        var b = await app.CreateTenantAsync();
        var skuA = await a.SeedSkuAsync();
        var skuB = await b.SeedSkuAsync();
        using var buyerA = app.Buyer(await a.Client.MintTokenAsync());
        using var otherBuyerA = app.Buyer(await a.Client.MintTokenAsync());
        using var buyerB = app.Buyer(await b.Client.MintTokenAsync());
        var sessionA = await buyerA.CreateSessionAsync(CheckoutKit.Session(skuA.SkuId, 1));

        foreach (var stranger in new[] { buyerB, otherBuyerA })
        {
            (await stranger.GetJsonAsync($"{CheckoutKit.Sessions}/{sessionA.Id()}")).AssertError(HttpStatusCode.NotFound, "not_found");
            (await stranger.SendAsync(HttpMethod.Put, $"{CheckoutKit.Sessions}/{sessionA.Id()}", CheckoutKit.Session(skuA.SkuId, 2)))
                .AssertError(HttpStatusCode.NotFound, "not_found");
            (await stranger.PostJsonAsync($"{CheckoutKit.Sessions}/{sessionA.Id()}/complete", new { payment_data = new { handler_id = "test" } }))
                .AssertError(HttpStatusCode.NotFound, "not_found");
        }

        // B's token cannot buy A's SKU either: it does not exist in B's tenant
        (await buyerB.PostJsonAsync(CheckoutKit.Sessions, CheckoutKit.Session(skuA.SkuId, 1))).AssertError(HttpStatusCode.NotFound, "sku_not_found");
        // the merchant (API key) of A sees it, B's does not
        Assert.Equal(HttpStatusCode.OK, (await a.Client.GetJsonAsync($"/v1/checkout/sessions/{sessionA.Id()}")).Status);
        (await b.Client.GetJsonAsync($"/v1/checkout/sessions/{sessionA.Id()}")).AssertError(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(HttpStatusCode.Created, (await buyerB.PostJsonAsync(CheckoutKit.Sessions, CheckoutKit.Session(skuB.SkuId, 1))).Status);
    }

    [Fact]
    public async Task Public_routes_refuse_an_api_key_a_missing_token_and_a_made_up_one()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();
        using var anonymous = app.Client();
        using var bearerKey = app.Buyer(tenant.ApiKey);
        using var madeUp = app.Buyer("cat_madeup");

        var withKey = await tenant.Client.PostJsonAsync(CheckoutKit.Sessions, CheckoutKit.Session(sku.SkuId, 1));
        withKey.AssertError(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("api_key_not_accepted", withKey.Str("auth_reason"));
        (await bearerKey.PostJsonAsync(CheckoutKit.Sessions, CheckoutKit.Session(sku.SkuId, 1))).AssertError(HttpStatusCode.Unauthorized, "unauthorized");
        (await anonymous.PostJsonAsync(CheckoutKit.Sessions, CheckoutKit.Session(sku.SkuId, 1))).AssertError(HttpStatusCode.Unauthorized, "unauthorized");
        (await madeUp.PostJsonAsync(CheckoutKit.Sessions, CheckoutKit.Session(sku.SkuId, 1))).AssertError(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal(0, await tenant.CountAsync("checkout_sessions"));
    }

    [Fact]
    public async Task Idempotency_keys_of_one_token_never_replay_another_tokens_session()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();
        using var first = app.Buyer(await tenant.Client.MintTokenAsync());
        using var second = app.Buyer(await tenant.Client.MintTokenAsync());
        var body = CheckoutKit.Session(sku.SkuId, 1);

        var mine = await first.PostJsonAsync(CheckoutKit.Sessions, body, idempotencyKey: "cart-1");
        var retry = await first.PostJsonAsync(CheckoutKit.Sessions, body, idempotencyKey: "cart-1");
        var theirs = await second.PostJsonAsync(CheckoutKit.Sessions, body, idempotencyKey: "cart-1");

        Assert.Equal(HttpStatusCode.Created, mine.Status);
        Assert.Equal(mine.Body.Id(), retry.Body.Id());
        Assert.Equal("true", retry.Header("Idempotent-Replayed"));
        Assert.Equal(HttpStatusCode.Created, theirs.Status);
        Assert.NotEqual(mine.Body.Id(), theirs.Body.Id());
        Assert.Null(theirs.Header("Idempotent-Replayed"));
        Assert.Equal(2, await tenant.CountAsync("checkout_sessions"));
    }

    [Fact]
    public async Task Tokens_are_stored_hashed_and_limit_skus_and_quantity()
    {
        var tenant = await app.CreateTenantAsync();
        var allowed = await tenant.SeedSkuAsync();
        var other = await tenant.SeedSkuAsync();
        var token = await tenant.Client.MintTokenAsync(new { allowed_skus = new[] { allowed.SkuCode }, max_quantity = 2 });
        using var buyer = app.Buyer(token);

        Assert.Equal(0L, await app.Database.ScalarAsync<long>(
            "SELECT count(*) FROM checkout_access_tokens WHERE encode(token_hash, 'escape') LIKE '%' || $1 || '%'", token[4..20]));
        (await buyer.PostJsonAsync(CheckoutKit.Sessions, CheckoutKit.Session(other.SkuId, 1))).AssertError(HttpStatusCode.Forbidden, "sku_not_allowed");
        (await buyer.PostJsonAsync(CheckoutKit.Sessions, CheckoutKit.Session(allowed.SkuId, 3))).AssertError(HttpStatusCode.Forbidden, "quantity_not_allowed");
        Assert.Equal(HttpStatusCode.Created, (await buyer.PostJsonAsync(CheckoutKit.Sessions, CheckoutKit.Session(allowed.SkuId, 2))).Status);
        Assert.Equal((100, 2), await tenant.StockAsync(allowed.SkuId));
    }

    [Fact]
    public async Task Expiry_cancels_the_session_and_releases_the_stock_it_held()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SkuWithStockAsync(4);
        using var buyer = app.Buyer(await tenant.Client.MintTokenAsync());
        var session = await buyer.CreateSessionAsync(CheckoutKit.Session(sku.SkuId, 3));
        Assert.Equal((4, 3), await tenant.StockAsync(sku.SkuId));
        // the session's reservations expire with it
        Assert.Equal(0L, await app.Database.ScalarAsync<long>("""
            SELECT count(*) FROM inventory_reservations r JOIN checkout_sessions s ON s.tenant_id = r.tenant_id AND r.reference = s.id
            WHERE s.tenant_id = $1 AND r.expires_at IS DISTINCT FROM s.expires_at
            """, tenant.Id));

        await app.Database.ExecuteAsync("UPDATE checkout_sessions SET expires_at = now() - interval '1 minute' WHERE tenant_id = $1", tenant.Id);
        await app.Database.ExecuteAsync("UPDATE inventory_reservations SET expires_at = now() - interval '1 minute' WHERE tenant_id = $1", tenant.Id);
        await SweepAsync();

        Assert.Equal((4, 0), await tenant.StockAsync(sku.SkuId));
        var read = (await buyer.GetJsonAsync($"{CheckoutKit.Sessions}/{session.Id()}")).Body;
        Assert.Equal("canceled", read.Status());
        (await buyer.SendAsync(HttpMethod.Put, $"{CheckoutKit.Sessions}/{session.Id()}", CheckoutKit.Session(sku.SkuId, 1)))
            .AssertError(HttpStatusCode.Conflict, "checkout_session_closed");
        // what it held can be bought again
        Assert.Equal(HttpStatusCode.Created, (await tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 4)))).Status);
        Assert.Empty(await app.DriftAsync(tenant));
    }

    [Fact]
    public async Task Parallel_sessions_and_direct_orders_on_scarce_stock_never_oversell()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 5);
        var token = await tenant.Client.MintTokenAsync();
        using var buyer = app.Buyer(token);

        var sessions = Enumerable.Range(0, 20).Select(_ => Task.Run(() => buyer.PostJsonAsync(CheckoutKit.Sessions, CheckoutKit.Session(sku.SkuId, 1))));
        var orders = Enumerable.Range(0, 10).Select(_ => Task.Run(() => tenant.Client.PostJsonAsync("/v1/orders", Http.Order((sku.SkuId, 1)))));
        var answers = await Task.WhenAll(sessions.Concat(orders));

        var won = answers.Count(a => a.Status == HttpStatusCode.Created);
        Assert.Equal(5, won);
        Assert.All(answers.Where(a => a.Status != HttpStatusCode.Created), a => a.AssertError(HttpStatusCode.Conflict, "insufficient_stock"));
        Assert.Equal((5, 5), await tenant.StockAsync(sku.SkuId));
        // refused sessions left nothing behind
        Assert.Equal(answers.Take(20).Count(a => a.Status == HttpStatusCode.Created), await tenant.CountAsync("checkout_sessions"));
    }

    [Fact]
    public async Task An_update_replaces_the_lines_and_moves_the_stock_held()
    {
        var tenant = await app.CreateTenantAsync();
        var first = await tenant.SkuWithStockAsync(10);
        var second = await tenant.SkuWithStockAsync(10);
        using var buyer = app.Buyer(await tenant.Client.MintTokenAsync());
        var session = await buyer.CreateSessionAsync(CheckoutKit.Session(first.SkuId, 4, reference: "cart-1"));

        var updated = await buyer.SendAsync(HttpMethod.Put, $"{CheckoutKit.Sessions}/{session.Id()}", new
        {
            id = session.Id(),
            line_items = new[] { new { item = new { id = second.SkuCode }, quantity = 2 } },
            currency = "usd",
            buyer = new { email = "other@example.com" },
        });

        Assert.True(updated.Status == HttpStatusCode.OK, updated.Body.ToString());
        var line = Assert.Single(updated.Body.GetProperty("line_items").EnumerateArray());
        Assert.Equal(second.SkuId, line.GetProperty("item").Id());
        Assert.Equal(1000, line.GetProperty("item").GetProperty("price").GetInt64());
        Assert.Equal(20.00m, updated.Body.GetProperty("ordercore_totals").GetProperty("total").GetDecimal());
        Assert.False(updated.Body.TryGetProperty("merchant_reference_id", out var reference) && reference.ValueKind == System.Text.Json.JsonValueKind.String);
        Assert.Equal((10, 0), await tenant.StockAsync(first.SkuId));
        Assert.Equal((10, 2), await tenant.StockAsync(second.SkuId));
        Assert.Empty(await app.DriftAsync(tenant));
    }

    [Fact]
    public async Task The_test_handler_is_refused_unless_enabled_and_payment_intents_need_a_secret_key()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();
        using var buyer = app.Buyer(await tenant.Client.MintTokenAsync());
        var session = await buyer.CreateSessionAsync(CheckoutKit.Session(sku.SkuId, 1));

        var test = await buyer.PostJsonAsync($"{CheckoutKit.Sessions}/{session.Id()}/complete", new { payment_data = new { handler_id = "test" } });
        var intent = await buyer.PostJsonAsync($"{CheckoutKit.Sessions}/{session.Id()}/payment-intent", new { });
        var card = await buyer.PostJsonAsync($"{CheckoutKit.Sessions}/{session.Id()}/complete", CheckoutKit.Pay("pi_123"));

        test.AssertError(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(test.Body.GetProperty("errors").TryGetProperty("payment_data.handler_id", out _), test.Body.ToString());
        intent.AssertError(HttpStatusCode.ServiceUnavailable, "payments_not_configured");
        card.AssertError(HttpStatusCode.ServiceUnavailable, "payments_not_configured");
        Assert.Equal(0, await tenant.CountAsync("orders"));
        Assert.Equal("ready_for_complete", (await buyer.GetJsonAsync($"{CheckoutKit.Sessions}/{session.Id()}")).Body.Status());
    }

    [Fact]
    public async Task Merchant_ucp_routes_take_an_api_key_with_checkout_scopes()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync();
        var readOnly = await tenant.Client.PostJsonAsync("/v1/account/api-keys", new { name = "ro", scopes = new[] { "checkout:read" } });
        using var reader = app.Client(readOnly.Str("key"));

        var created = await tenant.Client.CreateSessionAsync(CheckoutKit.Session(sku.SkuId, 1, reference: "erp-1"), "/ucp/checkout/sessions");
        var updated = await tenant.Client.SendAsync(HttpMethod.Put, $"/ucp/checkout/sessions/{created.Id()}", CheckoutKit.Session(sku.SkuId, 2, reference: "erp-1"));
        var denied = await reader.PostJsonAsync("/ucp/checkout/sessions", CheckoutKit.Session(sku.SkuId, 1));
        var listed = await reader.GetJsonAsync("/v1/checkout/sessions?merchant_reference_id=erp-1");
        var lookup = await tenant.Client.GetJsonAsync("/v1/orders/lookup?merchant_reference_id=erp-1");

        Assert.Equal("ready_for_complete", updated.Body.Status());
        denied.AssertError(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(created.Id(), Assert.Single(listed.Body.GetProperty("data").EnumerateArray()).Id());
        Assert.Equal(created.Id(), lookup.Body.GetProperty("checkout_session").Id());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, lookup.Body.GetProperty("order").ValueKind);
    }

    private async Task SweepAsync()
    {
        await using var scope = app.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrderCoreDbContext>();
        await ReservationExpirySweeper.ReleaseExpiredAsync(scope.ServiceProvider, DateTimeOffset.UtcNow, 1000,
            CancellationToken.None);
        await CheckoutSessionExpirySweeper.CancelExpiredAsync(db, DateTimeOffset.UtcNow, 1000, CancellationToken.None);
    }
}
