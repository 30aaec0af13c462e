# shellcheck shell=bash
# A pg_auto_failover formation on 127.0.0.1 (listening there only) for scripts/chaos.sh (sourced after scripts/lib/pg.sh): a monitor, a primary
# and a synchronous secondary, trust auth, no TLS, everything under one work directory that the caller removes.
#
#   paf_setup WORKDIR                  find (or apt-install) pg_autoctl and PostgreSQL 15; WORKDIR holds the nodes, their
#                                      logs and pg_autoctl's own files (XDG_* point there, so nothing lands in ~postgres)
#   paf_monitor PORT                   create and run the monitor (background); sets PAF_MONITOR (its URI)
#   paf_node NAME PORT DBNAME          create and run a Postgres node (background) registered with the monitor
#   paf_wait_states SECONDS            wait until the formation has one primary and one secondary
#   paf_primary_port                   port of the current primary
#   paf_describe                       the nodes, their ports and states on one line
#   paf_ctl ARGS...                    pg_autoctl as the owner, e.g. paf_ctl perform failover --pgdata "$PAF_DIR/monitor"
#   paf_pg_ctl NODE ARGS...            pg_ctl on a node's data directory as the owner
#   paf_stop                           stop every node and the monitor, then kill whatever of ours still runs
# pg_autoctl, like PostgreSQL, refuses root: as root everything runs as the "postgres" user (setpriv, so that the PID we
# keep is pg_autoctl's own).

PAF_DIR=""
PAF_MONITOR=""
PAF_PIDS=()
PAF_PG_BIN=/usr/lib/postgresql/15/bin

_paf_log() { echo "[pg_auto_failover] $*" >&2; }

paf_setup() {
  PAF_DIR="$1"
  if ! command -v pg_autoctl >/dev/null 2>&1 || [[ ! -x "$PAF_PG_BIN/pg_ctl" ]] \
      || ! ls /usr/share/postgresql/15/extension/pgautofailover.control >/dev/null 2>&1; then
    _paf_log "installing postgresql-15-auto-failover and pg-auto-failover-cli with apt-get"
    local sudo=""
    [[ "$(id -u)" -ne 0 ]] && sudo=sudo
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 postgresql-15-auto-failover pg-auto-failover-cli >/dev/null
  fi
  command -v pg_autoctl >/dev/null 2>&1 || { _paf_log "ERROR: pg_autoctl is not available"; return 1; }
  mkdir -p "$PAF_DIR"
  if [[ "$(id -u)" -eq 0 ]]; then
    id -u postgres >/dev/null 2>&1 || { _paf_log "ERROR: running as root but no 'postgres' OS user exists"; return 1; }
    chown postgres: "$PAF_DIR"
  fi
  chmod 755 "$PAF_DIR"
}

# The command line that runs pg_autoctl as the owner with its files under PAF_DIR (into PAF_CMD).
_paf_cmd() {
  PAF_CMD=(env HOME="$PAF_DIR" XDG_CONFIG_HOME="$PAF_DIR/config" XDG_DATA_HOME="$PAF_DIR/share" XDG_RUNTIME_DIR="$PAF_DIR/run"
    PATH="$PAF_PG_BIN:$PATH")
  [[ "$(id -u)" -eq 0 ]] && PAF_CMD+=(setpriv --reuid=postgres --regid="$(id -g postgres)" --init-groups --)
  PAF_CMD+=(pg_autoctl)
}

paf_ctl() {
  _paf_cmd
  (cd / && "${PAF_CMD[@]}" "$@")
}

# pg_autoctl ARGS in the background; exec all the way down, so that $! is pg_autoctl's PID.
_paf_run() {
  local log="$1"; shift
  _paf_cmd
  (cd / && exec "${PAF_CMD[@]}" "$@" >"$log" 2>&1) &
  PAF_PIDS+=($!)
}

