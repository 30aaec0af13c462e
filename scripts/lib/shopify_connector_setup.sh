#!/usr/bin/env bash
# Connects a Shopify store to OrderCore and proves the path end to end. The connector wizard
# (scripts/ordercore_connector_quick_setup.sh --platform shopify) calls this; it also runs on its own:
#
#   scripts/lib/shopify_connector_setup.sh [--base-url URL] [--api-key KEY] [--shop-domain NAME.myshopify.com]
#       [--webhook-secret SECRET] [--location-id ID] [--test-sku CODE] [--test-price 10.00] [--no-test] [--yes]
#
# Flags fall back to ORDERCORE_BASE_URL, ORDERCORE_API_KEY, SHOPIFY_SHOP_DOMAIN, SHOPIFY_WEBHOOK_SECRET,
# then to prompts (when stdin is a terminal and --yes is not given). Steps:
#   1. connect the store (POST /v1/integrations/shopify/stores; the secret is sent once, never shown);
#   2. print the webhook URL and the topics to subscribe to in Shopify;
#   3. unless --no-test: send an orders/create signed exactly as Shopify signs (base64 HMAC-SHA256 of the raw
#      body with the store's secret) to the service, wait for it to be processed, and show the order and sync log.
# Exits non-zero, saying why on stderr, when any step fails. Needs bash, curl, jq and openssl.
set -euo pipefail

BASE_URL="${ORDERCORE_BASE_URL:-http://127.0.0.1:8080}"
API_KEY="${ORDERCORE_API_KEY:-}"
SHOP_DOMAIN="${SHOPIFY_SHOP_DOMAIN:-}"
WEBHOOK_SECRET="${SHOPIFY_WEBHOOK_SECRET:-}"
LOCATION_ID=""
TEST_SKU=""
TEST_PRICE="10.00"
RUN_TEST=1
ASSUME_YES=0
WAIT_SECONDS="${SHOPIFY_SETUP_WAIT_SECONDS:-30}"

die() { echo "shopify setup: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is required"; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --base-url) BASE_URL="$2"; shift 2 ;;
    --api-key) API_KEY="$2"; shift 2 ;;
    --shop-domain) SHOP_DOMAIN="$2"; shift 2 ;;
    --webhook-secret) WEBHOOK_SECRET="$2"; shift 2 ;;
    --location-id) LOCATION_ID="$2"; shift 2 ;;
    --test-sku) TEST_SKU="$2"; shift 2 ;;
    --test-price) TEST_PRICE="$2"; shift 2 ;;
    --no-test) RUN_TEST=0; shift ;;
    --yes|-y) ASSUME_YES=1; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done

need curl; need jq; need openssl

ask() { # ask VAR "Prompt" [silent]
  local var="$1" prompt="$2" silent="${3:-}" value=""
  if [[ -n "${!var}" ]]; then return; fi
  if [[ "$ASSUME_YES" == 1 || ! -t 0 ]]; then die "missing ${var,,} (give it as a flag or in the environment)"; fi
  if [[ -n "$silent" ]]; then read -r -s -p "$prompt: " value; echo >&2; else read -r -p "$prompt: " value; fi
  printf -v "$var" '%s' "$value"
}

ask API_KEY "OrderCore API key (integrations:write)" silent
ask SHOP_DOMAIN "Shopify store domain (name.myshopify.com)"
ask WEBHOOK_SECRET "Shopify webhook signing secret" silent
BASE_URL="${BASE_URL%/}"

# call METHOD PATH [JSON]: prints the body; fails with the API's message on a non-2xx answer.
call() {
  local method="$1" path="$2" data="${3:-}" out status
  out="$(mktemp)"
  status="$(curl -sS -o "$out" -w '%{http_code}' -X "$method" "$BASE_URL$path" -H "X-API-Key: $API_KEY" \
    -H 'Content-Type: application/json' ${data:+--data-binary "$data"})" || { rm -f "$out"; die "$method $path: the service did not answer"; }
  if [[ "$status" != 2* ]]; then
    local message; message="$(jq -r '.message // empty' "$out" 2>/dev/null || true)"
    rm -f "$out"; die "$method $path answered $status${message:+: $message}"
  fi
  cat "$out"; rm -f "$out"
}

