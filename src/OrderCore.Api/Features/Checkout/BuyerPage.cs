using System.Net;
using Microsoft.AspNetCore.Authentication;
using OrderCore.Api.Features.Orders;

namespace OrderCore.Api.Features.Checkout;

/// <summary>What the buyer page shows of the link's purchase, from its open session or, before there is one, priced the same way.</summary>
internal sealed record BuyerSummary(string Title, int Quantity, decimal UnitPrice, decimal Total, string Currency)
{
    public string Amount(decimal value) => $"{Money.Round(value, Currency).ToString($"N{Money.MinorUnits(Currency)}", CultureInfo.InvariantCulture)} {Currency}";
}

/// <summary>The page's settings for its script (a JSON data block: not executed, no inline script).</summary>
internal sealed record BuyerPageConfig(string SkuId, int Quantity, string Currency, string? Email, string? FullName, string? SuccessUrl,
    string Mode, string TotalText);

/// <summary>
/// <c>GET /direct-ai-buyer-checkout?token=...</c>: the buyer's page, rendered here (summary in the HTML, so it shows without
/// scripts), with its CSS and script served by the app. The token is checked by the checkout token handler, as on the API.
/// </summary>
internal static class BuyerPage
{
    public const string ScriptPath = BuyerLinks.PagePath + "/app.js";
    public const string StylePath = BuyerLinks.PagePath + "/app.css";

    /// <summary>Only this app and Stripe's script and frames; the token is in the URL, so no referrer ever.</summary>
    public const string ContentSecurityPolicy = "default-src 'self'; script-src 'self' https://js.stripe.com; "
        + "frame-src https://js.stripe.com https://hooks.stripe.com; connect-src 'self' https://api.stripe.com; img-src 'self' data:; "
        + "style-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static void Map(WebApplication app)
    {
        app.MapGet(BuyerLinks.PagePath, Render).AllowAnonymous().ExcludeFromDescription();
        app.MapGet(ScriptPath, (HttpResponse response) => Asset(response, BuyerPageAssets.Script, "text/javascript; charset=utf-8"))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapGet(StylePath, (HttpResponse response) => Asset(response, BuyerPageAssets.Style, "text/css; charset=utf-8"))
            .AllowAnonymous().ExcludeFromDescription();
    }

    public static void SecurityHeaders(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.XFrameOptions = "DENY";
        response.Headers.CacheControl = "no-store";
    }

