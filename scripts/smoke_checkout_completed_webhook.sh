#!/usr/bin/env bash
# Smoke test: a synthetic, signed checkout.completed reaches this tenant's active endpoints that receive
# it, and each delivery succeeds. Exit 0 when all of them did, 1 otherwise (also when no active endpoint
# receives checkout.completed), 2 on a usage error.
#
#   ORDERCORE_API_KEY=oc_live_... [ORDERCORE_BASE_URL=http://127.0.0.1:8080] \
#     scripts/smoke_checkout_completed_webhook.sh [--mode standard|retryable] [--timeout SECONDS]
#
# --mode retryable (what smoke_checkout_completed_retry_worker.sh runs): attempt 1 is recorded as a
# simulated failure, so success must come from the retry worker, on attempt 2.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/ordercore_api.sh"

EVENT=checkout.completed
MODE=standard
TIMEOUT=60
while (($#)); do
  case "$1" in
    --mode) MODE="${2:-}"; shift 2 || true ;;
    --timeout) TIMEOUT="${2:-}"; shift 2 || true ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$MODE" == standard || "$MODE" == retryable ]] || { echo "--mode must be standard or retryable" >&2; exit 2; }
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || { echo "--timeout must be a number of seconds" >&2; exit 2; }

oc_init
oc_require_key
oc_health

oc_expect GET "/v1/webhooks/endpoints?active=true&per_page=100"
receivers="$(jq -r ".data[] | select($(oc_receives_js "$EVENT")) | .id" <<<"$OC_BODY")"
if [[ -z "$receivers" ]]; then
  oc_fail "endpoints: no active webhook endpoint of this tenant receives $EVENT; create one, e.g." \
    "python3 scripts/ordercore_merchant_helper.py webhook-endpoints-create --url https://example.com/webhooks/ordercore --events $EVENT"
fi
oc_ok "endpoints: $(wc -w <<<"$receivers") active endpoint(s) receive $EVENT: $(paste -sd ' ' <<<"$receivers")"

oc_expect POST /v1/webhooks/smoke "{\"mode\":\"$MODE\",\"event_type\":\"$EVENT\"}"
event_id="$(jq -r .event_id <<<"$OC_BODY")"
oc_ok "smoke: $MODE $EVENT event $event_id sent to $(jq '.delivery_ids | length' <<<"$OC_BODY") endpoint(s)"

oc_expect GET "/v1/webhooks/deliveries?event_id=$event_id&limit=100"
deliveries="$(jq -r '.data[] | "\(.id) \(.endpoint_id)"' <<<"$OC_BODY")"
failures=0 judged=0
while read -r delivery endpoint; do
  grep -qx "$endpoint" <<<"$receivers" || continue   # the smoke event goes to every active endpoint; judge the receivers only
  judged=$((judged + 1))
  if ! oc_wait_delivery "$delivery" "$TIMEOUT"; then
    echo "FAIL  delivery $delivery to $endpoint: still pending after ${TIMEOUT}s (attempt $(jq -r .attempt <<<"$OC_BODY"), last error: $(jq -r '.last_error // "none"' <<<"$OC_BODY"))" >&2
    failures=$((failures + 1))
    continue
  fi
  read -r status attempt code latency first_error < <(jq -r '[.status, .attempt, (.last_status_code // "-"), (.latency_ms // "-"),
    (.attempts[0].error // "-" | gsub(" "; "_"))] | @tsv' <<<"$OC_BODY")
  summary="delivery $delivery to $endpoint: $status on attempt $attempt (HTTP $code, $latency ms)"
  if [[ "$status" != succeeded ]]; then
    echo "FAIL  $summary, last error: $(jq -r '.last_error // "none"' <<<"$OC_BODY")" >&2
    failures=$((failures + 1))
  elif [[ "$MODE" == retryable && ( "$attempt" != 2 || "$first_error" != simulated_failure* ) ]]; then
    echo "FAIL  $summary: expected the simulated failure on attempt 1 and success on attempt 2" >&2
    failures=$((failures + 1))
  else
    [[ "$MODE" == retryable ]] && summary+=" after the simulated failure of attempt 1"
    oc_ok "$summary"
  fi
done <<<"$deliveries"

((judged > 0)) || oc_fail "smoke: event $event_id made no delivery to an endpoint that receives $EVENT"
((failures == 0)) || oc_fail "smoke: $failures delivery(ies) of $event_id did not succeed"
oc_ok "smoke: every endpoint that receives $EVENT got event $event_id"
