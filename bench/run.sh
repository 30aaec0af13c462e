#!/usr/bin/env bash
# The OrderCore benchmark, in one run: the API (Release build) against the machine's own ceiling, on
# the same cores: PostgreSQL running the fixed reference order transaction (bench/reference/, the
# headline ratio) and OrderCore's own order transaction (bench/sql/order_txn.sql) through pgbench, at
# 8/32/64 connections, and get/list/lookup at two table sizes. During the create_order runs at 32
# connections it records the API's and PostgreSQL's CPU time and the WAL written per order.
# Writes bench/results/latest.{md,json,png}.
#
#   bench/run.sh            full run (about 10-15 minutes)
#   bench/run.sh --quick    a few minutes: shorter runs, fewer connection counts, smaller scale step
#
# Environment: ORDERCORE_BENCH_DB (an Npgsql connection string to a database of your own; otherwise a
# throwaway cluster is started on a free loopback port). Everything started here is stopped on exit,
# also on failure or Ctrl-C. wrk, pgbench and python3-matplotlib are installed with apt-get if missing.
# The load generator shares the machine's cores with the API and PostgreSQL.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/lib/pg.sh

QUICK=0
[[ "${1:-}" == "--quick" ]] && QUICK=1
if [[ $QUICK == 1 ]]; then
  DURATION=5; WARMUP_ORDERS=6; WARMUP_START_READS=3; WARMUP_READS=3; RUNS_AT_32=1; CONNECTIONS=(8 32); SCALES=(10000 100000)
else
  DURATION=15; WARMUP_ORDERS=30; WARMUP_START_READS=10; WARMUP_READS=10; RUNS_AT_32=3; CONNECTIONS=(8 32 64); SCALES=(10000 1000000)
fi
# The fixed reference runs at these client counts only (its README: 8 and 32).
REFERENCE_CLIENTS=(8 32)
CLK_TCK="$(getconf CLK_TCK)"
SKUS=1000
WORK="$ROOT/bench/.work"
RESULTS="$WORK/results.jsonl"
ADMIN_TOKEN="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
APP_PID=""; PG_DIR=""; PG_PID=""; export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

log() { echo "[bench] $*" >&2; }

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n "$APP_PID" ]] && kill -0 "$APP_PID" 2>/dev/null; then kill -TERM "$APP_PID"; wait "$APP_PID" 2>/dev/null || true; fi
  if [[ -n "$PG_DIR" ]]; then pg_stop "$PG_DIR/data" || true; rm -rf "$PG_DIR"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  log "installing $2"
  local sudo=""; [[ "$(id -u)" -ne 0 ]] && sudo=sudo
  # A fresh machine's package lists may be empty or stale: refresh them once when the install fails.
  $sudo apt-get install -y "$2" >/dev/null 2>&1 || { $sudo apt-get update >/dev/null && $sudo apt-get install -y "$2" >/dev/null; }
}
need wrk wrk
/usr/bin/python3 -c 'import matplotlib' 2>/dev/null || need __none__ python3-matplotlib

rm -rf "$WORK"; mkdir -p "$WORK"; chmod o+rx "$WORK"
log "building Release"
dotnet build src/OrderCore.Api -c Release --disable-build-servers -v quiet -nologo >/dev/null
APP_DLL="$ROOT/src/OrderCore.Api/bin/Release/net10.0/OrderCore.Api.dll"

# --- database -------------------------------------------------------------------------------
if [[ -n "${ORDERCORE_BENCH_DB:-}" ]]; then
  DB="$ORDERCORE_BENCH_DB"
  # the same database as a libpq connection string, for psql and pgbench
  CONNINFO="$(python3 - "$DB" <<'PY'
import sys
parts = {k.strip().lower(): v for k, v in (p.split("=", 1) for p in sys.argv[1].split(";") if "=" in p)}
info = {"host": parts.get("host", "127.0.0.1"), "port": parts.get("port", "5432"),
        "user": parts.get("username", parts.get("user id", "postgres")), "dbname": parts.get("database", "postgres")}