connect_body="$(jq -n --arg d "$SHOP_DOMAIN" --arg s "$WEBHOOK_SECRET" --arg l "$LOCATION_ID" \
  '{shop_domain: $d, webhook_secret: $s} + (if $l == "" then {} else {location_id: $l} end)')"
store="$(call POST /v1/integrations/shopify/stores "$connect_body")"
store_id="$(jq -r .id <<<"$store")"
SHOP_DOMAIN="$(jq -r .shop_domain <<<"$store")"
echo "Connected $SHOP_DOMAIN as $store_id."
echo
echo "In Shopify admin (Settings > Notifications > Webhooks), create one webhook per topic, format JSON, URL:"
echo "  $(jq -r .webhook_url <<<"$store")"
echo "Topics:"
jq -r '.webhook_topics[] | "  " + .' <<<"$store"

[[ "$RUN_TEST" == 1 ]] || exit 0

if [[ -z "$TEST_SKU" ]]; then
  TEST_SKU="$(call GET '/v1/products?per_page=1&status=active' | jq -r '.data[0].skus[0].sku_code // empty')"
  [[ -n "$TEST_SKU" ]] || die "no SKU to test with: create a product first or pass --test-sku"
fi

order_id_shopify="$(( $(date +%s) * 1000 + RANDOM ))"
body="$(jq -cn --argjson id "$order_id_shopify" --arg sku "$TEST_SKU" --arg price "$TEST_PRICE" '{
  id: $id, name: ("#TEST-" + ($id | tostring)), email: "jon@example.com", currency: "USD", financial_status: "paid",
  total_price: $price, subtotal_price: $price, test: true,
  line_items: [{id: 1, title: "Connector test", sku: $sku, quantity: 1, price: $price}]}')"
signature="$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$WEBHOOK_SECRET" -binary | base64)"
webhook_id="setup-$order_id_shopify"

echo
echo "Sending a signed test orders/create (Shopify order $order_id_shopify, SKU $TEST_SKU)..."
receipt="$(curl -sS -X POST "$BASE_URL/integrations/shopify/webhooks" -H 'Content-Type: application/json' \
  -H "X-Shopify-Topic: orders/create" -H "X-Shopify-Shop-Domain: $SHOP_DOMAIN" -H "X-Shopify-Webhook-Id: $webhook_id" \
  -H "X-Shopify-Hmac-Sha256: $signature" --data-binary "$body" -w '\n%{http_code}')" || die "the webhook route did not answer"
[[ "$(tail -n1 <<<"$receipt")" == 200 ]] || die "the webhook was refused: $(head -n -1 <<<"$receipt")"
event_id="$(head -n -1 <<<"$receipt" | jq -r .event_id)"

event=""
for _ in $(seq 1 $((WAIT_SECONDS * 5))); do
  event="$(call GET "/v1/integrations/shopify/webhook-events?per_page=100" | jq -c --arg id "$event_id" '.data[] | select(.id == $id)')"
  status="$(jq -r '.status // empty' <<<"$event")"
  [[ "$status" == processed || "$status" == failed ]] && break
  sleep 0.2
done
log="$(call GET "/v1/integrations/shopify/sync-logs?shopify_order_id=$order_id_shopify" | jq '.data[0]')"
echo "Sync log:"
jq '{action, outcome, shopify_order_id, order_id, message, at}' <<<"$log"
[[ "$(jq -r .status <<<"$event")" == processed ]] || die "the test order was not processed: $(jq -r '.error // .status' <<<"$event")"

order_id="$(jq -r .order_id <<<"$event")"
echo "Order:"
call GET "/v1/orders/$order_id" | jq '{id, order_number, status, source_platform, merchant_reference_id, currency, total, items: [.items[] | {sku_code, quantity, unit_price}]}'
echo "Done: $SHOP_DOMAIN is connected and its signed orders become OrderCore orders."
