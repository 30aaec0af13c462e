namespace OrderCore.Api.Features.Checkout;

/// <summary>The buyer page's CSS and script: plain text served by the app, no build step, system fonts only.</summary>
internal static class BuyerPageAssets
{
    public const string Style = """
        :root { color-scheme: light; --ink: #1a1a1a; --muted: #4a4a4a; --accent: #0b5cad; --error: #a4161a; --line: #d0d0d0; }
        * { box-sizing: border-box; }
        body { margin: 0; background: #f4f5f7; color: var(--ink); font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
        .card { max-width: 32rem; margin: 0 auto; padding: 1.25rem; background: #fff; min-height: 100vh; }
        @media (min-width: 40rem) { .card { margin: 2rem auto; min-height: 0; border-radius: 12px; box-shadow: 0 2px 12px rgba(0,0,0,.08); } }
        h1 { font-size: 1.5rem; margin: 0 0 1rem; }
        h2 { font-size: 1.15rem; margin: 0 0 .5rem; }
        dl { display: grid; grid-template-columns: auto 1fr; gap: .25rem 1rem; margin: 0 0 1.25rem; }
        dt { color: var(--muted); }
        dd { margin: 0; text-align: right; overflow-wrap: anywhere; }
        label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
        input { width: 100%; padding: .7rem; font: inherit; border: 1px solid #767676; border-radius: 6px; }
        input[readonly] { background: #eee; }
        input:focus, button:focus, a:focus { outline: 3px solid #ffbf47; outline-offset: 2px; }
        button { width: 100%; margin-top: 1.25rem; padding: .85rem; font: inherit; font-weight: 600; color: #fff; background: var(--accent);
          border: 0; border-radius: 6px; cursor: pointer; }
        button[disabled] { background: #6b6b6b; cursor: not-allowed; }
        .payment { margin-top: 1rem; }
        .note { color: var(--muted); margin: 1rem 0 0; }
        .status { min-height: 1.5rem; margin: .75rem 0 0; }
        .status.error { color: var(--error); font-weight: 600; }
        .done { margin-top: 1rem; padding: 1rem; border: 2px solid #2b7a0b; border-radius: 8px; }
        a { color: var(--accent); }
        """;

    public const string Script = """
        (function () {
          'use strict';
          var config = JSON.parse(document.getElementById('oc-config').textContent);
          var token = new URLSearchParams(window.location.search).get('token');
          var form = document.getElementById('oc-form');
          var status = document.getElementById('oc-status');
          var button = document.getElementById('oc-pay');
          var sessionId = null;
          var stripe = null;
          var elements = null;

          function say(text, isError) {
            status.textContent = text;
            status.className = isError ? 'status error' : 'status';
          }

          function api(method, path, body) {
            return fetch('/ucp/public/checkout/sessions' + path, {
              method: method,
              headers: { 'Authorization': 'Bearer ' + token, 'Content-Type': 'application/json' },
              body: body === undefined ? undefined : JSON.stringify(body)
            }).then(function (response) {
              return response.json().catch(function () { return {}; }).then(function (data) {
                if (!response.ok) {
                  var error = new Error(data.message || ('Request failed (' + response.status + ')'));
                  error.code = data.error;
                  throw error;
                }
                return data;
              });
            });
          }

          function sessionBody() {
            var parts = form.elements.name.value.trim().split(/\s+/).filter(Boolean);
            return {
              line_items: [{ item: { id: config.sku_id }, quantity: config.quantity }],
              currency: config.currency,
              buyer: { email: form.elements.email.value.trim(), first_name: parts[0] || null, last_name: parts.slice(1).join(' ') || null }
            };
          }

          // One session per link: the first POST creates it, later ones answer it; the PUT sets this buyer and holds the stock.
          async function readySession() {
            var body = sessionBody();
            var session = await api('POST', '', body);
            sessionId = session.id;
            if (session.status !== 'ready_for_complete' || !session.buyer || session.buyer.email !== body.buyer.email) {
              session = await api('PUT', '/' + sessionId, body);
            }
            return session;
          }

          function done(session) {
            if (config.success_url) {
              window.location.assign(config.success_url);
              return;
            }
            form.hidden = true;
            document.getElementById('oc-order-number').textContent = session.order.order_number;
            var section = document.getElementById('oc-done');
            section.hidden = false;
            section.focus();
          }

          function loadStripe() {
            return new Promise(function (resolve, reject) {
              var script = document.createElement('script');
              script.src = 'https://js.stripe.com/v3/';
              script.onload = resolve;
              script.onerror = function () { reject(new Error('The payment form could not load; check your connection and reload.')); };
              document.head.appendChild(script);
            });
          }

          async function mountPaymentElement() {
            var browser = await fetch('/direct-ai/browser-config').then(function (r) { return r.json(); });
            var intent = await api('POST', '/' + sessionId + '/payment-intent', {});
            await loadStripe();
            stripe = window.Stripe(browser.stripe_publishable_key);
            elements = stripe.elements({ clientSecret: intent.client_secret });
            elements.create('payment').mount('#oc-payment-element');
          }

          async function pay() {
            if (config.mode === 'test') {
              await readySession();
              return done(await api('POST', '/' + sessionId + '/complete', { payment_data: { handler_id: 'test' } }));
            }
            if (!elements) {
              await readySession();
              await mountPaymentElement();
              form.elements.email.readOnly = true;
              button.textContent = 'Pay ' + config.total_text;
              say('Enter your payment details, then pay.');
              return;
            }
            var result = await stripe.confirmPayment({ elements: elements, redirect: 'if_required' });
            if (result.error) {
              throw new Error(result.error.message);
            }
            done(await api('POST', '/' + sessionId + '/complete',
              { payment_data: { handler_id: 'card', payment_intent_id: result.paymentIntent.id } }));
          }

          form.addEventListener('submit', function (event) {
            event.preventDefault();
            if (!form.elements.email.checkValidity()) {
              say('Enter a valid email address.', true);
              form.elements.email.focus();
              return;
            }
            button.disabled = true;
            say('Working…');
            pay().then(function () {
              if (!form.hidden) {
                button.disabled = false;
              }
            }, function (error) {
              say(error.code === 'buyer_link_consumed' ? 'This checkout is already completed.' : error.message, true);
              button.disabled = false;
            });
          });
        })();
        """;
}