if "password" in parts: info["password"] = parts["password"]
print(" ".join(f"{k}={v}" for k, v in info.items()))
PY
)"
else
  PG_DIR="$(mktemp -d /tmp/ordercore-bench-pg.XXXXXX)"
  chmod 755 "$PG_DIR"   # the cluster may run as the postgres OS user
  pg_init "$PG_DIR/data" "shared_buffers = 2GB" "effective_cache_size = 8GB" "max_connections = 300" "max_wal_size = 4GB" "checkpoint_timeout = 30min"
  pg_start "$PG_DIR/data" "$(pg_free_port)"
  pg_ensure_db "$PG_PORT" ordercore_bench
  DB="$(pg_conn_string "$PG_PORT" ordercore_bench)"
  CONNINFO="host=127.0.0.1 port=$PG_PORT user=postgres dbname=ordercore_bench"
  # the postmaster, whose CPU time (and its children's) is PostgreSQL's share per order
  PG_PID="$(head -n 1 "$PG_DIR/data/postmaster.pid")"
fi
PSQL=("${PG_BIN:-/usr/lib/postgresql/15/bin}/psql" "$CONNINFO")
PGBENCH="${PG_BIN:-/usr/lib/postgresql/15/bin}/pgbench"
[[ -x "$PGBENCH" ]] || PGBENCH="$(command -v pgbench)"
sql() { "${PSQL[@]}" -XAtq -v ON_ERROR_STOP=1 "$@"; }

# --- API --------------------------------------------------------------------------------------
API_PORT="$(pg_free_port)"
BASE="http://127.0.0.1:$API_PORT"
log "starting the API on $BASE"
ORDERCORE_DB="$DB" ORDERCORE_ADMIN_TOKEN="$ADMIN_TOKEN" ASPNETCORE_URLS="$BASE" \
  Serilog__MinimumLevel__Default=Warning dotnet "$APP_DLL" >"$WORK/api.log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 120); do curl -fs "$BASE/health" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "$BASE/health" >/dev/null || { log "the API did not start:"; tail -20 "$WORK/api.log"; exit 1; }

TENANT_JSON="$(curl -fsS -X POST "$BASE/admin/v1/tenants" -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"bench","rate_limit_per_minute":1000000}')"
export BENCH_API_KEY="$(jq -r .api_key.key <<<"$TENANT_JSON")"
TENANT_ID="$(jq -r .tenant.id <<<"$TENANT_JSON")"

log "seeding $SKUS SKUs with ample stock through the catalog import"
CSV="$(echo 'product_name,sku_code,unit_price,quantity_on_hand'; for i in $(seq 1 $SKUS); do echo "Bench product $i,BENCH-$i,10.00,100000000"; done)"
jq -n --arg csv "$CSV" '{csv: $csv, price_list_code: "BENCH", location_code: "BENCH-WH"}' |
  curl -fsS -X POST "$BASE/v1/onboarding/catalog-csv" -H "X-API-Key: $BENCH_API_KEY" -H 'Content-Type: application/json' --data-binary @- >/dev/null
sql -c "SELECT id FROM skus WHERE tenant_id = '$TENANT_ID'" >"$WORK/skus.txt"
# Statistics for the new catalog now, as a database in use has them, instead of whenever autovacuum first gets to it
# (the order path's prepared statements run on generic plans, made again when ANALYZE changes a table's statistics).
# Only the catalog's tables: an empty table analyzed is known to be empty, and plans made then read it whole.
sql -c "ANALYZE skus, products, prices, price_lists, locations, inventory_levels" >/dev/null
FIRST_SKU="$(head -1 "$WORK/skus.txt")"

