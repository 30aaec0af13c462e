#!/usr/bin/env bash
# Build the solution and run every test project (tests/*/*.csproj) against a real PostgreSQL.
#
#   scripts/test.sh [extra dotnet test args, e.g. --filter-class "*IdempotencyTests"]
#
# Database: if ORDERCORE_TEST_DB is set it is used as is (needs a role that may
# create databases: the fixture makes its own uniquely named ones). Otherwise a
# throwaway PostgreSQL cluster (superuser "postgres", trust auth, 127.0.0.1 only)
# is created in a temp dir on a free port and deleted on exit, even on failure/Ctrl-C.
# TRX results go to a temp dir (kept only if ORDERCORE_TEST_RESULTS names a dir).
# After the .NET tests, the merchant CLI and script suites (scripts/tests: Python unittest, node --test,
# the shell scripts) run against the API started on a free loopback port with a database of their own
# (scripts/lib/script_suites.sh); their counts join the total. ORDERCORE_SCRIPT_SUITES=0 skips them; with
# extra dotnet test arguments they are skipped unless ORDERCORE_SCRIPT_SUITES=1.
# The last line printed is always "N passed, M failed"; exit code is non-zero
# if anything failed, no test ran, or the run could not complete (build failure,
# no results from a project, Ctrl-C: all reported as "0 passed, 1 failed" or counted
# as one failure).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/pg.sh
source scripts/lib/script_suites.sh
source scripts/lib/chromium.sh

CONFIG=Release
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

PG_DIR=""
SUMMARY=""   # the final "N passed, M failed" line, once the tests have run
RESULTS_DIR="${ORDERCORE_TEST_RESULTS:-}"
KEEP_RESULTS=1
if [[ -z "$RESULTS_DIR" ]]; then
  RESULTS_DIR="$(mktemp -d -t ordercore-test-results.XXXXXX)"
  KEEP_RESULTS=0
fi
mkdir -p "$RESULTS_DIR"

