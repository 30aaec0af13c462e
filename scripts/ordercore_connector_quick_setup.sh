#!/usr/bin/env bash
# Connector quick setup: shows what this OrderCore offers for a commerce platform's connector.
#
#   [ORDERCORE_API_KEY=oc_live_...] [ORDERCORE_BASE_URL=http://127.0.0.1:8080] \
#     bash scripts/ordercore_connector_quick_setup.sh --platform shopify
#
# It asks the public diagnostics route (GET /integrations/<platform>/status) and, with a key, the tenant's
# own (GET /v1/integrations/<platform>/status) and prints what they answer. Then, given setup flags or run in
# a terminal, it connects a store (scripts/lib/<platform>_connector_setup.sh: --shop-domain, --webhook-secret,
# --location-id, --test-sku, --no-test, --yes, ...): prints the webhook URL and topics to configure, sends a
# signed test order and shows the resulting order and sync log. Exit 0 when the connector is there (and the
# setup, if run, succeeded), 3 when this OrderCore has no such connector (start with a catalog CSV instead),
# 1 when the service cannot be reached or the setup failed, 2 on a usage error.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/ordercore_api.sh"

PLATFORMS=(shopify)
PLATFORM=""
SETUP_ARGS=()   # everything else goes to the platform's setup script, which checks it
while (($#)); do
  case "$1" in
    --platform) PLATFORM="${2:-}"; shift 2 || true ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) SETUP_ARGS+=("$1"); shift ;;
  esac
done
[[ " ${PLATFORMS[*]} " == *" $PLATFORM "* ]] || { echo "--platform must be one of: ${PLATFORMS[*]}" >&2; exit 2; }

oc_init
oc_health
found=0
routes=("/integrations/$PLATFORM/status")
[[ -n "${ORDERCORE_API_KEY:-}" ]] && routes+=("/v1/integrations/$PLATFORM/status")
for route in "${routes[@]}"; do
  oc_call GET "$route"
  case "$OC_STATUS" in
    200) found=1; oc_ok "$PLATFORM: GET $route"; jq . <<<"$OC_BODY" ;;
    404) echo "n/a   $PLATFORM: GET $route does not exist in this OrderCore" ;;
    *) oc_fail "$PLATFORM: GET $route answered $OC_STATUS $(oc_problem)" ;;
  esac
done
if ((found == 0)); then
  echo "The $PLATFORM connector is not available yet in this OrderCore (exit 3)."
  echo "Start without a connector: bash scripts/ordercore_quick_setup.sh --catalog-csv ./catalog.csv"
  exit 3
fi

setup="$(dirname "${BASH_SOURCE[0]}")/lib/${PLATFORM}_connector_setup.sh"
if ((${#SETUP_ARGS[@]})) || [[ -t 0 ]]; then
  exec bash "$setup" "${SETUP_ARGS[@]}"
fi
echo "Connect a store: bash scripts/ordercore_connector_quick_setup.sh --platform $PLATFORM --shop-domain NAME.myshopify.com --webhook-secret ..."
echo "(or run it in a terminal to be asked)"