export BENCH_LUA="$ROOT/bench/lua" BENCH_SKUS="$WORK/skus.txt" BENCH_OUT="$RESULTS"
orders_in_table() { sql -c "SELECT count(*) FROM orders WHERE tenant_id = '$TENANT_ID'"; }
# the paths of the read scenarios, drawn from the orders in the table now (and all three mixed, for the warm-up)
read_paths() {
  sql -c "SELECT '/v1/orders/' || id FROM orders WHERE tenant_id = '$TENANT_ID' ORDER BY random() LIMIT 1000" >"$WORK/get.txt"
  sql -c "SELECT '/v1/orders/lookup?merchant_reference_id=' || merchant_reference_id FROM orders WHERE tenant_id = '$TENANT_ID' AND merchant_reference_id IS NOT NULL ORDER BY random() LIMIT 1000" >"$WORK/lookup.txt"
  echo "/v1/orders" >"$WORK/list.txt"
  { cat "$WORK/get.txt" "$WORK/lookup.txt"; for _ in $(seq 1 500); do echo /v1/orders; done; } >"$WORK/reads.txt"
}
peak_rss_mb() { awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$APP_PID/status"; }

# cpu_ticks: "API_TICKS PG_TICKS" in clock ticks (getconf CLK_TCK) so far. The API: utime+stime of its
# process (all threads). PostgreSQL: the postmaster's utime+stime+cutime+cstime (cutime/cstime hold the
# backends that have exited and been reaped) plus utime+stime of each of its live children (backends,
# checkpointer, WAL writer, autovacuum). PG_TICKS is "null" for an external database (ORDERCORE_BENCH_DB).
cpu_ticks() {
  python3 - "$APP_PID" "${PG_PID:-}" <<'PY'
import os, sys
def stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    return text[text.rindex(")") + 2:].split()   # fields from the 3rd (state) on; comm may hold spaces
api = stat(sys.argv[1]); api_ticks = int(api[11]) + int(api[12])
pg_ticks = "null"
if sys.argv[2]:
    pm = sys.argv[2]; f = stat(pm)
    total = int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or entry == pm:
            continue
        try:
            f = stat(entry)
        except (FileNotFoundError, ProcessLookupError):
            continue   # exited meanwhile
        if f[1] == pm:
            total += int(f[11]) + int(f[12])
    pg_ticks = str(total)
print(api_ticks, pg_ticks)
PY
}
# the cost figures around one run are taken for create_order at 32 connections only
measures_cost() { [[ "$1" == create_order && "$2" == 32 ]]; }

# run SCENARIO CONNECTIONS SCRIPT [wrk args]: one wrk run, appended to the results with the API's peak RSS
run() {
  local scenario="$1" connections="$2" script="$3"; shift 3
  export BENCH_SCENARIO="$scenario" BENCH_CONNECTIONS="$connections" BENCH_ORDERS_IN_TABLE="$(orders_in_table)"
  export BENCH_RUN_ID="r$RANDOM$RANDOM"
  local cost="{}" wal_before="" cpu_before=() cpu_after=() orders_after wal_bytes
  if measures_cost "$scenario" "$connections"; then
    wal_before="$(sql -c "SELECT pg_current_wal_lsn()")"
    read -r -a cpu_before <<<"$(cpu_ticks)"
  fi
  log "$scenario: $connections connections, ${DURATION}s, $BENCH_ORDERS_IN_TABLE orders in the table"
  wrk -t2 -c"$connections" -d"${DURATION}s" --latency -s "$ROOT/bench/lua/$script" "$BASE" "$@" >"$WORK/wrk-$scenario-$connections.txt"
  if measures_cost "$scenario" "$connections"; then
    read -r -a cpu_after <<<"$(cpu_ticks)"
    wal_bytes="$(sql -c "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$wal_before')")"
    orders_after="$(orders_in_table)"
    cost="$(jq -nc --argjson orders "$((orders_after - BENCH_ORDERS_IN_TABLE))" --argjson wal "$wal_bytes" --argjson hz "$CLK_TCK" \
      --argjson a0 "${cpu_before[0]}" --argjson a1 "${cpu_after[0]}" --argjson p0 "${cpu_before[1]}" --argjson p1 "${cpu_after[1]}" \
      '{orders_created: $orders, api_cpu_ms: (($a1 - $a0) * 1000 / $hz),
        pg_cpu_ms: (if $p0 == null then null else (($p1 - $p0) * 1000 / $hz) end), wal_bytes: $wal}')"
    log "  $(jq -r '"\(.orders_created) orders: API \(.api_cpu_ms) ms, PostgreSQL \(.pg_cpu_ms) ms CPU, \(.wal_bytes) bytes of WAL"' <<<"$cost")"
  fi
  python3 - "$RESULTS" "$(peak_rss_mb)" "$cost" <<'PY'
import json, sys
path, rss, cost = sys.argv[1], float(sys.argv[2]), json.loads(sys.argv[3])
lines = open(path).read().splitlines()
last = json.loads(lines[-1]); last["peak_rss_mb"] = rss; last.update(cost)
lines[-1] = json.dumps(last)
open(path, "w").write("\n".join(lines) + "\n")
PY
}

