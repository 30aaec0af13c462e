using System.Net;
using System.Text.Json;
using OrderCore.Tests.Features.Orders;
using OrderCore.Tests.Features.Webhooks;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Checkout;

/// <summary>
/// The paid flow against a Stripe-compatible server on 127.0.0.1: the real Stripe.net client, pointed at it
/// with Stripe:ApiBase, is the production code path.
/// </summary>
public sealed class StripeCheckoutTests(AppFixture app, StripeCheckoutHost host) : IClassFixture<StripeCheckoutHost>
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private sealed record PaidSession(TestTenant Tenant, SeededSku Sku, HttpClient Buyer, string SessionId, string IntentId);

    /// <summary>A tenant, a SKU, a ready session of <paramref name="quantity"/> units and its PaymentIntent, which Stripe says succeeded.</summary>
    private async Task<PaidSession> PaidSessionAsync(decimal unitPrice, int stock, int quantity)
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(unitPrice: unitPrice, stock: stock);
        var buyer = app.Buyer(await host.Client(tenant.ApiKey).MintTokenAsync(), host.BaseAddress);
        var session = await buyer.CreateSessionAsync(CheckoutKit.Session(sku.SkuId, quantity));
        var intentId = (await buyer.PostJsonAsync($"{CheckoutKit.Sessions}/{session.Id()}/payment-intent", new { })).Str("payment_intent_id");
        host.Stripe.SetStatus(intentId, "succeeded");
        return new PaidSession(tenant, sku, buyer, session.Id(), intentId);
    }

    private async Task<ApiResponse> PostStripeWebhookAsync(string body, string? signature)
    {
        using var anonymous = host.Client();
        return await anonymous.SendAsync(HttpMethod.Post, "/v1/integrations/stripe/webhook", body,
            signature is null ? null : new Dictionary<string, string> { ["Stripe-Signature"] = signature });
    }

    [Fact]
    public async Task The_public_flow_takes_a_buyer_from_token_to_one_paid_order_and_a_verified_checkout_completed()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(unitPrice: 12.50m, stock: 10);
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, endpointSecret) = await tenant.Client.CreateEndpointAsync(receiver.LocalhostUrl, "checkout.completed");
        using var merchant = host.Client(tenant.ApiKey);
        using var buyer = app.Buyer(await merchant.MintTokenAsync(new { ttl_minutes = 30 }), host.BaseAddress);

        // create without a buyer: incomplete, nothing held; update with one: ready, stock held
        var created = await buyer.CreateSessionAsync(CheckoutKit.Session(sku.SkuCode, 1, email: null, reference: "lead-flow"));
        Assert.Equal("incomplete", created.Status());
        Assert.StartsWith("cs_", created.Id());
        Assert.Equal((10, 0), await tenant.StockAsync(sku.SkuId));
        var updated = await buyer.SendAsync(HttpMethod.Put, $"{CheckoutKit.Sessions}/{created.Id()}",
            CheckoutKit.Session(sku.SkuId, 2, reference: "lead-flow"));
        Assert.True(updated.Status == HttpStatusCode.OK, updated.Body.ToString());
        Assert.Equal("ready_for_complete", updated.Body.Status());
        Assert.Equal(2500, updated.Body.GetProperty("totals").EnumerateArray().Single(t => t.GetProperty("type").GetString() == "total")
            .GetProperty("amount").GetInt64());
        Assert.Equal(25.00m, updated.Body.GetProperty("ordercore_totals").GetProperty("total").GetDecimal());
        Assert.Equal((10, 2), await tenant.StockAsync(sku.SkuId));

        // payment-intent: Stripe.net's create, with our secret key, metadata and an idempotency key; again: the same intent
        var intent = await buyer.PostJsonAsync($"{CheckoutKit.Sessions}/{created.Id()}/payment-intent", new { });
        Assert.True(intent.Status == HttpStatusCode.OK, intent.Body.ToString());
        Assert.Equal(2500, intent.Body.GetProperty("amount").GetInt64());
        Assert.Equal("USD", intent.Str("currency"));
        var intentId = intent.Str("payment_intent_id");
        Assert.StartsWith($"{intentId}_secret_", intent.Str("client_secret"));
        var again = await buyer.PostJsonAsync($"{CheckoutKit.Sessions}/{created.Id()}/payment-intent", new { });
        Assert.Equal(intentId, again.Str("payment_intent_id"));
        Assert.Contains($"Bearer {FakeStripe.SecretKey}", host.Stripe.Authorizations);
        var stored = host.Stripe.Intent(intentId);
        Assert.Equal(tenant.Id, stored["metadata"]!["tenant_id"]!.GetValue<string>());
        Assert.Equal(created.Id(), stored["metadata"]!["session_id"]!.GetValue<string>());

        // the buyer confirms with Stripe.js; then complete
        host.Stripe.SetStatus(intentId, "succeeded");
        var completed = await buyer.PostJsonAsync($"{CheckoutKit.Sessions}/{created.Id()}/complete", CheckoutKit.Pay(intentId));
        Assert.True(completed.Status == HttpStatusCode.OK, completed.Body.ToString());
        Assert.Equal("completed", completed.Body.Status());
        var orderId = completed.Body.GetProperty("order").GetProperty("id").GetString()!;
        Assert.StartsWith("OC-", completed.Body.GetProperty("order").GetProperty("order_number").GetString());

        var order = (await tenant.Client.GetJsonAsync($"/v1/orders/{orderId}")).Body;
        Assert.Equal("stripe", order.GetProperty("payment").GetProperty("provider").GetString());
        Assert.Equal(intentId, order.GetProperty("payment").GetProperty("reference").GetString());
        Assert.Equal(25.00m, order.GetProperty("total").GetDecimal());
        Assert.Equal("lead-flow", order.GetProperty("merchant_reference_id").GetString());
        // the session's reservation became the order's: still 2 reserved, held by the order, no expiry
        Assert.Equal((10, 2), await tenant.StockAsync(sku.SkuId));
        var reservations = await app.OrderReservationsAsync(tenant, orderId);
        Assert.Equal(2, Assert.Single(reservations).Quantity);
        Assert.Equal(0L, await app.Database.ScalarAsync<long>(
            "SELECT count(*) FROM inventory_reservations WHERE tenant_id = $1 AND expires_at IS NOT NULL AND status = 'active'", tenant.Id));

        // checkout.completed reaches the merchant's receiver, signed
        await Eventually.WaitAsync(() => Task.FromResult(!receiver.Received.IsEmpty));
        var delivery = Assert.Single(receiver.Received);
        Assert.True(Verifiers.VerifyOrderCoreSignature(delivery.Body, delivery.Header("X-OrderCore-Signature"), endpointSecret));
        using var envelope = JsonDocument.Parse(delivery.Body);
        Assert.Equal("checkout.completed", envelope.RootElement.GetProperty("type").GetString());
        var data = envelope.RootElement.GetProperty("data").GetProperty("object");
        Assert.Equal(created.Id(), data.GetProperty("checkout_session").GetProperty("id").GetString());
        Assert.Equal(orderId, data.GetProperty("order").GetProperty("id").GetString());
        Assert.Equal(intentId, data.GetProperty("payment").GetProperty("reference").GetString());
        Assert.False(data.GetProperty("livemode").GetBoolean());

        // the lookup answers both
        var lookup = await tenant.Client.GetJsonAsync("/v1/orders/lookup?merchant_reference_id=lead-flow");
        Assert.Equal(HttpStatusCode.OK, lookup.Status);
        Assert.Equal(created.Id(), lookup.Body.GetProperty("checkout_session").GetProperty("id").GetString());
        Assert.Equal("completed", lookup.Body.GetProperty("checkout_session").Status());
        Assert.True(JsonElement.DeepEquals(order, lookup.Body.GetProperty("order")), $"{lookup.Body}");

        // the merchant's list and get see it too
        var listed = await tenant.Client.GetJsonAsync("/v1/checkout/sessions?status=completed&merchant_reference_id=lead-flow");
        Assert.Equal(created.Id(), Assert.Single(listed.Body.GetProperty("data").EnumerateArray()).Id());
    }

    [Fact]
    public async Task Unpaid_wrong_amount_and_other_session_payment_intents_are_refused_and_change_nothing()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(unitPrice: 10.00m, stock: 5);
        using var buyer = app.Buyer(await host.Client(tenant.ApiKey).MintTokenAsync(), host.BaseAddress);
        var session = await buyer.CreateSessionAsync(CheckoutKit.Session(sku.SkuId, 1));
        var other = await buyer.CreateSessionAsync(CheckoutKit.Session(sku.SkuId, 1));
        var path = $"{CheckoutKit.Sessions}/{session.Id()}/complete";

        var intentId = (await buyer.PostJsonAsync($"{CheckoutKit.Sessions}/{session.Id()}/payment-intent", new { })).Str("payment_intent_id");
        var unpaid = await buyer.PostJsonAsync(path, CheckoutKit.Pay(intentId));
        unpaid.AssertError(HttpStatusCode.PaymentRequired, "payment_required");
        Assert.Equal("requires_payment_method", unpaid.Str("payment_intent_status"));

        var wrongAmount = host.Stripe.Add(999, "usd", tenant.Id, session.Id());
        (await buyer.PostJsonAsync(path, CheckoutKit.Pay(wrongAmount["id"]!.GetValue<string>()))).AssertError(HttpStatusCode.Conflict, "payment_mismatch");

        var wrongCurrency = host.Stripe.Add(1000, "eur", tenant.Id, session.Id());
        (await buyer.PostJsonAsync(path, CheckoutKit.Pay(wrongCurrency["id"]!.GetValue<string>()))).AssertError(HttpStatusCode.Conflict, "payment_mismatch");

        var otherSession = host.Stripe.Add(1000, "usd", tenant.Id, other.Id());
        (await buyer.PostJsonAsync(path, CheckoutKit.Pay(otherSession["id"]!.GetValue<string>()))).AssertError(HttpStatusCode.Conflict, "payment_mismatch");

        var otherTenant = host.Stripe.Add(1000, "usd", "ten_someone_else", session.Id());
        (await buyer.PostJsonAsync(path, CheckoutKit.Pay(otherTenant["id"]!.GetValue<string>()))).AssertError(HttpStatusCode.Conflict, "payment_mismatch");

        (await buyer.PostJsonAsync(path, CheckoutKit.Pay("pi_does_not_exist"))).AssertError(HttpStatusCode.PaymentRequired, "payment_required");

        Assert.Equal("ready_for_complete", (await buyer.GetJsonAsync($"{CheckoutKit.Sessions}/{session.Id()}")).Body.Status());
        Assert.Equal(0, await tenant.CountAsync("orders"));
        Assert.Equal((5, 2), await tenant.StockAsync(sku.SkuId));

        // the right one still works afterwards
        host.Stripe.SetStatus(intentId, "requires_capture");
        var paid = await buyer.PostJsonAsync(path, CheckoutKit.Pay(intentId));
        Assert.True(paid.Status == HttpStatusCode.OK, paid.Body.ToString());
        Assert.Equal(1, await tenant.CountAsync("orders"));
    }

    [Fact]
    public async Task Fifty_parallel_completes_and_a_signed_stripe_webhook_make_one_order_and_one_checkout_completed()
    {
        var (tenant, sku, buyer, sessionId, intentId) = await PaidSessionAsync(unitPrice: 7.00m, stock: 3, quantity: 3);
        var (body, signature) = FakeStripe.SignedEvent(host.Stripe.Intent(intentId));

        var completes = Enumerable.Range(0, 50)
            .Select(_ => Task.Run(() => buyer.PostJsonAsync($"{CheckoutKit.Sessions}/{sessionId}/complete", CheckoutKit.Pay(intentId))))
            .ToList();
        var webhook = Task.Run(() => PostStripeWebhookAsync(body, signature));
        var answers = await Task.WhenAll(completes);
        var hook = await webhook;

        Assert.True(hook.Status == HttpStatusCode.OK, hook.Body.ToString());
        Assert.All(answers, a => Assert.True(a.Status == HttpStatusCode.OK, a.Body.ToString()));
        var orderIds = answers.Select(a => a.Body.GetProperty("order").GetProperty("id").GetString()).Distinct().ToList();
        var orderId = Assert.Single(orderIds);
        Assert.Equal(1, await tenant.CountAsync("orders"));
        Assert.Equal(1L, await app.Database.ScalarAsync<long>(
            "SELECT count(*) FROM events WHERE tenant_id = $1 AND type = 'checkout.completed'", tenant.Id));
        Assert.Equal(1L, await app.Database.ScalarAsync<long>(
            "SELECT count(*) FROM events WHERE tenant_id = $1 AND type = 'order.created'", tenant.Id));
        Assert.Equal(orderId, await app.Database.ScalarAsync<string>(
            "SELECT subject_id FROM events WHERE tenant_id = $1 AND type = 'order.created'", tenant.Id));
        Assert.Equal((3, 3), await tenant.StockAsync(sku.SkuId));

        // a replay of the webhook afterwards changes nothing either
        var replay = await PostStripeWebhookAsync(body, signature);
        Assert.Equal("completed", replay.Str("status"));
        Assert.Equal(1, await tenant.CountAsync("orders"));
    }

    [Fact]
    public async Task A_signed_webhook_alone_completes_a_paid_session_whose_buyer_never_called_complete()
    {
        var (tenant, _, buyer, sessionId, intentId) = await PaidSessionAsync(unitPrice: 4.00m, stock: 2, quantity: 1);
        var (body, signature) = FakeStripe.SignedEvent(host.Stripe.Intent(intentId));

        var hook = await PostStripeWebhookAsync(body, signature);

        Assert.True(hook.Status == HttpStatusCode.OK, hook.Body.ToString());
        Assert.Equal(sessionId, hook.Str("checkout_session_id"));
        Assert.Equal("completed", (await buyer.GetJsonAsync($"{CheckoutKit.Sessions}/{sessionId}")).Body.Status());
        Assert.Equal(1, await tenant.CountAsync("orders"));
    }

    [Fact]
    public async Task A_forged_stripe_webhook_is_refused_and_completes_nothing()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 2);
        using var buyer = app.Buyer(await host.Client(tenant.ApiKey).MintTokenAsync(), host.BaseAddress);
        var session = await buyer.CreateSessionAsync(CheckoutKit.Session(sku.SkuId, 1));
        var forgedIntent = host.Stripe.Add(1000, "usd", tenant.Id, session.Id());

        var (body, wrongSecret) = FakeStripe.SignedEvent(forgedIntent, secret: "whsec_not_the_real_one");
        var (_, realSignature) = FakeStripe.SignedEvent(forgedIntent);
        var answers = new[]
        {
            await PostStripeWebhookAsync(body, wrongSecret),
            // a real signature over another body
            await PostStripeWebhookAsync(body.Replace("\"evt_", "\"evt_x", StringComparison.Ordinal), realSignature),
            await PostStripeWebhookAsync(body, null),
        };

        Assert.All(answers, a => a.AssertError(HttpStatusCode.BadRequest, "invalid_signature"));
        Assert.Equal("ready_for_complete", (await buyer.GetJsonAsync($"{CheckoutKit.Sessions}/{session.Id()}")).Body.Status());
        Assert.Equal(0, await tenant.CountAsync("orders"));
    }

    [Fact]
    public async Task The_test_handler_completes_when_enabled()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(stock: 2);
        using var buyer = app.Buyer(await host.Client(tenant.ApiKey).MintTokenAsync(), host.BaseAddress);
        var session = await buyer.CreateSessionAsync(CheckoutKit.Session(sku.SkuId, 1));

        var completed = await buyer.PostJsonAsync($"{CheckoutKit.Sessions}/{session.Id()}/complete", new { payment_data = new { handler_id = "test" } });

        Assert.True(completed.Status == HttpStatusCode.OK, completed.Body.ToString());
        var order = (await tenant.Client.GetJsonAsync($"/v1/orders/{completed.Body.GetProperty("order").GetProperty("id").GetString()}")).Body;
        Assert.Equal("test", order.GetProperty("payment").GetProperty("provider").GetString());
    }

    [Fact]
    public async Task Browser_config_discovery_and_the_openapi_document_never_show_the_secret_key()
    {
        using var anonymous = host.Client();
        var config = await anonymous.GetJsonAsync("/direct-ai/browser-config");
        var profile = await anonymous.GetJsonAsync("/ucp/.well-known/ucp");
        var manifest = await anonymous.GetJsonAsync("/direct-ai/manifest");
        var catalog = await anonymous.GetJsonAsync("/integrations/catalog");
        using var document = await anonymous.GetAsync("/openapi/v1.json");
        var openApi = await document.Content.ReadAsStringAsync();

        Assert.Equal("pk_test_ordercore_fake", config.Str("stripe_publishable_key"));
        Assert.Equal("2026-01-11", profile.Body.GetProperty("ucp").GetProperty("version").GetString());
        Assert.Contains(profile.Body.GetProperty("payment").GetProperty("handlers").EnumerateArray(), h => h.Id() == "card");
        Assert.Contains(manifest.Body.GetProperty("endpoints").EnumerateArray(),
            e => e.GetProperty("path").GetString() == "/ucp/public/checkout/sessions/{id}/complete");
        Assert.Contains(catalog.Body.GetProperty("connectors").EnumerateArray(),
            c => c.Id() == "stripe" && c.GetProperty("status").GetString() == "configured");
        foreach (var text in new[] { config.Body.ToString(), profile.Body.ToString(), manifest.Body.ToString(), catalog.Body.ToString(), openApi })
        {
            Assert.DoesNotContain(FakeStripe.SecretKey, text, StringComparison.Ordinal);
            Assert.DoesNotContain(FakeStripe.WebhookSecret, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Public_routes_answer_cors_only_to_the_configured_origin()
    {
        using var client = host.Client();
        foreach (var (origin, allowed) in new[] { (StripeCheckoutHost.AllowedOrigin, true), ("https://evil.example", false) })
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, CheckoutKit.Sessions);
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
            using var answer = await client.SendAsync(preflight);

            var header = answer.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;
            Assert.Equal(allowed ? origin : null, header);
        }
    }

    [Fact]
    public async Task The_webhook_signature_is_checked_against_the_raw_body()
    {
        // Stripe signs bytes, not a parsed document: the same JSON re-serialised differently must be refused.
        var tenant = await app.CreateTenantAsync();
        var intent = host.Stripe.Add(100, "usd", tenant.Id, "cs_unknown");
        var (body, signature) = FakeStripe.SignedEvent(intent);
        var reformatted = JsonSerializer.Serialize(JsonDocument.Parse(body).RootElement, Indented);

        var refused = await PostStripeWebhookAsync(reformatted, signature);
        var accepted = await PostStripeWebhookAsync(body, signature);

        refused.AssertError(HttpStatusCode.BadRequest, "invalid_signature");
        Assert.True(accepted.Status == HttpStatusCode.OK, accepted.Body.ToString());
        Assert.True(accepted.Body.GetProperty("received").GetBoolean());
    }
}