    public static IResult Html(HttpResponse response, int status, string title, string body)
    {
        SecurityHeaders(response);
        return Results.Content($"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <title>{Encode(title)}</title>
            <link rel="stylesheet" href="{StylePath}">
            </head>
            <body>
            <main class="card">
            {body}
            </main>
            </body>
            </html>
            """, "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    public static string Encode(string? text) => WebUtility.HtmlEncode(text ?? "");

    public static IResult Asset(HttpResponse response, string text, string contentType)
    {
        SecurityHeaders(response);
        response.Headers.CacheControl = "public, max-age=300";
        return Results.Text(text, contentType, Encoding.UTF8);
    }

    /// <summary><paramref name="token"/> is declared for the query check; the token handler reads it (as on the API, it decides).</summary>
    private static async Task<IResult> Render([FromQuery(Name = "token")] string? token, HttpContext http, BuyerLinkAccess access, OrderCoreDbContext db, StripePayments stripe,
        IOptions<CheckoutOptions> options, TimeProvider clock)
    {
        var authenticated = await http.AuthenticateAsync(CheckoutTokenAuthenticationHandler.SchemeName);
        if (!authenticated.Succeeded || access.Link is not { } link)
        {
            var failure = http.Items[CheckoutTokenAuthenticationHandler.FailureItem] as ApiError;
            if (failure?.Status == StatusCodes.Status429TooManyRequests)
            {
                http.Response.Headers.RetryAfter = Convert.ToString(failure.Extensions?.GetValueOrDefault("retry_after"), CultureInfo.InvariantCulture);
                return Html(http.Response, StatusCodes.Status429TooManyRequests, "Too many attempts",
                    """<h1>Too many attempts</h1><p>Too many checkout links that are not valid were opened from this network. Try again in a minute.</p>""");
            }

            return failure?.Status == StatusCodes.Status410Gone
                ? Html(http.Response, StatusCodes.Status410Gone, "Already completed",
                    """<h1>This checkout is already completed</h1><p>The order for this link was placed. Nothing more to pay; check your email for the confirmation.</p>""")
                : Html(http.Response, StatusCodes.Status401Unauthorized, "Link not valid",
                    """<h1>This checkout link is not valid</h1><p>It may have expired or been changed. Ask the seller for a new link.</p>""");
        }

        var summary = await SummaryAsync(db, link, clock.GetUtcNow(), http.RequestAborted);
        var mode = stripe.IsConfigured ? PaymentHandlers.Card : options.Value.AllowTestPayments ? PaymentHandlers.Test : "none";
        var config = JsonSerializer.Serialize(new BuyerPageConfig(link.SkuId, link.Quantity, link.Currency, link.Email, link.FullName, link.SuccessUrl,
            mode, summary.Amount(summary.Total)), JsonDefaults.Options);
        var pay = mode switch
        {
            PaymentHandlers.Card => """<div id="oc-payment-element" class="payment"></div><button id="oc-pay" type="submit">Continue to payment</button>""",
            PaymentHandlers.Test => """<p class="note">Test mode: no card is charged.</p><button id="oc-pay" type="submit">Pay with test payment</button>""",
            _ => """<p class="status error">Payments are not configured for this shop yet.</p><button id="oc-pay" type="submit" disabled>Pay</button>""",
        };
        var emailLocked = link.Email is null ? "" : " readonly";
        var cancel = link.CancelUrl is null ? "" : $"""<p><a href="{Encode(link.CancelUrl)}">Cancel and go back</a></p>""";
        return Html(http.Response, StatusCodes.Status200OK, $"Checkout: {summary.Title}", $"""
            <h1>Checkout</h1>
            <section aria-labelledby="oc-summary-title" class="summary">
            <h2 id="oc-summary-title">Your order</h2>
            <dl>
            <dt>Product</dt><dd id="oc-product">{Encode(summary.Title)}</dd>
            <dt>Quantity</dt><dd id="oc-quantity">{summary.Quantity}</dd>
            <dt>Price</dt><dd id="oc-price">{Encode(summary.Amount(summary.UnitPrice))}</dd>
            <dt>Total</dt><dd id="oc-total">{Encode(summary.Amount(summary.Total))}</dd>
            </dl>
            </section>
            <form id="oc-form" novalidate>
            <label for="oc-email">Email</label>
            <input id="oc-email" name="email" type="email" autocomplete="email" required value="{Encode(link.Email)}"{emailLocked}>
            <label for="oc-name">Full name</label>
            <input id="oc-name" name="name" type="text" autocomplete="name" value="{Encode(link.FullName)}">
            {pay}
            <p id="oc-status" class="status" role="status" aria-live="polite"></p>
            </form>
            <section id="oc-done" class="done" tabindex="-1" hidden>
            <h2>Thank you!</h2>
            <p>Your order number is <strong id="oc-order-number"></strong>.</p>
            </section>
            {cancel}
            <script type="application/json" id="oc-config">{config}</script>
            <script src="{ScriptPath}" defer></script>
            """);
    }

    private static async Task<BuyerSummary> SummaryAsync(OrderCoreDbContext db, BuyerLinkScope link, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var session = await CheckoutSessions.OpenOfLinkAsync(db, link.LinkId, now, cancellationToken);
        if (session is { Lines: [var line] })
        {
            return new BuyerSummary(line.Title, line.Quantity, line.UnitPrice, session.Total, session.Currency);
        }

        var priced = await OrderPricing.PriceAsync(db, CheckoutSessions.ToOrderRequest(link.Currency,
            [new LineItemRequest { Item = new ItemRequest { Id = link.SkuId }, Quantity = link.Quantity }]), now, cancellationToken);
        var first = priced.Lines[0];
        return new BuyerSummary(first.Product.Name, first.Quantity, first.UnitPrice, priced.Total, priced.Currency);
    }
}
