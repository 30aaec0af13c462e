# shellcheck shell=bash
# Helpers for the merchant shell scripts (sourced): curl + jq calls to the OrderCore API and the
# "ok / FAIL" lines they print.
#
#   oc_init                      needs curl and jq; sets OC_BASE from ORDERCORE_BASE_URL (default http://127.0.0.1:8080)
#   oc_require_key               ORDERCORE_API_KEY must be set (exit 2 otherwise)
#   oc_call METHOD PATH [BODY]   sets OC_STATUS and OC_BODY; POSTs carry a fresh Idempotency-Key
#   oc_expect METHOD PATH [BODY] oc_call, and fail unless the answer is 2xx
#   oc_ok TEXT / oc_fail TEXT    print a passed check / print a failed one and exit 1
#   oc_health                    GET /health must say ok
#   oc_wait_delivery ID SECONDS  poll a delivery until it is no longer pending; sets OC_BODY
#   oc_receives_js EVENT         jq filter: does an endpoint object subscribe to EVENT
# The API key goes to curl on a file descriptor, so it never shows in the process list; nothing prints it.

oc_ok() { printf 'ok    %s\n' "$*"; }
oc_fail() { printf 'FAIL  %s\n' "$*" >&2; exit 1; }

oc_init() {
  local tool
  for tool in curl jq; do
    command -v "$tool" >/dev/null || { printf 'FAIL  %s is required\n' "$tool" >&2; exit 2; }
  done
  OC_BASE="${ORDERCORE_BASE_URL:-http://127.0.0.1:8080}"
  OC_BASE="${OC_BASE%/}"
}

oc_require_key() {
  [[ -n "${ORDERCORE_API_KEY:-}" ]] || { printf 'FAIL  set ORDERCORE_API_KEY to your oc_live_... key\n' >&2; exit 2; }
}

oc_call() {
  local method="$1" path="$2" body="${3:-}" out
  local args=(-sS -X "$method" -H "Accept: application/json" -w '\n%{http_code}' --max-time "${OC_TIMEOUT:-30}")
  [[ -n "$body" ]] && args+=(-H "Content-Type: application/json" --data-binary "$body")
  [[ "$method" == POST ]] && args+=(-H "Idempotency-Key: ${OC_IDEMPOTENCY_KEY:-oc-sh-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')}")
  if [[ -n "${ORDERCORE_API_KEY:-}" ]]; then
    out="$(curl "${args[@]}" -H @<(printf 'X-API-Key: %s\n' "$ORDERCORE_API_KEY") "$OC_BASE$path" 2>&1)" || {
      OC_STATUS=000 OC_BODY="$out"
      return 0
    }
  else
    out="$(curl "${args[@]}" "$OC_BASE$path" 2>&1)" || { OC_STATUS=000 OC_BODY="$out"; return 0; }
  fi
  OC_STATUS="${out##*$'\n'}"
  OC_BODY="${out%$'\n'*}"
}

# "error: message" of a problem answer, or the curl error.
oc_problem() {
  if [[ "$OC_STATUS" == 000 ]]; then
    printf 'could not reach %s (%s)' "$OC_BASE" "$OC_BODY"
  else
    jq -r '"\(.error // "error"): \(.message // "")"' <<<"$OC_BODY" 2>/dev/null || printf 'HTTP %s' "$OC_STATUS"
  fi
}

oc_expect() {
  oc_call "$@"
  [[ "$OC_STATUS" == 2?? ]] || oc_fail "$1 $2 answered $OC_STATUS $(oc_problem)"
}

oc_health() {
  oc_call GET /health
  [[ "$OC_STATUS" == 200 ]] || oc_fail "health: $OC_BASE/health answered $OC_STATUS $(oc_problem)"
  oc_ok "health: $OC_BASE is up (database $(jq -r '.database // "?"' <<<"$OC_BODY"))"
}

oc_wait_delivery() {
  local id="$1" deadline=$((SECONDS + $2))
  while :; do
    oc_expect GET "/v1/webhooks/deliveries/$id"
    [[ "$(jq -r .status <<<"$OC_BODY")" != pending ]] && return 0
    ((SECONDS < deadline)) || return 1
    sleep 1
  done
}

oc_receives_js() {
  printf '[.events[] | . == "*" or . == "%s" or (endswith(".*") and ("%s" | startswith(.[0:-1])))] | any' "$1" "$1"
}