cleanup() {
  trap '' INT TERM   # a second Ctrl-C must not interrupt the cleanup itself
  script_suites_stop
  if [[ -n "$PG_DIR" ]]; then
    # Throwaway data: immediate shutdown is fine and fastest.
    if pg_stop "$PG_DIR" immediate; then
      rm -rf "$PG_DIR"
    else
      echo "WARNING: could not stop the test PostgreSQL in $PG_DIR; left it in place" >&2
    fi
    PG_DIR=""
  fi
  [[ "$KEEP_RESULTS" == 1 ]] || rm -rf "$RESULTS_DIR"
  # Printed here so it is the very last line, whichever way the script ends.
  echo "${SUMMARY:-0 passed, 1 failed}"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

shopt -s nullglob
projects=(tests/*/*.csproj)
if (( ${#projects[@]} == 0 )); then
  echo "No test projects found under tests/." >&2
  exit 1
fi

# --disable-build-servers: leave no MSBuild/compiler server processes behind, which
# could otherwise keep a CI job's output pipe open after this script exits.
if ! dotnet build OrderCore.sln -c "$CONFIG" --disable-build-servers; then
  echo "Build failed." >&2
  exit 1
fi

# The buyer page's browser test drives headless Chromium (ORDERCORE_CHROMIUM); installed here when missing.
chromium_setup || echo "[chromium] the browser test will fail without chromium" >&2

if [[ -z "${ORDERCORE_TEST_DB:-}" ]]; then
  # mktemp dirs live in /tmp (world-searchable), so a root-run cluster owned by
  # "postgres" can use one directly as its data dir.
  PG_DIR="$(mktemp -d -t ordercore-pg.XXXXXX)"
  pg_init "$PG_DIR" \
    "fsync = off" "synchronous_commit = off" "full_page_writes = off" \
    "max_connections = 300" "shared_buffers = 128MB"
  # The free port might be grabbed by someone else before postgres binds it: retry.
  for attempt in 1 2 3; do
    if pg_start "$PG_DIR" "$(pg_free_port)"; then break; fi
    [[ "$attempt" == 3 ]] && exit 1
  done
  export ORDERCORE_TEST_DB
  ORDERCORE_TEST_DB="$(pg_conn_string "$PG_PORT" postgres)"
  echo "Test PostgreSQL: 127.0.0.1:$PG_PORT (throwaway cluster in $PG_DIR)"
else
  echo "Test PostgreSQL: using ORDERCORE_TEST_DB from the environment"
fi

# Sum one Counters attribute (e.g. passed) over a TRX file.
trx_counter() {
  local v
  v="$(grep -o '<Counters [^>]*>' "$1" | grep -o "[[:space:]]$2=\"[0-9]*\"" | tr -dc '0-9' || true)"
  echo "${v:-0}"
}

total_passed=0
total_failed=0
# global.json may opt `dotnet test` into Microsoft.Testing.Platform mode, whose
# arguments differ from the classic VSTest ones.
mtp=0
grep -qs '"Microsoft.Testing.Platform"' global.json && mtp=1

for proj in "${projects[@]}"; do
  name="$(basename "$proj" .csproj)"
  out="$RESULTS_DIR/$name"
  rm -rf "$out"
  echo "=== dotnet test $proj"
  rc=0
  # The timeouts turn a hung test into a reported failure instead of eating the CI time limit.
  if [[ "$mtp" == 1 ]]; then
    dotnet test --project "$proj" -c "$CONFIG" --no-build --results-directory "$out" \
      --report-xunit-trx --report-xunit-trx-filename "$name.trx" \
      --timeout 60m \
      "$@" || rc=$?
  else
    dotnet test "$proj" -c "$CONFIG" --no-build --results-directory "$out" \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
      --blame-hang-timeout 10m --blame-hang-dump-type none \
      "$@" || rc=$?
  fi

  trx_files=("$out"/*.trx "$out"/*/*.trx)
  if (( ${#trx_files[@]} == 0 )); then
    echo "!!! $name: no TRX results produced (dotnet test exit code $rc); counting as 1 failure" >&2
    total_failed=$((total_failed + 1))
    continue
  fi
  passed=0 failed=0
  for trx in "${trx_files[@]}"; do
    passed=$((passed + $(trx_counter "$trx" passed)))
    # Tests that errored, timed out or were aborted did not pass either.
    for attr in failed error timeout aborted; do
      failed=$((failed + $(trx_counter "$trx" "$attr")))
    done
  done
  # Exit code 8 (Microsoft.Testing.Platform) means "zero tests ran", e.g. a filter
  # that matches nothing in this project; the overall check below covers it.
  if (( rc != 0 && rc != 8 && failed == 0 )); then
    # E.g. the test host crashed: the counters look clean but the run was not.
    echo "!!! $name: dotnet test exited with $rc but reported no failed test; counting as 1 failure" >&2
    failed=1
  fi
  echo "=== $name: $passed passed, $failed failed"
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
done

suites="${ORDERCORE_SCRIPT_SUITES:-}"
if [[ "$suites" == 1 || ( "$suites" != 0 && $# -eq 0 ) ]]; then
  if [[ -n "$PG_DIR" ]]; then
    pg_ensure_db "$PG_PORT" ordercore_scripts
    suites_db="$(pg_conn_string "$PG_PORT" ordercore_scripts)"
  else
    suites_db="$ORDERCORE_TEST_DB;Database=ordercore_scripts_$$"   # created by the API's migrations
  fi
  script_suites_run "$suites_db" "$RESULTS_DIR"
  total_passed=$((total_passed + SUITES_PASSED))
  total_failed=$((total_failed + SUITES_FAILED))
fi

status=0
(( total_failed == 0 )) || status=1
if (( total_passed + total_failed == 0 )); then
  echo "No tests ran (check the filter arguments)." >&2
  status=1
fi
SUMMARY="${total_passed} passed, ${total_failed} failed"
exit "$status"   # cleanup (EXIT trap) prints SUMMARY last
