namespace OrderCore.Api.Features.Checkout;

/// <summary>
/// <c>GET /direct-ai-reference-client</c>: the operator's reference client. The API key is typed into the page and kept in
/// a variable only (never stored, never in a URL); it mints a buyer link, opens it and watches the session and the
/// <c>checkout.completed</c> delivery.
/// </summary>
internal static class ReferenceClientPage
{
    public const string Path = "/direct-ai-reference-client";
    public const string ScriptPath = Path + "/app.js";

    public static void Map(WebApplication app)
    {
        app.MapGet(Path, (HttpResponse response) => BuyerPage.Html(response, StatusCodes.Status200OK, "OrderCore reference client", Body))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapGet(ScriptPath, (HttpResponse response) => BuyerPage.Asset(response, Script, "text/javascript; charset=utf-8"))
            .AllowAnonymous().ExcludeFromDescription();
    }

    private const string Body = $"""
        <h1>Reference client</h1>
        <p class="note">Your API key stays in this page's memory only; reload to forget it.</p>
        <form id="rc-form" autocomplete="off">
        <label for="rc-key">API key (checkout:write)</label>
        <input id="rc-key" name="key" type="password" required>
        <label for="rc-sku">SKU id or code</label>
        <input id="rc-sku" name="sku" type="text" required>
        <label for="rc-quantity">Quantity</label>
        <input id="rc-quantity" name="quantity" type="number" min="1" value="1" required>
        <label for="rc-currency">Currency</label>
        <input id="rc-currency" name="currency" type="text" value="USD" maxlength="3">
        <label for="rc-email">Buyer email (optional, locks the link)</label>
        <input id="rc-email" name="email" type="email">
        <label for="rc-reference">merchant_reference_id (optional)</label>
        <input id="rc-reference" name="reference" type="text" maxlength="128">
        <button type="submit">Create buyer link</button>
        <p id="rc-status" class="status" role="status" aria-live="polite"></p>
        </form>
        <section id="rc-link" hidden>
        <h2>Buyer link</h2>
        <p><a id="rc-open" href="#" target="_blank" rel="noopener noreferrer">Open the buyer page</a></p>
        <dl>
        <dt>Session</dt><dd id="rc-session">none yet</dd>
        <dt>checkout.completed</dt><dd id="rc-delivery">not yet</dd>
        </dl>
        </section>
        <script src="{ScriptPath}" defer></script>
        """;

    private const string Script = """
        (function () {
          'use strict';
          var form = document.getElementById('rc-form');
          var status = document.getElementById('rc-status');
          var apiKey = null;
          var reference = null;
          var timer = null;

          function call(method, path, body) {
            return fetch(path, {
              method: method,
              headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
              body: body === undefined ? undefined : JSON.stringify(body)
            }).then(function (r) {
              return r.json().then(function (data) {
                if (!r.ok) { throw new Error(data.message || ('HTTP ' + r.status)); }
                return data;
              });
            });
          }

          function watch() {
            var q = encodeURIComponent(reference);
            call('GET', '/v1/checkout/sessions?limit=1&merchant_reference_id=' + q).then(function (page) {
              var s = page.data && page.data[0];
              document.getElementById('rc-session').textContent = s ? s.id + ': ' + s.status + (s.order ? ' (order ' + s.order.order_number + ')' : '') : 'none yet';
              return call('GET', '/v1/webhooks/deliveries?limit=1&event_type=checkout.completed');
            }).then(function (page) {
              var d = page.data && page.data[0];
              document.getElementById('rc-delivery').textContent = d ? d.id + ': ' + d.status : 'not yet';
            }).catch(function (e) { status.textContent = e.message; });
          }

          form.addEventListener('submit', function (event) {
            event.preventDefault();
            apiKey = form.elements.key.value.trim();
            var sku = form.elements.sku.value.trim();
            var body = {
              quantity: parseInt(form.elements.quantity.value, 10),
              currency: form.elements.currency.value.trim() || 'USD',
              email: form.elements.email.value.trim() || null,
              merchant_reference_id: form.elements.reference.value.trim() || null
            };
            body[/^sku_[0-9a-f]{32}$/.test(sku) ? 'sku_id' : 'sku_code'] = sku;
            status.textContent = 'Creating…';
            call('POST', '/v1/account/buyer-checkout-links', body).then(function (link) {
              reference = link.merchant_reference_id;
              document.getElementById('rc-open').href = link.buyer_checkout_url;
              document.getElementById('rc-link').hidden = false;
              status.textContent = 'Link created; expires ' + link.expires_at + '.';
              if (timer) { clearInterval(timer); }
              watch();
              timer = setInterval(watch, 3000);
            }).catch(function (e) { status.textContent = e.message; });
          });
        })();
        """;
}