# One warm-up per service start, over every path measured (the JIT tiers up each path's code, and a path
# first met during its own measurement would be measured half-compiled): order creation, then reads.
warm() {
  (BENCH_OUT=/dev/null BENCH_SCENARIO=warmup BENCH_CONNECTIONS=32 BENCH_ORDERS_IN_TABLE=0 BENCH_RUN_ID="warm$RANDOM" \
    wrk -t2 -c32 -d"$1s" -s "$ROOT/bench/lua/$2" "$BASE" >/dev/null)
}
log "warm-up: ${WARMUP_ORDERS}s of order creation, then ${WARMUP_START_READS}s of get, list and lookup, at 32 connections"
warm "$WARMUP_ORDERS" create_order.lua
read_paths
BENCH_PATHS="$WORK/reads.txt" warm "$WARMUP_START_READS" get.lua

for c in "${CONNECTIONS[@]}"; do
  runs=1; [[ $c == 32 ]] && runs=$RUNS_AT_32
  for _ in $(seq 1 "$runs"); do run create_order "$c" create_order.lua; done
done

# an existing order to replay, and the paths for the read scenarios
REPLAY_BODY="{\"items\":[{\"sku_id\":\"$FIRST_SKU\",\"quantity\":1}]}"
curl -fsS -X POST "$BASE/v1/orders" -H "X-API-Key: $BENCH_API_KEY" -H 'Content-Type: application/json' -H 'Idempotency-Key: bench-replay' \
  -d "$REPLAY_BODY" >/dev/null
echo "$REPLAY_BODY" >"$WORK/replay.json"
export BENCH_REPLAY_BODY="$WORK/replay.json" BENCH_REPLAY_KEY=bench-replay
for c in "${CONNECTIONS[@]}"; do run replay "$c" replay.lua; done

read_scenarios() {
  local cs=("$@")
  for c in "${cs[@]}"; do
    BENCH_PATHS="$WORK/get.txt" run get_order "$c" get.lua
    BENCH_PATHS="$WORK/list.txt" run list_orders "$c" get.lua
    BENCH_PATHS="$WORK/lookup.txt" run lookup "$c" get.lua
  done
}

for n in "${SCALES[@]}"; do
  have="$(orders_in_table)"
  if (( have < n )); then
    log "seeding $((n - have)) orders with SQL (to $n)"
    sql -v tenant="$TENANT_ID" -v sku="$FIRST_SKU" -v n="$((n - have))" -f bench/sql/seed_orders.sql >/dev/null
  fi
  # Measure the steady state, not autovacuum and a checkpoint catching up with the bulk insert.
  sql -c "VACUUM ANALYZE orders, order_status_changes" -c "CHECKPOINT"
  # Fresh paths, read once through before measuring, so that the rows they touch are in PostgreSQL's
  # cache as a running server's hot rows would be (right after a bulk load they are on disk).
  read_paths
  log "reading the paths through for ${WARMUP_READS}s before measuring"
  BENCH_PATHS="$WORK/reads.txt" warm "$WARMUP_READS" get.lua
  if [[ $n == "${SCALES[0]}" ]]; then read_scenarios "${CONNECTIONS[@]}"; else read_scenarios 32; fi
done

log "stopping the API before the PostgreSQL ceiling runs"
kill -TERM "$APP_PID"; wait "$APP_PID" 2>/dev/null || true; APP_PID=""

