# shellcheck shell=bash
# The merchant CLI and script suites (scripts/tests) for scripts/test.sh: they need a live API, which
# this starts from the Release build on a free loopback port, with its own database.
#
#   script_suites_run CONNECTION_STRING RESULTS_DIR   sets SUITES_PASSED and SUITES_FAILED
#   script_suites_stop                                stops the API (safe to call twice; call from the EXIT trap)
#
# The API allows http:// and loopback webhook targets (the suites' receivers listen on 127.0.0.1) and
# retries a failed delivery after 1 s (the retry smoke test waits for attempt 2). The Python suites
# (unittest) and the Node suites (node --test) run side by side; a suite that reports no counts
# counts as one failure.

SUITES_API_PID=""
SUITES_PASSED=0
SUITES_FAILED=0

script_suites_stop() {
  if [[ -n "$SUITES_API_PID" ]] && kill -0 "$SUITES_API_PID" 2>/dev/null; then
    kill -TERM "$SUITES_API_PID" 2>/dev/null || true
    wait "$SUITES_API_PID" 2>/dev/null || true
  fi
  SUITES_API_PID=""
}

# _suites_count LOG PASSED_PATTERN FAILED_PATTERNS...: adds a suite's counts (or one failure) to the totals.
_suites_add() {
  local name="$1" passed="$2" failed="$3"
  if [[ -z "$passed" || -z "$failed" ]]; then
    echo "!!! $name suites reported no counts; counting as 1 failure" >&2
    SUITES_FAILED=$((SUITES_FAILED + 1))
    return 0
  fi
  echo "=== $name suites: $passed passed, $failed failed"
  SUITES_PASSED=$((SUITES_PASSED + passed))
  SUITES_FAILED=$((SUITES_FAILED + failed))
}

script_suites_run() {
  local db="$1" dir="$2" port token dll="src/OrderCore.Api/bin/Release/net10.0/OrderCore.Api.dll"
  port="$(pg_free_port)"
  token="$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
  echo "=== merchant CLI and script suites (API on 127.0.0.1:$port)"
  (
    cd src/OrderCore.Api
    export ORDERCORE_DB="$db" ORDERCORE_ADMIN_TOKEN="$token" ASPNETCORE_URLS="http://127.0.0.1:$port"
    export Webhooks__AllowHttp=true Webhooks__AllowPrivateTargets=true
    export Webhooks__RetryDelays__0=00:00:01 Webhooks__RetryDelays__1=00:00:01
    exec dotnet "$OLDPWD/$dll"
  ) >"$dir/scripts-api.log" 2>&1 &
  SUITES_API_PID=$!
  local up=0
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; then up=1; break; fi
    kill -0 "$SUITES_API_PID" 2>/dev/null || break
    sleep 0.5
  done
  if [[ "$up" == 0 ]]; then
    echo "!!! the API for the script suites did not start; its log:" >&2
    tail -n 30 "$dir/scripts-api.log" >&2
    SUITES_FAILED=$((SUITES_FAILED + 1))
    script_suites_stop
    return 0
  fi

  export ORDERCORE_TEST_BASE_URL="http://127.0.0.1:$port" ORDERCORE_TEST_ADMIN_TOKEN="$token"
  local started=$SECONDS
  timeout 15m python3 scripts/tests/run_python.py >"$dir/python-suites.log" 2>&1 &
  local py=$!
  timeout 15m node --test --test-reporter=tap scripts/tests/ >"$dir/node-suites.log" 2>&1 &
  local node=$!
  wait "$py" || true
  wait "$node" || true
  unset ORDERCORE_TEST_BASE_URL ORDERCORE_TEST_ADMIN_TOKEN
  script_suites_stop
  echo "=== script suites ran in $((SECONDS - started)) s"

  # Failures in full; the counts from the last lines.
  grep -E -A25 '^(FAIL|ERROR):' "$dir/python-suites.log" | head -n 200 || true
  grep -E -A25 '^\s*not ok ' "$dir/node-suites.log" | head -n 200 || true
  local line
  line="$(grep -E '^python: [0-9]+ passed, [0-9]+ failed$' "$dir/python-suites.log" | tail -n 1 || true)"
  _suites_add python "$(sed -E 's/^python: ([0-9]+) passed.*/\1/' <<<"$line" | grep -E '^[0-9]+$' || true)" \
    "$(sed -E 's/.*, ([0-9]+) failed$/\1/' <<<"$line" | grep -E '^[0-9]+$' || true)"
  local pass fail cancelled
  pass="$(grep -E '^# pass [0-9]+$' "$dir/node-suites.log" | tail -n 1 | tr -dc '0-9' || true)"
  fail="$(grep -E '^# fail [0-9]+$' "$dir/node-suites.log" | tail -n 1 | tr -dc '0-9' || true)"
  cancelled="$(grep -E '^# cancelled [0-9]+$' "$dir/node-suites.log" | tail -n 1 | tr -dc '0-9' || true)"
  _suites_add node "$pass" "$([[ -n "$fail" ]] && echo $((fail + ${cancelled:-0})))"
}
