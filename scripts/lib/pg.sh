# shellcheck shell=bash
# Shared helpers for project-owned PostgreSQL clusters (sourced by scripts/*.sh).
#
# Clusters made here are for local development and tests only:
#   - listen on 127.0.0.1 (TCP) only, plus a unix socket inside the data dir
#     (so nothing needs root or /var/run/postgresql);
#   - superuser "postgres", TRUST auth (no password) for local/loopback connections;
#   - server log at <datadir>/server.log.
# PostgreSQL refuses to run as root, so when we are root the cluster is owned by
# and run as the "postgres" OS user (or the existing owner of the data dir);
# otherwise it runs as the current user.
#
# Functions (all take the data dir / port explicitly so several clusters can coexist):
#   pg_setup_bin                    find (or apt-install) the binaries; sets PG_BIN
#   pg_init DATADIR [CONF_LINE...]  initdb if DATADIR has no cluster yet; CONF_LINEs
#                                   are appended to postgresql.conf on creation only
#   pg_is_running DATADIR           exit 0 if the cluster's postmaster is alive
#   pg_running_port DATADIR         port of the running cluster (from postmaster.pid)
#   pg_start DATADIR PORT           start (or reuse if already running) and wait until
#                                   ready; sets PG_PORT (actual port) and PG_REUSED (0/1)
#   pg_wait_ready PORT [SECONDS]    wait until the server accepts connections
#   pg_stop DATADIR [MODE]          stop if running (MODE: fast (default)|immediate)
#   pg_ensure_db PORT DBNAME        create database DBNAME if missing
#   pg_free_port                    print a currently free TCP port on 127.0.0.1
#   pg_conn_string PORT DBNAME      Npgsql connection string for such a cluster
#
# Note: functions here always `return N` explicitly. A bare `return` inside an EXIT
# trap (where callers stop their clusters) returns the script's exit status instead.

PG_BIN="${PG_BIN:-}"
PG_PORT=""
PG_REUSED=0

_pg_log() { echo "[pg] $*" >&2; }

# Highest installed version under /usr/lib/postgresql wins (Debian/Ubuntu layout);
# otherwise whatever is on PATH; otherwise install the distro package.
pg_setup_bin() {
  [[ -n "$PG_BIN" && -x "$PG_BIN/initdb" ]] && return 0
  PG_BIN="$(_pg_find_bin)"
  if [[ -z "$PG_BIN" ]]; then
    _pg_log "PostgreSQL binaries not found; installing the 'postgresql' package with apt-get"
    local sudo=""
    [[ "$(id -u)" -ne 0 ]] && sudo=sudo
    # We never use the cluster the package may auto-start; it is simply ignored.
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    PG_BIN="$(_pg_find_bin)"
  fi
  if [[ -z "$PG_BIN" ]]; then
    _pg_log "ERROR: could not find or install PostgreSQL (need initdb, pg_ctl, psql)"
    return 1
  fi
}

_pg_find_bin() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -n "$d" && -x "$d/initdb" ]]; then echo "$d"; return 0; fi
  d="$(command -v pg_ctl 2>/dev/null || true)"
  if [[ -n "$d" && -x "$(dirname "$d")/initdb" ]]; then dirname "$d"; fi
}

# OS user that owns/runs the cluster in DATADIR.
_pg_owner() {
  local datadir="$1" owner
  if [[ "$(id -u)" -ne 0 ]]; then id -un; return 0; fi
  # Root: keep using whoever already owns an existing cluster (unless that is root).
  if [[ -f "$datadir/PG_VERSION" ]]; then
    owner="$(stat -c %U "$datadir")"
    if [[ "$owner" != root && "$owner" != UNKNOWN ]]; then echo "$owner"; return 0; fi
  fi
  if id -u postgres >/dev/null 2>&1; then echo postgres; return 0; fi
  _pg_log "ERROR: running as root but no 'postgres' OS user exists (PostgreSQL refuses to run as root)"
  return 1
}

# Run a command as the cluster owner. cd / first: the owner may not be allowed to
# read the caller's cwd (e.g. /root), which trips up initdb/pg_ctl.
_pg_as() {
  local datadir="$1"; shift
  if [[ "$(id -u)" -ne 0 ]]; then "$@"; return $?; fi
  local owner; owner="$(_pg_owner "$datadir")" || return 1
  if command -v runuser >/dev/null 2>&1; then
    (cd / && runuser -u "$owner" -- "$@")
  else
    (cd / && setpriv --reuid="$owner" --regid="$(id -g "$owner")" --init-groups -- "$@")
  fi
}