# pgbench_runs SCENARIO CLIENTS... -- PGBENCH_ARGS...: pgbench at each client count (RUNS_AT_32 times at 32),
# with per-transaction logs (-l) for p50/p99/max; one results row per run with its tps in rps.
pgbench_runs() {
  local scenario="$1"; shift
  local clients=()
  while [[ "$1" != -- ]]; do clients+=("$1"); shift; done
  shift
  local c r runs
  for c in "${clients[@]}"; do
    runs=1; [[ $c == 32 ]] && runs=$RUNS_AT_32
    for r in $(seq 1 "$runs"); do
      log "pgbench $scenario: $c clients, ${DURATION}s"
      rm -f "$WORK"/pgbench_log.*
      (cd "$WORK" && "$PGBENCH" -n -c "$c" -j 2 -T "$DURATION" -l --log-prefix=pgbench_log "$@" \
        >"$WORK/pgbench-$scenario-$c-$r.txt" 2>&1) || { log "pgbench failed:"; tail -5 "$WORK/pgbench-$scenario-$c-$r.txt"; exit 1; }
      python3 - "$WORK" "$c" "$RESULTS" "$WORK/pgbench-$scenario-$c-$r.txt" "$scenario" <<'PY'
import glob, json, re, sys
work, clients, out, summary, scenario = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
text = open(summary).read()
tps = float(re.search(r"tps = ([0-9.]+) \(without initial connection time\)", text).group(1))
lat, failed = [], 0
for path in glob.glob(f"{work}/pgbench_log.*"):
    for line in open(path):
        f = line.split()
        if f[2] == "failed" or f[2] == "skipped": failed += 1; continue
        lat.append(int(f[2]) / 1000.0)
lat.sort()
pct = lambda p: lat[min(len(lat) - 1, int(len(lat) * p / 100))]
row = {"scenario": scenario, "connections": clients, "orders_in_table": None, "requests": len(lat), "rps": tps,
       "p50_ms": pct(50), "p99_ms": pct(99), "max_ms": lat[-1], "non2xx": failed, "socket_errors": 0, "peak_rss_mb": None}
open(out, "a").write(json.dumps(row) + "\n")
PY
    done
  done
}

# OrderCore's own order transaction (simple protocol, see the README): the second ceiling.
pgbench_runs pgbench_order_txn "${CONNECTIONS[@]}" -- -M simple \
  -f "$ROOT/bench/sql/order_txn.sql" -D tenant="$TENANT_ID" -D skus="$SKUS" "$CONNINFO"

# The fixed reference (bench/reference/, copied unchanged from ../shared/bench/): the headline ceiling,
# in its own database on the same cluster, loaded as its README says (200,000 seeded orders).
REF_CONNINFO="$(sed -E 's/(^| )dbname=[^ ]*/\1dbname=reference/' <<<"$CONNINFO")"
log "loading the fixed reference into database 'reference' (200,000 seeded orders)"
if [[ "$(sql -c "SELECT count(*) FROM pg_database WHERE datname = 'reference'")" == 0 ]]; then
  sql -c "CREATE DATABASE reference"
fi
"${PSQL[0]}" "$REF_CONNINFO" -Xq -v ON_ERROR_STOP=1 -v seed_orders=200000 -f "$ROOT/bench/reference/reference_schema.sql" >"$WORK/reference-load.txt" 2>&1 ||
  { log "loading the reference failed:"; tail -5 "$WORK/reference-load.txt"; exit 1; }
# No CHECKPOINT here (unlike before the read scenarios): right after one, every page the reference touches
# first is logged whole (its WAL per transaction quadruples in the first run), and the API's create_order
# runs have no checkpoint before them either; the shared README loads and runs the same way.
pgbench_runs reference_order_txn "${REFERENCE_CLIENTS[@]}" -- -M prepared \
  -f "$ROOT/bench/reference/reference_order.sql" "$REF_CONNINFO"

/usr/bin/python3 "$ROOT/bench/report.py" "$RESULTS" "$ROOT/bench/results" "$([[ $QUICK == 1 ]] && echo quick || echo full)"
log "done: bench/results/latest.md"
