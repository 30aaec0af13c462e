#!/usr/bin/env bash
# OrderCore quick setup: from an API key to a go-live verdict in one run.
#
#   bash scripts/ordercore_quick_setup.sh                  # asks what it needs
#   ORDERCORE_API_KEY=oc_live_... bash scripts/ordercore_quick_setup.sh --yes \
#     [--catalog-csv FILE [--price-list-code CODE] [--location-code CODE]] \
#     [--webhook-url URL [--secret-file PATH]] [--skip-order] [--smoke-timeout SECONDS]
#
# Steps: health; key check (GET /v1/account/auth); catalog (demo data, or the CSV file); a first test order
# (Idempotency-Key quick-setup-first-order-<sku>, so re-runs make no second order); a webhook endpoint for
# checkout.completed (an active one is reused); the smoke test (smoke_checkout_completed_webhook.sh);
# readiness (GET /v1/account/readiness). Every step prints ok or FAIL.
# --yes asks nothing: demo data unless --catalog-csv, no endpoint unless --webhook-url. The endpoint's
# secret is shown once when a person runs the wizard; with --yes it goes to --secret-file (mode 600) and
# only its first characters are printed.
# Base URL: ORDERCORE_BASE_URL (default http://127.0.0.1:8080). Exit 0 when readiness says ready,
# 1 when a step fails or readiness is not ready, 2 on a usage error.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/lib/ordercore_api.sh"

YES=0 CSV="" PRICE_LIST="" LOCATION="" WEBHOOK_URL="" SECRET_FILE="" SKIP_ORDER=0 SMOKE_TIMEOUT=60
usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; }
need() { [[ -n "${2:-}" ]] || { echo "$1 needs a value (see --help)" >&2; exit 2; }; }
while (($#)); do
  case "$1" in
    --yes|-y) YES=1; shift ;;
    --catalog-csv) need "$1" "${2:-}"; CSV="$2"; shift 2 ;;
    --price-list-code) need "$1" "${2:-}"; PRICE_LIST="$2"; shift 2 ;;
    --location-code) need "$1" "${2:-}"; LOCATION="$2"; shift 2 ;;
    --webhook-url) need "$1" "${2:-}"; WEBHOOK_URL="$2"; shift 2 ;;
    --secret-file) need "$1" "${2:-}"; SECRET_FILE="$2"; shift 2 ;;
    --skip-order) SKIP_ORDER=1; shift ;;
    --smoke-timeout) need "$1" "${2:-}"; SMOKE_TIMEOUT="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ -z "$CSV" || -r "$CSV" ]] || { echo "--catalog-csv: cannot read $CSV" >&2; exit 2; }

# ask PROMPT DEFAULT: one answer from the person at the keyboard (or stdin); --yes takes the default.
ask() {
  local answer=""
  if ((YES == 0)); then read -r -p "$1" answer || true; fi
  printf '%s' "${answer:-$2}"
}

oc_init
echo "OrderCore quick setup for $OC_BASE"
oc_health

# --- key --------------------------------------------------------------------------------------------------
if [[ -z "${ORDERCORE_API_KEY:-}" ]]; then
  ((YES == 0)) || { echo "FAIL  set ORDERCORE_API_KEY (--yes asks nothing)" >&2; exit 2; }
  read -r -s -p "API key (oc_live_...): " ORDERCORE_API_KEY || true
  echo >&2
  export ORDERCORE_API_KEY
fi
oc_require_key
oc_expect GET /v1/account/auth
oc_ok "key: $(jq -r '"\(.api_key_prefix)... of tenant \(.tenant_name) (\(.tenant_id)), scopes \(.api_key_scopes | join(","))"' <<<"$OC_BODY")"

# --- catalog ----------------------------------------------------------------------------------------------
if [[ -z "$CSV" ]]; then
  CSV="$(ask "Catalog: press Enter for demo data, or type the path of a catalog CSV: " "")"
  [[ -z "$CSV" || -r "$CSV" ]] || oc_fail "catalog: cannot read $CSV"
