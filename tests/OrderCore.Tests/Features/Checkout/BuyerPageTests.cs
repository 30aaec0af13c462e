using System.Buffers.Binary;
using System.Net;
using OrderCore.Tests.Features.Webhooks;
using OrderCore.Tests.Infrastructure;

namespace OrderCore.Tests.Features.Checkout;

/// <summary>The buyer page: server-rendered HTML with its security headers, and a real browser paying through it.</summary>
public sealed class BuyerPageTests(AppFixture app, BuyerLinkHost host) : IClassFixture<BuyerLinkHost>
{
    private static async Task<(HttpStatusCode Status, string Html, HttpResponseMessage Response)> GetPageAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    private static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", csp);
        Assert.Contains("script-src 'self' https://js.stripe.com;", csp);
        Assert.Contains("frame-src https://js.stripe.com https://hooks.stripe.com;", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task The_page_renders_the_summary_in_html_and_answers_bad_and_used_links_with_clear_pages()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(unitPrice: 12.5m, stock: 5);
        using var merchant = host.Client(tenant.ApiKey);
        var link = await merchant.CreateLinkAsync(new { sku_id = sku.SkuId, quantity = 2, email = "lead@example.com" });
        var url = link.GetProperty("buyer_checkout_url").GetString()!;
        using var browser = host.Client();

        var (status, html, response) = await GetPageAsync(browser, url);
        Assert.True(status == HttpStatusCode.OK, html);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        AssertSecurityHeaders(response);
        Assert.Contains("<dd id=\"oc-quantity\">2</dd>", html);
        Assert.Contains("<dd id=\"oc-price\">12.50 USD</dd>", html);
        Assert.Contains("<dd id=\"oc-total\">25.00 USD</dd>", html);
        Assert.Contains("value=\"lead@example.com\" readonly", html);
        Assert.Contains("Pay with test payment", html);
        Assert.DoesNotContain("fonts.googleapis", html);
        var script = await browser.GetAsync("/direct-ai-buyer-checkout/app.js");
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/direct-ai-buyer-checkout/app.css")).StatusCode);

        var tampered = await GetPageAsync(browser, url[..^4] + (url[^4] == 'A' ? "B" : "A") + url[^3..]);
        Assert.Equal(HttpStatusCode.Unauthorized, tampered.Status);
        Assert.Contains("This checkout link is not valid", tampered.Html);
        AssertSecurityHeaders(tampered.Response);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetPageAsync(browser, "/direct-ai-buyer-checkout")).Status);

        using var buyer = app.Buyer(link.Token(), host.BaseAddress);
        var session = await buyer.CreateSessionAsync(CheckoutKit.Session(sku.SkuId, 2, email: null));
        Assert.Equal(HttpStatusCode.OK, (await buyer.PostJsonAsync($"{CheckoutKit.Sessions}/{session.Id()}/complete", BuyerLinkKit.Pay())).Status);
        var used = await GetPageAsync(browser, url);
        Assert.Equal(HttpStatusCode.Gone, used.Status);
        Assert.Contains("already completed", used.Html);
    }

    [Fact]
    public async Task The_reference_client_is_a_page_with_the_same_headers_that_keeps_the_key_in_memory()
    {
        using var browser = host.Client();
        var (status, html, response) = await GetPageAsync(browser, "/direct-ai-reference-client");
        Assert.Equal(HttpStatusCode.OK, status);
        AssertSecurityHeaders(response);
        Assert.Contains("<input id=\"rc-key\" name=\"key\" type=\"password\" required>", html);
        var script = await (await browser.GetAsync("/direct-ai-reference-client/app.js")).Content.ReadAsStringAsync();
        Assert.Contains("/v1/account/buyer-checkout-links", script);
        Assert.DoesNotContain("localStorage", script);
        Assert.DoesNotContain("sessionStorage", script);
    }

    [Fact]
    public async Task A_buyer_pays_in_headless_chromium_at_phone_width_and_the_order_and_checkout_completed_follow()
    {
        var tenant = await app.CreateTenantAsync();
        var sku = await tenant.SeedSkuAsync(unitPrice: 19.99m, stock: 3);
        await using var receiver = await WebhookReceiver.StartAsync();
        await tenant.Client.CreateEndpointAsync(receiver.LocalhostUrl, "checkout.completed");
        using var merchant = host.Client(tenant.ApiKey);
        var link = await merchant.CreateLinkAsync(new { sku_id = sku.SkuId, quantity = 1, merchant_reference_id = "lead-browser" });
        var url = link.GetProperty("buyer_checkout_url").GetString()!;

        await using var chromium = await Chromium.LaunchAsync(375, 812);
        await chromium.NavigateAsync(url);
        Assert.Equal("19.99 USD", await chromium.TextAsync("#oc-total"));
        Assert.Equal(375, (await chromium.EvaluateAsync("document.documentElement.clientWidth")).GetInt32());
        // readable at 375 px: nothing wider than the viewport
        Assert.True((await chromium.EvaluateAsync("document.documentElement.scrollWidth <= 375")).GetBoolean());
        Assert.Equal("Email", await chromium.EvaluateAsync("document.querySelector('label[for=oc-email]').innerText").ContinueWith(t => t.Result.GetString()));

        var screenshot = await chromium.ScreenshotAsync();
        Assert.Equal(375, BinaryPrimitives.ReadInt32BigEndian(screenshot.AsSpan(16, 4)));
        var directory = Environment.GetEnvironmentVariable("ORDERCORE_TEST_RESULTS") is { Length: > 0 } results ? results : Path.GetTempPath();
        var file = Path.Combine(directory, "buyer-page-375px.png");
        await File.WriteAllBytesAsync(file, screenshot);
        TestContext.Current.SendDiagnosticMessage($"buyer page screenshot (375 px): {file}");

        await chromium.TypeAsync("#oc-email", "jane@example.com");
        await chromium.TypeAsync("#oc-name", "Jane Buyer");
        await chromium.ClickAsync("#oc-pay");
        await chromium.WaitForAsync("!document.getElementById('oc-done').hidden");
        var orderNumber = await chromium.TextAsync("#oc-order-number");
        Assert.StartsWith("OC-", orderNumber);
        await File.WriteAllBytesAsync(Path.Combine(directory, "buyer-page-375px-paid.png"), await chromium.ScreenshotAsync());

        var lookup = await merchant.GetJsonAsync("/v1/orders/lookup?merchant_reference_id=lead-browser");
        var order = lookup.Body.GetProperty("order");
        Assert.Equal(orderNumber, order.GetProperty("order_number").GetString());
        Assert.Equal("jane@example.com", lookup.Body.GetProperty("checkout_session").GetProperty("buyer").GetProperty("email").GetString());
        await Eventually.WaitAsync(() => Task.FromResult(!receiver.Received.IsEmpty));
        Assert.Contains("\"checkout.completed\"", System.Text.Encoding.UTF8.GetString(Assert.Single(receiver.Received).Body));

        // the link is used up: reloading shows the already-completed page
        await chromium.NavigateAsync(url);
        Assert.Contains("already completed", await chromium.TextAsync("h1"));
    }
}
