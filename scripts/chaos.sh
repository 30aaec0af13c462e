#!/usr/bin/env bash
# Faults under load, on a pg_auto_failover formation, all on 127.0.0.1 (no Docker):
#
#   scripts/chaos.sh
#
# Builds the API, creates a formation (a monitor, a primary and a synchronous secondary; the Debian packages
# postgresql-15-auto-failover and pg-auto-failover-cli are installed when missing), starts the API on it with a
# multi-host connection string (Target Session Attributes=primary) and a webhook receiver (scripts/lib/chaos.py), creates
# a tenant, a SKU and an endpoint for order.created, and runs order creation with Idempotency-Keys under load (each key
# is repeated until it is answered) while, in turn:
#   api-kill-9         kill -9 of the API, then a restart
#   postgres-restart   pg_ctl restart -m fast of the primary
#   failover           pg_autoctl perform failover (the secondary becomes the primary)
# Then it prints: acknowledged orders lost, keys with two orders, events not delivered, deliveries sent twice, 5xx
# answers and the seconds until the API served orders again, per fault; and exits 1 on a loss (see chaos.py report).
#
# Environment: CHAOS_PHASE_SECONDS (load before and after each fault, default 15), CHAOS_WORKERS (concurrent clients,
# default 4), CHAOS_KEEP=1 keeps the work directory (logs of the API, the nodes and the monitor). The whole run is bounded
# (CHAOS_TIMEOUT_SECONDS, default 540); everything it started is stopped and removed on any exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/lib/pg.sh
source scripts/lib/pg_auto_failover.sh

CONFIG=Release
PROJECT=src/OrderCore.Api/OrderCore.Api.csproj
PHASE="${CHAOS_PHASE_SECONDS:-15}"
WORKERS="${CHAOS_WORKERS:-4}"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

WORK="$(mktemp -d -t ordercore-chaos.XXXXXX)"
chmod 755 "$WORK"
API_PID="" RECEIVER_PID="" LOAD_PID="" WATCHDOG_PID=""
STARTED=$SECONDS

log() { printf '[chaos %3ds] %s\n' "$((SECONDS - STARTED))" "$*" >&2; }

