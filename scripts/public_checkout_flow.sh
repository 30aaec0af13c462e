#!/usr/bin/env bash
# The public (browser-side) checkout flow, step by step, against a running OrderCore:
#   1) mint a checkout access token with the merchant's API key
#   2) create a checkout session with that token, 3) add the buyer (the session becomes ready_for_complete)
#   4) create the Stripe PaymentIntent
# and print the final complete call, to run once the buyer has confirmed client_secret with Stripe.js.
# Without Stripe configured it prints the complete call of the test handler instead (scripts/run.sh enables it).
#
#   scripts/public_checkout_flow.sh [SKU] [QUANTITY]
#
# Environment: ORDERCORE_API_KEY (default: .data/demo-api-key), ORDERCORE_BASE (default http://127.0.0.1:8080),
# BUYER_EMAIL (default buyer@example.com), MERCHANT_REFERENCE_ID (default lead-<timestamp>), CURRENCY (default USD).
# SKU is a sku_id or sku_code; without one the demo data's sample SKU is used. Needs curl and jq.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE="${ORDERCORE_BASE:-http://127.0.0.1:8080}"
API_KEY="${ORDERCORE_API_KEY:-$(cat "$ROOT/.data/demo-api-key" 2>/dev/null || true)}"
QUANTITY="${2:-1}"
EMAIL="${BUYER_EMAIL:-buyer@example.com}"
REFERENCE="${MERCHANT_REFERENCE_ID:-lead-$(date +%s)}"
CURRENCY="${CURRENCY:-USD}"
command -v jq >/dev/null || { echo "jq is required" >&2; exit 1; }
[[ -n "$API_KEY" ]] || { echo "Set ORDERCORE_API_KEY (or run scripts/run.sh, which writes .data/demo-api-key)" >&2; exit 1; }

# call METHOD PATH AUTH-HEADER [BODY]: prints the body; fails loudly on a non-2xx answer
call() {
  local method=$1 path=$2 auth=$3 body=${4:-}
  local out status
  out="$(curl -sS -X "$method" "$BASE$path" -H "$auth" -H "Content-Type: application/json" ${body:+-d "$body"} -w '\n%{http_code}')"
  status="${out##*$'\n'}"
  out="${out%$'\n'*}"
  if (( status >= 300 )); then
    echo "$method $path answered $status: $out" >&2
    return 22
  fi
  printf '%s' "$out"
}

SKU="${1:-}"
if [[ -z "$SKU" ]]; then
  # The demo data answers its sample SKU once; afterwards (409) any active SKU with a price will do.
  SKU="$(call POST /v1/onboarding/demo-data "X-API-Key: $API_KEY" '{}' 2>/dev/null | jq -r '.sample_order_item.sku_id // empty' || true)"
  [[ -n "$SKU" ]] || SKU="$(call GET "/v1/inventory?per_page=100" "X-API-Key: $API_KEY" | jq -r '[.data[] | select(.available > 0)][0].sku_id // empty')"
  [[ -n "$SKU" ]] || { echo "No SKU with stock found; pass one: $0 <sku_id|sku_code>" >&2; exit 1; }
fi

echo "1) checkout access token (POST /v1/account/checkout-access-tokens)"
TOKEN="$(call POST /v1/account/checkout-access-tokens "X-API-Key: $API_KEY" '{"ttl_minutes": 30}' | jq -r .token)"
echo "   token: ${TOKEN:0:12}... (browser-safe, 30 minutes)"
BUYER="Authorization: Bearer $TOKEN"

echo "2) session (POST /ucp/public/checkout/sessions)"
LINES="[{\"item\":{\"id\":\"$SKU\"},\"quantity\":$QUANTITY}]"
SESSION="$(call POST /ucp/public/checkout/sessions "$BUYER" \
  "{\"line_items\":$LINES,\"currency\":\"$CURRENCY\",\"merchant_reference_id\":\"$REFERENCE\"}")"
SESSION_ID="$(jq -r .id <<<"$SESSION")"
echo "   $SESSION_ID: $(jq -r .status <<<"$SESSION")"

echo "3) buyer (PUT /ucp/public/checkout/sessions/$SESSION_ID)"
SESSION="$(call PUT "/ucp/public/checkout/sessions/$SESSION_ID" "$BUYER" \
  "{\"line_items\":$LINES,\"currency\":\"$CURRENCY\",\"merchant_reference_id\":\"$REFERENCE\",\"buyer\":{\"email\":\"$EMAIL\"}}")"
echo "   $(jq -r .status <<<"$SESSION"), total $(jq -r '.ordercore_totals.total' <<<"$SESSION") $CURRENCY, stock held until $(jq -r .expires_at <<<"$SESSION")"

echo "4) PaymentIntent (POST /ucp/public/checkout/sessions/$SESSION_ID/payment-intent)"
if INTENT="$(call POST "/ucp/public/checkout/sessions/$SESSION_ID/payment-intent" "$BUYER" '{}' 2>/tmp/ordercore-pi-error.$$)"; then
  PI="$(jq -r .payment_intent_id <<<"$INTENT")"
  echo "   $PI for $(jq -r .amount <<<"$INTENT") (minor units); confirm its client_secret with Stripe.js / Payment Element:"
  echo "   client_secret: $(jq -r .client_secret <<<"$INTENT")"
  PAYMENT="{\"payment_data\":{\"handler_id\":\"card\",\"payment_intent_id\":\"$PI\"}}"
else
  cat /tmp/ordercore-pi-error.$$ >&2
  echo "   Stripe is not configured here (Stripe__SecretKey); the test handler completes instead when Checkout__AllowTestPayments=true."
  PAYMENT='{"payment_data":{"handler_id":"test"}}'
fi
rm -f /tmp/ordercore-pi-error.$$

echo
echo "5) after the buyer's confirmation, complete (one order, and checkout.completed):"
echo "curl -sS -X POST $BASE/ucp/public/checkout/sessions/$SESSION_ID/complete \\"
echo "  -H \"Authorization: Bearer $TOKEN\" -H \"Content-Type: application/json\" \\"
echo "  -d '$PAYMENT'"
echo
echo "Then: curl -sS \"$BASE/v1/orders/lookup?merchant_reference_id=$REFERENCE\" -H \"X-API-Key: \$ORDERCORE_API_KEY\""