fi
if [[ -n "$CSV" ]]; then
  oc_expect POST /v1/onboarding/catalog-csv "$(jq -n --rawfile csv "$CSV" --arg pl "$PRICE_LIST" --arg loc "$LOCATION" \
    '{csv: $csv} + (if $pl != "" then {price_list_code: $pl} else {} end) + (if $loc != "" then {location_code: $loc} else {} end)')"
  oc_ok "catalog: imported $(jq -r --arg f "$CSV" '"\(.imported_rows) row(s) from \($f) into price list \(.price_list_code), stock at \(.location_code)"' <<<"$OC_BODY")"
else
  oc_expect POST /v1/onboarding/demo-data '{}'
  oc_ok "catalog: demo data $(jq -r 'if .created then "created" else "already there" end' <<<"$OC_BODY") ($(jq '.products | length' <<<"$OC_BODY") products, customer $(jq -r .sample_customer_id <<<"$OC_BODY"))"
fi
SKU_ID="$(jq -r '.sample_order_item.sku_id // empty' <<<"$OC_BODY")"
CUSTOMER_ID="$(jq -r '.sample_customer_id // empty' <<<"$OC_BODY")"

# --- first order ------------------------------------------------------------------------------------------
if ((SKIP_ORDER == 0)) && [[ -n "$SKU_ID" ]]; then
  OC_IDEMPOTENCY_KEY="quick-setup-first-order-$SKU_ID" oc_expect POST /v1/orders \
    "$(jq -n --arg sku "$SKU_ID" --arg cust "$CUSTOMER_ID" '{items: [{sku_id: $sku, quantity: 1}]} + (if $cust != "" then {customer_id: $cust} else {} end)')"
  oc_ok "order: $(jq -r '"\(.order_number) (\(.id)) \(.status), total \(.total) \(.currency)"' <<<"$OC_BODY")"
fi

# --- webhook endpoint -------------------------------------------------------------------------------------
oc_expect GET "/v1/webhooks/endpoints?active=true&per_page=100"
existing="$(jq -r "[.data[] | select($(oc_receives_js checkout.completed)) | .id] | first // empty" <<<"$OC_BODY")"
if [[ -n "$existing" ]]; then
  oc_ok "webhook: endpoint $existing already receives checkout.completed"
else
  [[ -n "$WEBHOOK_URL" ]] || WEBHOOK_URL="$(ask "Webhook URL for checkout.completed (Enter to skip): " "")"
  if [[ -n "$WEBHOOK_URL" ]]; then
    oc_expect POST /v1/webhooks/endpoints "$(jq -n --arg url "$WEBHOOK_URL" '{url: $url, events: ["checkout.completed"], description: "quick setup"}')"
    existing="$(jq -r .id <<<"$OC_BODY")"
    secret="$(jq -r .secret <<<"$OC_BODY")"
    if [[ -n "$SECRET_FILE" ]]; then
      (umask 077 && printf '%s' "$secret" >"$SECRET_FILE")
      oc_ok "webhook: endpoint $existing created for $WEBHOOK_URL; its secret is in $SECRET_FILE"
    elif ((YES == 0)); then
      oc_ok "webhook: endpoint $existing created for $WEBHOOK_URL; its secret (shown only now, store it): $secret"
    else
      oc_ok "webhook: endpoint $existing created for $WEBHOOK_URL; secret ${secret:0:10}... not saved (pass --secret-file, or rotate it: POST /v1/webhooks/endpoints/$existing/rotate-secret)"
    fi
  else
    echo "skip  webhook: no endpoint (readiness will say so); add one with --webhook-url"
  fi
fi

# --- smoke test -------------------------------------------------------------------------------------------
failed=0
if [[ -n "$existing" ]]; then
  bash "$HERE/smoke_checkout_completed_webhook.sh" --timeout "$SMOKE_TIMEOUT" || failed=1
fi

# --- readiness --------------------------------------------------------------------------------------------
oc_expect GET /v1/account/readiness
jq -r '.checks[] | "\({pass: "ok   ", warn: "warn ", fail: "FAIL "}[.status]) readiness \(.name): \(.detail)"' <<<"$OC_BODY"
if [[ "$(jq -r .ready <<<"$OC_BODY")" == true ]] && ((failed == 0)); then
  oc_ok "ready to go live"
  exit 0
fi
oc_fail "not ready yet: fix the FAIL lines above and run this again"