pg_init() {
  local datadir="$1"; shift
  pg_setup_bin
  [[ -f "$datadir/PG_VERSION" ]] && return 0

  mkdir -p "$datadir"
  if [[ -n "$(ls -A "$datadir")" ]]; then
    _pg_log "ERROR: $datadir exists, is not empty and holds no cluster; refusing to initdb there"
    return 1
  fi
  if [[ "$(id -u)" -eq 0 ]]; then
    local owner; owner="$(_pg_owner "$datadir")" || return 1
    chown "$owner:" "$datadir"
    if ! _pg_as "$datadir" test -w "$datadir"; then
      _pg_log "ERROR: user '$owner' cannot reach $datadir (a parent directory is not searchable by it)."
      _pg_log "       Put the repository somewhere world-searchable, or set ORDERCORE_DB to an existing server."
      return 1
    fi
  fi
  chmod 700 "$datadir"

  _pg_log "Creating PostgreSQL cluster in $datadir"
  # C locale: identical behaviour on every machine, and no dependency on installed locales.
  local out
  if ! out="$(_pg_as "$datadir" "$PG_BIN/initdb" -D "$datadir" -U postgres -E UTF8 --no-locale \
        --auth-local=trust --auth-host=trust 2>&1)"; then
    echo "$out" >&2
    return 1
  fi

  # The socket path is limited to ~107 bytes; for very deep data dirs fall back to
  # TCP only (all our clients use TCP anyway).
  local sockdir="$datadir"
  (( ${#datadir} > 80 )) && sockdir=""
  {
    echo ""
    echo "# --- added by scripts/lib/pg.sh ---"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '${sockdir//\'/\'\'}'"
    local line
    for line in "$@"; do echo "$line"; done
  } >>"$datadir/postgresql.conf"
}

pg_is_running() {
  local datadir="$1" pid
  [[ -f "$datadir/postmaster.pid" ]] || return 1
  pg_setup_bin
  _pg_as "$datadir" "$PG_BIN/pg_ctl" -D "$datadir" status >/dev/null 2>&1 || return 1
  # A killed postmaster that is not reaped yet (zombie) still passes pg_ctl's check.
  pid="$(head -n 1 "$datadir/postmaster.pid" 2>/dev/null)"
  ! grep -qs '^State:[[:space:]]*Z' "/proc/$pid/status"
}

pg_running_port() {
  # Line 4 of postmaster.pid is the port.
  sed -n 4p "$1/postmaster.pid" 2>/dev/null
}

pg_start() {
  local datadir="$1" port="$2"
  pg_setup_bin
  if pg_is_running "$datadir"; then
    PG_PORT="$(pg_running_port "$datadir")"
    PG_REUSED=1
    if [[ "$PG_PORT" != "$port" ]]; then
      _pg_log "Cluster in $datadir is already running on port $PG_PORT (not $port); reusing it"
    else
      _pg_log "Cluster in $datadir is already running on port $PG_PORT; reusing it"
    fi
    pg_wait_ready "$PG_PORT"
    return $?
  fi

  PG_PORT="$port"
  PG_REUSED=0
  _pg_wait_stale_pid "$datadir"
  # -w: pg_ctl waits until the server is ready (or fails); the port is passed on the
  # command line so the same cluster can be started on a different port later.
  if ! _pg_as "$datadir" "$PG_BIN/pg_ctl" -D "$datadir" -l "$datadir/server.log" \
        -o "-p $port" -w -t 60 start >/dev/null; then
    _pg_log "ERROR: PostgreSQL failed to start on 127.0.0.1:$port. Last lines of $datadir/server.log:"
    tail -n 25 "$datadir/server.log" >&2 || true
    return 1
  fi
  pg_wait_ready "$port"
}

# A postmaster that was killed hard may linger as a zombie until its parent (often
# init) reaps it; meanwhile the new postmaster would refuse the "stale" lock file.
_pg_wait_stale_pid() {
  local pid i
  pid="$(head -n 1 "$1/postmaster.pid" 2>/dev/null)" || return 0
  for ((i = 0; i < 60; i++)); do
    grep -qs '^State:[[:space:]]*Z' "/proc/$pid/status" || return 0
    sleep 0.5
  done
}

pg_wait_ready() {
  local port="$1" timeout="${2:-60}" i
  pg_setup_bin
  for ((i = 0; i < timeout * 4; i++)); do
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres && return 0
    sleep 0.25
  done
  _pg_log "ERROR: PostgreSQL on 127.0.0.1:$port not ready after ${timeout}s"
  return 1
}

pg_stop() {
  local datadir="$1" mode="${2:-fast}"
  pg_is_running "$datadir" || return 0
  _pg_log "Stopping PostgreSQL in $datadir"
  _pg_as "$datadir" "$PG_BIN/pg_ctl" -D "$datadir" -m "$mode" -w -t 60 stop >/dev/null
}

pg_ensure_db() {
  local port="$1" db="$2" exists
  pg_setup_bin
  # Query via stdin: psql only interpolates :'db' (safe quoting) there, not in -c.
  exists="$(echo "select 1 from pg_database where datname = :'db'" |
    "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -XtAq -v ON_ERROR_STOP=1 -v db="$db")"
  if [[ "$exists" != 1 ]]; then
    _pg_log "Creating database $db"
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$db"
  fi
}

pg_free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    return $?
  fi
  # Fallback: probe random high ports until nothing answers.
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  _pg_log "ERROR: no free port found"
  return 1
}

pg_conn_string() {
  echo "Host=127.0.0.1;Port=$1;Username=postgres;Database=$2"
}