stop_pid() {
  local pid="$1" i
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.25; done
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT
  trap '' INT TERM
  set +e   # clean up as far as possible, whatever fails
  touch "$WORK/stop"
  stop_pid "$LOAD_PID"
  stop_pid "$API_PID"
  stop_pid "$RECEIVER_PID"
  paf_stop
  [[ -n "$WATCHDOG_PID" ]] && pkill -TERM -P "$WATCHDOG_PID" 2>/dev/null   # the watchdog's sleep
  stop_pid "$WATCHDOG_PID"
  if [[ "${CHAOS_KEEP:-0}" == 1 ]]; then
    log "kept $WORK"
  else
    rm -rf "$WORK"
  fi
  log "done in $((SECONDS - STARTED)) s (exit $rc)"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'log "stopped: over ${CHAOS_TIMEOUT_SECONDS:-540} s"; exit 124' TERM
(sleep "${CHAOS_TIMEOUT_SECONDS:-540}" && kill -TERM $$) 2>/dev/null &
WATCHDOG_PID=$!

# --- API build ----------------------------------------------------------------------------------------------------
log "building the API"
dotnet build "$PROJECT" -c "$CONFIG" -v quiet -nologo >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
APP_DLL="$ROOT/src/OrderCore.Api/bin/$CONFIG/net10.0/OrderCore.Api.dll"

# --- formation ----------------------------------------------------------------------------------------------------
paf_setup "$WORK/pg"
log "formation: monitor, node1 (primary), node2 (synchronous secondary)"
paf_monitor "$(pg_free_port)"
NODE1_PORT="$(pg_free_port)"
NODE2_PORT="$(pg_free_port)"
while [[ "$NODE2_PORT" == "$NODE1_PORT" ]]; do NODE2_PORT="$(pg_free_port)"; done
paf_node node1 "$NODE1_PORT" ordercore
# The second node joins once the first has registered, so that the first becomes the primary.
for ((i = 0; i < 120; i++)); do
  [[ "$(paf_primary_port 2>/dev/null || true)" == "$NODE1_PORT" ]] && break
  "$PAF_PG_BIN/psql" "$PAF_MONITOR" -XAtc "select 1 from pgautofailover.node where reportedstate in ('single','wait_primary')" 2>/dev/null | grep -q 1 && break
  sleep 0.5
done
paf_node node2 "$NODE2_PORT" ordercore
paf_wait_states 180
psql_primary() { "$PAF_PG_BIN/psql" -h 127.0.0.1 -p "$(paf_primary_port)" -U postgres -d ordercore -XAtq -v ON_ERROR_STOP=1 "$@"; }
# A standby that lost its primary tries again after wal_retrieve_retry_interval (5 s by default); until the synchronous
# standby is back, every commit on the primary waits. 1 s shortens that stall after a restart of the primary.
for port in "$NODE1_PORT" "$NODE2_PORT"; do
  "$PAF_PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -XAtq \
    -c "alter system set wal_retrieve_retry_interval = '1s'" -c "select pg_reload_conf()" >/dev/null
done
DB="Host=127.0.0.1:$NODE1_PORT,127.0.0.1:$NODE2_PORT;Username=postgres;Database=ordercore;Target Session Attributes=primary;Host Recheck Seconds=2;Timeout=5"
sync="$(psql_primary -c 'show synchronous_standby_names')"
[[ -n "$sync" ]] || { log "ERROR: the primary does not replicate synchronously"; exit 1; }
log "formation ready: $(paf_describe); synchronous_standby_names = $sync"

# --- webhook receiver and API ---------------------------------------------------------------------------------------
RECEIVER_PORT="$(pg_free_port)"
python3 scripts/lib/chaos.py receiver "$RECEIVER_PORT" "$WORK/received.log" &
RECEIVER_PID=$!

API_PORT="$(pg_free_port)"
BASE="http://127.0.0.1:$API_PORT"
ADMIN_TOKEN="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
start_api() {
  (cd "$ROOT/src/OrderCore.Api" && exec env ORDERCORE_DB="$DB" ORDERCORE_ADMIN_TOKEN="$ADMIN_TOKEN" \
    ASPNETCORE_URLS="$BASE" ASPNETCORE_ENVIRONMENT=Development \
    Webhooks__AllowHttp=true Webhooks__AllowPrivateTargets=true Webhooks__Lease=00:00:15 Webhooks__Timeout=00:00:05 \
    Webhooks__RetryDelays__0=00:00:01 Webhooks__RetryDelays__1=00:00:02 Webhooks__RetryDelays__2=00:00:05 \
    Webhooks__RetryDelays__3=00:00:10 Webhooks__RetryDelays__4=00:00:20 \
    FailedAuthentication__AttemptsPerMinute=100000 \
    dotnet "$APP_DLL" >>"$WORK/api.log" 2>&1) &
  API_PID=$!
  local i
  for ((i = 0; i < 240; i++)); do
    curl -fsS -o /dev/null --max-time 2 "$BASE/health/ready" 2>/dev/null && return 0
    kill -0 "$API_PID" 2>/dev/null || { tail -n 30 "$WORK/api.log" >&2; return 1; }
    sleep 0.25
  done
  log "ERROR: the API was not ready within 60 s"; tail -n 30 "$WORK/api.log" >&2
  return 1
}
start_api
log "API on $BASE (pid $API_PID), receiver on 127.0.0.1:$RECEIVER_PORT"

api() { # METHOD PATH BODY AUTH-HEADER-FILE: the body of a 2xx answer, or exit
  local out
  out="$(curl -sS -X "$1" "$BASE$2" -H "Content-Type: application/json" -H @"$4" --data-binary "$3" -w '\n%{http_code}')"
  [[ "${out##*$'\n'}" == 2?? ]] || { log "ERROR: $1 $2 answered ${out##*$'\n'}: ${out%$'\n'*}"; exit 1; }
  printf '%s' "${out%$'\n'*}"
}
(umask 077 && printf 'Authorization: Bearer %s\n' "$ADMIN_TOKEN" >"$WORK/admin.header")
tenant="$(api POST /admin/v1/tenants '{"name":"Chaos"}' "$WORK/admin.header")"
TENANT_ID="$(jq -r .tenant.id <<<"$tenant")"
# The load is far above the default 1,000 requests a minute of a key.
api PATCH "/admin/v1/tenants/$TENANT_ID" '{"rate_limit_per_minute":1000000}' "$WORK/admin.header" >/dev/null
(umask 077 && jq -r .api_key.key <<<"$tenant" >"$WORK/api.key" && printf 'X-API-Key: %s\n' "$(cat "$WORK/api.key")" >"$WORK/key.header")
catalog="$(api POST /v1/onboarding/catalog-csv \
  "$(jq -n '{csv: "product_name,sku_code,unit_price,quantity_on_hand\nChaos,CHAOS-1,1.00,10000000\n"}')" "$WORK/key.header")"
SKU_ID="$(jq -r .sample_order_item.sku_id <<<"$catalog")"
api POST /v1/webhooks/endpoints "$(jq -n --arg url "http://127.0.0.1:$RECEIVER_PORT/hook" '{url: $url, events: ["order.created"]}')" \
  "$WORK/key.header" >/dev/null

# --- load and faults ----------------------------------------------------------------------------------------------
python3 scripts/lib/chaos.py load "$BASE" "$WORK/api.key" "$SKU_ID" "$WORKERS" "$WORK/stop" "$WORK/load.log" &
LOAD_PID=$!
log "load: $WORKERS clients creating orders; ${PHASE} s between faults"
sleep "$PHASE"

fault() { printf '%s %s\n' "$1" "$(date +%s.%N)" >>"$WORK/faults"; log "fault: $1"; }

fault api-kill-9
kill -KILL "$API_PID"
wait "$API_PID" 2>/dev/null || true
start_api
log "API restarted (pid $API_PID)"
sleep "$PHASE"

primary_port="$(paf_primary_port)"
primary_node="$( [[ "$primary_port" == "$NODE1_PORT" ]] && echo node1 || echo node2)"
fault postgres-restart
paf_pg_ctl "$primary_node" restart -m fast -w -t 60 -l "$PAF_DIR/$primary_node/restart.log" >/dev/null 2>&1 \
  || log "pg_ctl restart: the keeper restarted PostgreSQL first"
pg_wait_ready "$primary_port" 60
log "PostgreSQL on $primary_node restarted"
sleep "$PHASE"

primary_port="$(paf_primary_port)"
fault failover
# pg_autoctl waits for the new primary itself, at most --wait seconds.
paf_ctl perform failover --pgdata "$PAF_DIR/monitor" --wait 120 >"$WORK/failover.log" 2>&1 || { log "ERROR: pg_autoctl perform failover failed"; tail -n 20 "$WORK/failover.log" >&2; exit 1; }
paf_wait_states 120
[[ "$(paf_primary_port)" != "$primary_port" ]] || { log "ERROR: the primary is still on port $primary_port after the failover"; exit 1; }
log "failover done: the primary moved from port $primary_port to $(paf_primary_port)"
sleep "$PHASE"

touch "$WORK/stop"
log "load stopping (each client finishes its key)"
for ((i = 0; i < 240; i++)); do kill -0 "$LOAD_PID" 2>/dev/null || break; sleep 0.5; done
stop_pid "$LOAD_PID"
LOAD_PID=""

# --- results ------------------------------------------------------------------------------------------------------
events() { psql_primary -v tenant="$TENANT_ID" <<<"select id from events where tenant_id = :'tenant' and type = 'order.created'" >"$WORK/events"; }
log "waiting for every order.created event to reach the receiver (at most 120 s)"
for ((i = 0; i < 120; i++)); do
  events
  [[ -z "$(comm -23 <(sort "$WORK/events") <(awk '{print $2}' "$WORK/received.log" | sort -u))" ]] && break
  sleep 1
done
psql_primary -v tenant="$TENANT_ID" <<<"select id from orders where tenant_id = :'tenant'" >"$WORK/orders"
missing="$(comm -23 <(sort "$WORK/events") <(awk '{print $2}' "$WORK/received.log" | sort -u) | paste -sd, -)"
if [[ -n "$missing" ]]; then
  log "events not delivered, and their deliveries:"
  psql_primary -P footer=off -F ' | ' -v ids="$missing" <<<"select e.id, e.created_at, e.dispatched_at, d.id, d.status, d.attempt, d.last_status_code,
    d.last_error, d.next_attempt_at, d.locked_until from events e left join webhook_deliveries d on d.event_id = e.id
    where e.id = any(string_to_array(:'ids', ','))" >&2 || true
fi
echo
echo "== chaos.sh: $WORKERS clients, ${PHASE} s per phase, formation: monitor + primary + synchronous secondary on 127.0.0.1"
rc=0
python3 scripts/lib/chaos.py report "$WORK/load.log" "$WORK/received.log" "$WORK/faults" "$WORK/orders" "$WORK/events" || rc=$?
echo "== duration: $((SECONDS - STARTED)) s"
exit "$rc"
