using System.Net;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Checkout;

/// <summary>Buyer checkout links: a signed scope, one session per link, consumed after completion, email lock, regeneration.</summary>
public sealed class BuyerLinkTests(AppFixture app, BuyerLinkHost host) : IClassFixture<BuyerLinkHost>
{
    private async Task<(TestTenant Tenant, SeededSku Sku, HttpClient Merchant)> MerchantAsync()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(unitPrice: 20m, stock: 10);
        return (tenant, sku, host.Client(tenant.ApiKey));
    }

    private HttpClient Buyer(string token) => app.Buyer(token, host.BaseAddress);

    [Fact]
    public async Task A_link_creates_one_session_resumes_it_and_is_consumed_by_completion()
    {
        var (tenant, sku, merchant) = await MerchantAsync();
        var link = await merchant.CreateLinkAsync(new
        {
            sku_id = sku.SkuId, quantity = 2, currency = "usd", merchant_reference_id = "lead-123",
            success_url = "https://merchant.example/thank-you", cancel_url = "https://merchant.example/cart",
        });
        Assert.StartsWith("bl_", link.Token());
        Assert.Equal($"{host.BaseAddress.GetLeftPart(UriPartial.Authority)}/direct-ai-buyer-checkout?token={Uri.EscapeDataString(link.Token())}",
            link.GetProperty("buyer_checkout_url").GetString());
        Assert.Equal("lead-123", link.GetProperty("merchant_reference_id").GetString());
        Assert.Equal("USD", link.GetProperty("currency").GetString());
        Assert.Equal(sku.SkuCode, link.GetProperty("sku_code").GetString());
        // only the token's SHA-256 is stored, on the link's row
        Assert.Equal(1L, await app.Database.ScalarAsync<long>(
            "SELECT count(*) FROM checkout_access_tokens WHERE tenant_id = $1 AND id = $2 AND token_hash = sha256(convert_to($3, 'UTF8'))",
            tenant.Id, link.Id(), link.Token()));

        using var buyer = Buyer(link.Token());
        var created = await buyer.CreateSessionAsync(CheckoutKit.Session(sku.SkuId, 2, email: null));
        Assert.Equal("incomplete", created.Status());
        Assert.Equal("lead-123", created.GetProperty("merchant_reference_id").GetString());

        // every later create answers the same session (resume)
        var resumed = await buyer.PostJsonAsync(CheckoutKit.Sessions, CheckoutKit.Session(sku.SkuCode, 2));
        Assert.Equal(HttpStatusCode.OK, resumed.Status);
        Assert.Equal(created.Id(), resumed.Body.Id());

        var ready = await buyer.SendAsync(HttpMethod.Put, $"{CheckoutKit.Sessions}/{created.Id()}", CheckoutKit.Session(sku.SkuId, 2));
        Assert.Equal("ready_for_complete", ready.Body.Status());
        var completed = await buyer.PostJsonAsync($"{CheckoutKit.Sessions}/{created.Id()}/complete", BuyerLinkKit.Pay());
        Assert.True(completed.Status == HttpStatusCode.OK, completed.Body.ToString());
        var orderId = completed.Body.GetProperty("order").GetProperty("id").GetString()!;
        var order = (await merchant.GetJsonAsync($"/v1/orders/{orderId}")).Body;
        Assert.Equal("lead-123", order.GetProperty("merchant_reference_id").GetString());
        Assert.Equal(1L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM checkout_sessions WHERE tenant_id = $1", tenant.Id));

        // consumed: every use answers 410
        (await buyer.PostJsonAsync(CheckoutKit.Sessions, CheckoutKit.Session(sku.SkuId, 2))).AssertError(HttpStatusCode.Gone, "buyer_link_consumed");
        (await buyer.GetJsonAsync($"{CheckoutKit.Sessions}/{created.Id()}")).AssertError(HttpStatusCode.Gone, "buyer_link_consumed");

        // a regenerated link keeps the scope (and so is consumed too)
        var regenerated = await merchant.PostJsonAsync($"{BuyerLinkKit.Links}/regenerate",
            new { buyer_checkout_url = link.GetProperty("buyer_checkout_url").GetString() });
        Assert.True(regenerated.Status == HttpStatusCode.Created, regenerated.Body.ToString());
        Assert.NotEqual(link.Token(), regenerated.Str("token"));
        using var again = Buyer(regenerated.Str("token"));
        (await again.PostJsonAsync(CheckoutKit.Sessions, CheckoutKit.Session(sku.SkuId, 2))).AssertError(HttpStatusCode.Gone, "buyer_link_consumed");
    }

    [Fact]
    public async Task A_link_buys_only_its_sku_quantity_and_currency()
    {
        var (tenant, sku, merchant) = await MerchantAsync();
        var other = await tenant.SeedSkuAsync(unitPrice: 5m);
        var link = await merchant.CreateLinkAsync(new { sku_code = sku.SkuCode, quantity = 1 });
        using var buyer = Buyer(link.Token());

        (await buyer.PostJsonAsync(CheckoutKit.Sessions, CheckoutKit.Session(other.SkuId, 1))).AssertError(HttpStatusCode.Forbidden, "sku_not_allowed");
        (await buyer.PostJsonAsync(CheckoutKit.Sessions, CheckoutKit.Session(sku.SkuId, 2))).AssertError(HttpStatusCode.Forbidden, "quantity_not_allowed");
        (await buyer.PostJsonAsync(CheckoutKit.Sessions, new
        {
            line_items = new[] { new { item = new { id = sku.SkuId }, quantity = 1 }, new { item = new { id = other.SkuId }, quantity = 1 } },
        })).AssertError(HttpStatusCode.Forbidden, "sku_not_allowed");
        var created = await buyer.CreateSessionAsync(CheckoutKit.Session(sku.SkuId, 1, reference: "someone-else"));
        Assert.Equal(link.GetProperty("merchant_reference_id").GetString(), created.GetProperty("merchant_reference_id").GetString());
        (await buyer.SendAsync(HttpMethod.Put, $"{CheckoutKit.Sessions}/{created.Id()}", CheckoutKit.Session(sku.SkuId, 3)))
            .AssertError(HttpStatusCode.Forbidden, "quantity_not_allowed");

        var fresh = await merchant.CreateLinkAsync(new { sku_id = sku.SkuId, quantity = 1 });
        using var eurBuyer = Buyer(fresh.Token());
        var eur = await eurBuyer.PostJsonAsync(CheckoutKit.Sessions, new { line_items = new[] { new { item = new { id = sku.SkuId }, quantity = 1 } }, currency = "EUR" });
        eur.AssertError(HttpStatusCode.Forbidden, "currency_not_allowed");
        Assert.Equal("USD", eur.Str("currency"));
    }

    [Fact]
    public async Task An_email_lock_refuses_another_buyer_and_fills_in_its_own()
    {
        var (_, sku, merchant) = await MerchantAsync();
        var link = await merchant.CreateLinkAsync(new { sku_id = sku.SkuId, quantity = 1, email = "lead@example.com", full_name = "Lee Ad" });
        using var buyer = Buyer(link.Token());

        (await buyer.PostJsonAsync(CheckoutKit.Sessions, CheckoutKit.Session(sku.SkuId, 1, email: "other@example.com")))
            .AssertError(HttpStatusCode.Forbidden, "buyer_email_mismatch");
        var created = await buyer.CreateSessionAsync(CheckoutKit.Session(sku.SkuId, 1, email: null));
        Assert.Equal("ready_for_complete", created.Status());
        Assert.Equal("lead@example.com", created.GetProperty("buyer").GetProperty("email").GetString());
        Assert.Equal("Lee", created.GetProperty("buyer").GetProperty("first_name").GetString());
        (await buyer.SendAsync(HttpMethod.Put, $"{CheckoutKit.Sessions}/{created.Id()}", CheckoutKit.Session(sku.SkuId, 1, email: "other@example.com")))
            .AssertError(HttpStatusCode.Forbidden, "buyer_email_mismatch");
        var same = await buyer.SendAsync(HttpMethod.Put, $"{CheckoutKit.Sessions}/{created.Id()}", CheckoutKit.Session(sku.SkuId, 1, email: "LEAD@example.com"));
        Assert.Equal(HttpStatusCode.OK, same.Status);
    }

    [Fact]
    public async Task A_tampered_token_is_refused_and_another_tenant_cannot_use_or_regenerate_it()
    {
        var (_, sku, merchant) = await MerchantAsync();
        var link = await merchant.CreateLinkAsync(new { sku_id = sku.SkuId, quantity = 1 });
        var token = link.Token();
        var flipped = token[..^3] + (token[^3] == 'A' ? 'B' : 'A') + token[^2..];
        using var tampered = Buyer(flipped);
        var refused = await tampered.PostJsonAsync(CheckoutKit.Sessions, CheckoutKit.Session(sku.SkuId, 1));
        refused.AssertError(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("invalid_buyer_link", refused.Str("auth_reason"));
        using var madeUp = Buyer("bl_" + new string('x', 40));
        (await madeUp.PostJsonAsync(CheckoutKit.Sessions, CheckoutKit.Session(sku.SkuId, 1))).AssertError(HttpStatusCode.Unauthorized, "unauthorized");

        var (_, _, stranger) = await MerchantAsync();
        (await stranger.PostJsonAsync($"{BuyerLinkKit.Links}/regenerate", new { token })).AssertError(HttpStatusCode.NotFound, "not_found");
        (await stranger.PostJsonAsync($"{BuyerLinkKit.Links}/regenerate", new { token = flipped })).AssertError(HttpStatusCode.BadRequest, "validation_failed");
        // the link's session is the link's tenant's; the other tenant's SKU is out of scope
        using var buyer = Buyer(token);
        var session = await buyer.CreateSessionAsync(CheckoutKit.Session(sku.SkuId, 1));
        (await stranger.GetJsonAsync($"/v1/checkout/sessions/{session.Id()}")).AssertError(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(HttpStatusCode.OK, (await merchant.GetJsonAsync($"/v1/checkout/sessions/{session.Id()}")).Status);
    }

    [Fact]
    public async Task An_expired_link_is_refused_and_regenerates_with_the_same_scope()
    {
        var (tenant, sku, merchant) = await MerchantAsync();
        var link = await merchant.CreateLinkAsync(new { sku_id = sku.SkuId, quantity = 1, ttl_minutes = 1, merchant_reference_id = "lead-exp" });
        using var buyer = Buyer(link.Token());
        var session = await buyer.CreateSessionAsync(CheckoutKit.Session(sku.SkuId, 1));

        // the signed expiry decides; pretend a minute and more passed by moving the link's clock: sign an already expired link
        var expired = await merchant.PostJsonAsync($"{BuyerLinkKit.Links}/regenerate", new { token = link.Token(), ttl_minutes = 1 });
        Assert.Equal(HttpStatusCode.Created, expired.Status);
        await app.Database.ExecuteAsync("UPDATE checkout_access_tokens SET expires_at = now() - interval '1 second' WHERE tenant_id = $1", tenant.Id);

        var fresh = await merchant.PostJsonAsync($"{BuyerLinkKit.Links}/regenerate", new { token = link.Token(), ttl_minutes = 60 });
        Assert.True(fresh.Status == HttpStatusCode.Created, fresh.Body.ToString());
        Assert.Equal("lead-exp", fresh.Str("merchant_reference_id"));
        Assert.Equal(sku.SkuId, fresh.Str("sku_id"));
        Assert.Equal(1, fresh.Body.GetProperty("quantity").GetInt32());
        Assert.True(fresh.Body.GetProperty("expires_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(59));
        using var again = Buyer(fresh.Str("token"));
        var resumed = await again.PostJsonAsync(CheckoutKit.Sessions, CheckoutKit.Session(sku.SkuId, 1));
        Assert.Equal(session.Id(), resumed.Body.Id());
    }

    [Fact]
    public async Task Creating_a_link_checks_the_sku_the_price_the_reference_and_the_urls()
    {
        var (tenant, sku, merchant) = await MerchantAsync();
        (await merchant.PostJsonAsync(BuyerLinkKit.Links, new { sku_id = "sku_00000000000000000000000000000000", quantity = 1 }))
            .AssertError(HttpStatusCode.NotFound, "sku_not_found");
        (await merchant.PostJsonAsync(BuyerLinkKit.Links, new { sku_id = sku.SkuId, quantity = 1, currency = "JPY" }))
            .AssertError((HttpStatusCode)422, "price_not_found");
        (await merchant.PostJsonAsync(BuyerLinkKit.Links, new { sku_id = sku.SkuId, quantity = 1, merchant_reference_id = "lead 1/2" }))
            .AssertError(HttpStatusCode.BadRequest, "validation_failed");
        (await merchant.PostJsonAsync(BuyerLinkKit.Links, new { sku_id = sku.SkuId, quantity = 1, merchant_reference_id = new string('a', 129) }))
            .AssertError(HttpStatusCode.BadRequest, "validation_failed");
        (await merchant.PostJsonAsync(BuyerLinkKit.Links, new { sku_id = sku.SkuId, quantity = 0 })).AssertError(HttpStatusCode.BadRequest, "validation_failed");
        (await merchant.PostJsonAsync(BuyerLinkKit.Links, new { quantity = 1 })).AssertError(HttpStatusCode.BadRequest, "validation_failed");
        (await merchant.PostJsonAsync(BuyerLinkKit.Links, new { sku_id = sku.SkuId, quantity = 1, success_url = "javascript:alert(1)" }))
            .AssertError(HttpStatusCode.BadRequest, "validation_failed");

        // http return URLs only where configured (the shared app does not allow them)
        using var shared = app.Client(tenant.ApiKey);
        (await shared.PostJsonAsync(BuyerLinkKit.Links, new { sku_id = sku.SkuId, quantity = 1, cancel_url = "http://merchant.example/cart" }))
            .AssertError(HttpStatusCode.BadRequest, "validation_failed");
        await merchant.CreateLinkAsync(new { sku_id = sku.SkuId, quantity = 1, cancel_url = "http://localhost/cart" });

        // a key without checkout:write may not mint links
        var readOnly = await tenant.Client.PostJsonAsync("/v1/account/api-keys", new { name = "reader", scopes = new[] { "checkout:read" } });
        using var reader = host.Client(readOnly.Str("key"));
        (await reader.PostJsonAsync(BuyerLinkKit.Links, new { sku_id = sku.SkuId, quantity = 1 })).AssertError(HttpStatusCode.Forbidden, "forbidden");
    }
}
