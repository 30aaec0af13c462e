#!/usr/bin/env bash
# Run OrderCore locally: PostgreSQL + the API in the foreground (Ctrl-C stops both).
#
#   scripts/run.sh
#
# Environment:
#   ORDERCORE_DB        Npgsql connection string; if set, that database is used and
#                       no local PostgreSQL is started.
#   ORDERCORE_PG_PORT   port of the project-owned cluster (default 55432).
#   ORDERCORE_URLS      listen address(es) (default http://127.0.0.1:8080).
#
# Without ORDERCORE_DB a project-owned cluster lives in .data/postgres (created on
# first use; superuser "postgres", trust auth, listening on 127.0.0.1 only; server
# log in .data/postgres/server.log). It is stopped when the app exits; the data stays
# for the next run. A cluster left running by a crashed run is reused (and stopped).
# The demo tenant's API key is kept in .data/demo-api-key (created on first run).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/lib/pg.sh

CONFIG=Release
PROJECT=src/OrderCore.Api/OrderCore.Api.csproj
DATA_DIR="$ROOT/.data"
PG_DATA="$DATA_DIR/postgres"
KEY_FILE="$DATA_DIR/demo-api-key"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

mkdir -p "$DATA_DIR"
# Root runs the cluster as "postgres", which must be able to traverse .data
# (the key file itself stays mode 600).
[[ "$(id -u)" -eq 0 ]] && chmod o+x "$DATA_DIR"

# --- demo API key -----------------------------------------------------------------
if [[ ! -s "$KEY_FILE" ]]; then
  # 32 random bytes -> 43 URL-safe base64 chars (no padding). No trailing newline,
  # so the file content is exactly the key.
  key="oc_live_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  (umask 077 && printf '%s' "$key" >"$KEY_FILE")
fi
chmod 600 "$KEY_FILE"

# --- app process handling -------------------------------------------------------------
PG_OURS=0   # 1 when this script is responsible for stopping the cluster
APP_PID=""

cleanup() {
  local rc=$?
  trap - EXIT
  trap '' INT TERM   # a second Ctrl-C must not interrupt stopping the database
  if [[ -n "$APP_PID" ]] && kill -0 "$APP_PID" 2>/dev/null; then
    kill -TERM "$APP_PID" 2>/dev/null || true
    wait "$APP_PID" 2>/dev/null || true
  fi
  if [[ "$PG_OURS" == 1 ]]; then
    pg_stop "$PG_DATA" || true
  fi
  exit "$rc"
}
trap cleanup EXIT
# Before the app runs, Ctrl-C/TERM simply end the script (cleanup still runs).
trap 'exit 130' INT
trap 'exit 143' TERM

# Build first so compile errors show up before we start a database.
dotnet build "$PROJECT" -c "$CONFIG"
APP_DLL="$(dotnet msbuild "$PROJECT" -getProperty:TargetPath -p:Configuration="$CONFIG" 2>/dev/null || true)"
[[ -f "$APP_DLL" ]] || APP_DLL="$ROOT/src/OrderCore.Api/bin/$CONFIG/net10.0/OrderCore.Api.dll"

# --- database -------------------------------------------------------------------------
if [[ -n "${ORDERCORE_DB:-}" ]]; then
  echo "Using database from ORDERCORE_DB (no local PostgreSQL started)."
else
  pg_init "$PG_DATA"
  PG_OURS=1   # set before starting: an interrupted start is still cleaned up
  pg_start "$PG_DATA" "${ORDERCORE_PG_PORT:-55432}"
  [[ "$PG_REUSED" == 1 ]] && echo "Reusing the already running cluster; it will be stopped when the app exits."
  pg_ensure_db "$PG_PORT" ordercore
  export ORDERCORE_DB
  ORDERCORE_DB="$(pg_conn_string "$PG_PORT" ordercore)"
  echo "PostgreSQL: 127.0.0.1:$PG_PORT, data in .data/postgres (log: .data/postgres/server.log)"
fi

# --- app --------------------------------------------------------------------------------
export ASPNETCORE_URLS="${ORDERCORE_URLS:-http://127.0.0.1:8080}"
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
export ORDERCORE_DEMO_API_KEY_FILE="$KEY_FILE"
export Webhooks__AllowHttp=true
export Webhooks__AllowPrivateTargets=true
# Local development only: checkout accepts {"payment_data": {"handler_id": "test"}}, so the whole flow
# runs without a Stripe account (set Checkout__AllowTestPayments=false to turn it off).
export Checkout__AllowTestPayments="${Checkout__AllowTestPayments:-true}"

# First listen URL, with wildcard hosts turned into something curl can reach.
base_url="${ASPNETCORE_URLS%%;*}"
base_url="$(sed -E 's#://(\*|\+|0\.0\.0\.0|\[::\])#://127.0.0.1#; s#/+$##' <<<"$base_url")"

echo
echo "Demo API key: $(cat "$KEY_FILE") (saved in .data/demo-api-key)"
echo "Try: curl -H \"X-API-Key: \$(cat .data/demo-api-key)\" $base_url/v1/orders"
echo "API docs:  $base_url/swagger (OpenAPI: $base_url/openapi/v1.json)"
echo "Probes:    $base_url/health/live, $base_url/health/ready (and $base_url/health)"
echo "Metrics:   $base_url/metrics (Prometheus; loopback callers only)"
echo "Note: local development allows http:// and private-network webhook targets."
if [[ "$Checkout__AllowTestPayments" == true ]]; then
  echo "Note: checkout test payments are ON (Checkout__AllowTestPayments=true): payment_data.handler_id \"test\" completes a session without Stripe."
fi
echo "Listening on $ASPNETCORE_URLS (Ctrl-C to stop)"
echo

# Run the app as a child (not exec) so the cluster can be stopped after it exits.
# Signals sent to this script are forwarded as SIGTERM (the .NET host shuts down
# gracefully on it; a background child may have SIGINT ignored by bash).
# A terminal Ctrl-C reaches the app directly as well.
# The app runs from its project dir, like `dotnet run`, so its content root
# (appsettings*.json) is the project directory.
(cd "$ROOT/src/OrderCore.Api" && exec dotnet "$APP_DLL") &
APP_PID=$!
STOP_REQUESTED=0
forward() { STOP_REQUESTED=1; kill -TERM "$APP_PID" 2>/dev/null || true; }
trap forward INT TERM

# `wait` returns early when a trapped signal arrives; keep waiting until the app is gone.
while kill -0 "$APP_PID" 2>/dev/null; do wait "$APP_PID" || true; done
wait "$APP_PID" && app_rc=0 || app_rc=$?
APP_PID=""
echo "OrderCore.Api exited with code $app_rc"
# Stopping on request (Ctrl-C / TERM) is a normal end, whatever code the host used.
if [[ "$STOP_REQUESTED" == 1 ]] && (( app_rc == 0 || app_rc == 130 || app_rc == 143 )); then
  app_rc=0
fi
exit "$app_rc"