paf_pg_ctl() {
  local node="$1"; shift
  if [[ "$(id -u)" -eq 0 ]]; then
    (cd / && setpriv --reuid=postgres --regid="$(id -g postgres)" --init-groups -- "$PAF_PG_BIN/pg_ctl" -D "$PAF_DIR/$node" "$@")
  else
    "$PAF_PG_BIN/pg_ctl" -D "$PAF_DIR/$node" "$@"
  fi
}

paf_monitor() {
  local port="$1"
  _paf_run "$PAF_DIR/monitor.log" create monitor --pgdata "$PAF_DIR/monitor" --pgport "$port" --hostname 127.0.0.1 \
    --listen 127.0.0.1 --auth trust --no-ssl --run
  PAF_MONITOR="postgres://autoctl_node@127.0.0.1:$port/pg_auto_failover?sslmode=disable"
  local i
  for ((i = 0; i < 120; i++)); do
    "$PAF_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -d pg_auto_failover && paf_ctl show state --pgdata "$PAF_DIR/monitor" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  _paf_log "ERROR: the monitor did not come up; see $PAF_DIR/monitor.log"
  tail -n 20 "$PAF_DIR/monitor.log" >&2
  return 1
}

paf_node() {
  local name="$1" port="$2" db="$3"
  _paf_run "$PAF_DIR/$name.log" create postgres --pgdata "$PAF_DIR/$name" --pgport "$port" --hostname 127.0.0.1 --listen 127.0.0.1 \
    --name "$name" --dbname "$db" --monitor "$PAF_MONITOR" --auth trust --no-ssl --run
}

# "name port reported-state" lines of the formation's Postgres nodes.
_paf_states() {
  "$PAF_PG_BIN/psql" "$PAF_MONITOR" -XAtF ' ' -c "select nodename, nodeport, reportedstate from pgautofailover.node order by nodeid" 2>/dev/null
}

paf_wait_states() {
  local seconds="$1" deadline=$((SECONDS + $1)) states
  while ((SECONDS < deadline)); do
    states="$(_paf_states)"
    if grep -q ' primary$' <<<"$states" && grep -q ' secondary$' <<<"$states"; then return 0; fi
    # pg_basebackup of a new secondary waits for a checkpoint on the primary: ask for it now.
    if grep -q ' wait_standby$\| catchingup$' <<<"$states"; then
      local primary; primary="$(awk '$3 ~ /primary/ {print $2; exit}' <<<"$states")"
      [[ -n "$primary" ]] && "$PAF_PG_BIN/psql" -h 127.0.0.1 -p "$primary" -U postgres -d postgres -XAtqc checkpoint >/dev/null 2>&1
    fi
    sleep 1
  done
  _paf_log "ERROR: no primary and secondary within ${seconds}s:"
  echo "$states" >&2
  return 1
}

paf_primary_port() { _paf_states | awk '$3 == "primary" {print $2; exit}'; }

# "node1 127.0.0.1:port primary; node2 ...": the formation in one line.
paf_describe() { _paf_states | awk '{printf "%s%s 127.0.0.1:%s %s", (NR > 1 ? "; " : ""), $1, $2, $3}'; }

paf_stop() {
  local node pid children
  [[ -n "$PAF_DIR" ]] || return 0
  for node in node2 node1 monitor; do
    if [[ -d "$PAF_DIR/$node" ]]; then paf_ctl stop --pgdata "$PAF_DIR/$node" >/dev/null 2>&1 || true; fi
  done
  # What did not stop (a node still being created, say): TERM, then KILL with its subprocesses.
  for pid in "${PAF_PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null || continue
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      children="$(pgrep -P "$pid" || true)"
      # shellcheck disable=SC2086 # one PID a word
      kill -KILL "$pid" $children 2>/dev/null || true
    fi
  done
  for node in node2 node1 monitor; do
    if [[ -f "$PAF_DIR/$node/postmaster.pid" ]]; then paf_pg_ctl "$node" -m immediate -w stop >/dev/null 2>&1 || true; fi
  done
  PAF_PIDS=()
  return 0
}
