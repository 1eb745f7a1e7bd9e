#!/usr/bin/env bash
# Private PostgreSQL clusters for this checkout, one per NAME (e.g. run, test).
#
#   scripts/postgres.sh start NAME            create (first time) and (re)start; prints the admin
#                                              connection string as the last line of stdout
#   scripts/postgres.sh stop NAME             fast shutdown; quiet when not running
#   scripts/postgres.sh url NAME              connection string of the running cluster
#   scripts/postgres.sh createdb NAME DBNAME  create DBNAME unless it exists
#   scripts/postgres.sh signal NAME SIGNAL    send SIGNAL (STOP, CONT, ...) to the server and all its processes
#
# Data: /var/tmp/calendly-slices/<checkout-id>-NAME/ with checkout-id = first 12 hex digits of
# sha256(absolute repo path), so two clones never share a cluster. /var/tmp rather than $HOME
# because as root the server runs as the postgres user, which cannot enter /root.
# Progress goes to stderr; stdout carries only the values callers capture.
#
# It can also be sourced to get pg_start/pg_stop/pg_url/pg_createdb; their errors exit the caller.

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CS_PG_ROOT=/var/tmp/calendly-slices

pg_usage() {
  sed -n '2,10s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

# Sets _pg_name, _pg_inst (instance folder), _pg_data (PGDATA), _pg_user (server OS user) and
# _pg_bin (server binaries matching the cluster's major version; empty when not installed).
_pg_paths() {
  _pg_name=$1
  [[ $_pg_name =~ ^[a-z0-9][a-z0-9_-]*$ ]] || die "bad cluster name '$_pg_name' (use e.g. run or test)"
  local id
  id=$(printf '%s' "$CS_REPO_ROOT" | sha256sum | cut -c1-12)
  _pg_inst=$CS_PG_ROOT/$id-$_pg_name
  _pg_data=$_pg_inst/data
  if (( EUID == 0 )); then _pg_user=postgres; else _pg_user=$(id -un); fi
  _pg_bin=""
  if [[ -f $_pg_data/PG_VERSION ]]; then
    # An existing cluster only starts with the binaries of its own major version.
    local d
    d=/usr/lib/postgresql/$(<"$_pg_data/PG_VERSION")/bin
    if [[ -x $d/pg_ctl ]]; then _pg_bin=$d; fi
  else
    _pg_bin=$(pg_find_bindir) || _pg_bin=""
  fi
}

# PostgreSQL refuses to run as root, so as root every server command runs as the postgres
# user. cd / first: it cannot read root's working directory and would warn about it.
_pg_as_owner() {
  if (( EUID == 0 )); then
    (cd / && runuser -u "$_pg_user" -- "$@")
  else
    "$@"
  fi
}

# A postmaster killed while PID 1 does not reap children (common in containers) stays a zombie,
# and after a reboot its PID may belong to another program: pg_ctl would think it still runs
# (and signal the wrong process), and a new postmaster would refuse the lock files. So a PID
# that is gone, a zombie, or not a postgres process marks the lock files as stale.
_pg_clear_stale_pid() {
  local pidfile=$_pg_data/postmaster.pid pid stat
  [[ -f $pidfile ]] || return 0
  pid=$(head -n 1 "$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || stat=""
  # /proc/PID/stat is "PID (comm) STATE ..."
  if [[ $stat == "$pid (postgres) "[^Z]* ]]; then return 0; fi
  log "PostgreSQL '$_pg_name': PID $pid in postmaster.pid is gone; removing stale lock files"
  _pg_as_owner rm -f "$pidfile"
  _pg_as_owner find "$_pg_inst" -maxdepth 1 -name '.s.PGSQL.*' -delete
}

_pg_running() {
  [[ -n $_pg_bin && -f $_pg_data/PG_VERSION ]] || return 1
  _pg_clear_stale_pid
  _pg_as_owner "$_pg_bin/pg_ctl" status -D "$_pg_data" >/dev/null 2>&1
}

_pg_port_in_use() {
  # A successful connect means something listens there (also on 0.0.0.0 or dual-stack ::).
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

_pg_free_port() {
  local p=$1
  while _pg_port_in_use "$p"; do
    p=$((p + 1))
    (( p < $1 + 100 )) || die "no free TCP port on 127.0.0.1 in $1..$p"
  done
  printf '%s\n' "$p"
}

_pg_conn_string() {
  printf 'Host=127.0.0.1;Port=%s;Username=app;Password=app;Database=%s\n' "$1" "${2:-postgres}"
}

_pg_recorded_port() {
  [[ -r $_pg_inst/port ]] || die "no recorded port in $_pg_inst/port"
  local port
  port=$(<"$_pg_inst/port")
  [[ $port =~ ^[0-9]+$ ]] || die "bad port '$port' in $_pg_inst/port"
  printf '%s\n' "$port"
}

_pg_require_running() {
  _pg_running \
    || die "PostgreSQL '$_pg_name' of this checkout is not running (start it: scripts/postgres.sh start $_pg_name)"
}

_pg_prepare_dirs() {
  if (( EUID == 0 )) && ! id -u postgres >/dev/null 2>&1; then
    # The postgresql package creates this user; a machine with bare binaries may lack it.
    log "creating system user postgres"
    useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
  # Sticky and world-writable like /tmp, so root's clusters (owned by postgres) and plain
  # users' clusters live side by side without being able to delete each other's.
  # (mkdir may lose a race with a parallel start; the folder existing afterwards is what counts.)
  mkdir -m 1777 "$CS_PG_ROOT" 2>/dev/null || [[ -d $CS_PG_ROOT ]] || die "cannot create $CS_PG_ROOT"
  [[ -w $CS_PG_ROOT && -x $CS_PG_ROOT ]] \
    || die "$CS_PG_ROOT is not writable by $(id -un) (it should be mode 1777)"
  if [[ ! -d $_pg_inst ]]; then
    mkdir -m 700 "$_pg_inst" 2>/dev/null || [[ -d $_pg_inst ]] || die "cannot create $_pg_inst"
    if (( EUID == 0 )); then chown "$_pg_user:$_pg_user" "$_pg_inst"; fi
  fi
  local owner
  owner=$(stat -c %U "$_pg_inst")
  [[ $owner == "$_pg_user" ]] \
    || die "$_pg_inst belongs to '$owner', not '$_pg_user': it was made by another user; run as that user or delete it"
  chmod 700 "$_pg_inst"
}

_pg_initdb() {
  # Leftovers of an interrupted initdb make initdb refuse; they hold no data yet.
  if [[ -e $_pg_data ]]; then _pg_as_owner rm -rf "$_pg_data"; fi
  # The password file sits in the 700 instance folder owned by the server user, so only that
  # user (and root) can read it; it is deleted right after initdb.
  local pwfile=$_pg_inst/pwfile out rc=0
  printf 'app\n' | _pg_as_owner tee "$pwfile" >/dev/null
  log "initdb '$_pg_name' with $_pg_bin/initdb (user app)"
  # C.UTF-8 always exists on Debian; the caller's LANG might name a locale that is not generated.
  out=$(_pg_as_owner "$_pg_bin/initdb" -D "$_pg_data" -U app --pwfile="$pwfile" \
          -A scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync 2>&1) || rc=$?
  _pg_as_owner rm -f "$pwfile"
  if (( rc != 0 )); then
    log "$out"
    die "initdb failed for '$_pg_name' ($_pg_data)"
  fi
}

pg_stop() {
  _pg_paths "$1"
  _pg_running || return 0
  log "stopping PostgreSQL '$_pg_name'"
  if ! _pg_as_owner "$_pg_bin/pg_ctl" stop -D "$_pg_data" -m fast -w >&2; then
    log "fast shutdown failed; trying immediate"
    _pg_as_owner "$_pg_bin/pg_ctl" stop -D "$_pg_data" -m immediate -w >&2
  fi
}

pg_start() {
  local name=$1
  ensure_pg_server
  _pg_paths "$name"
  _pg_prepare_dirs
  if [[ -f $_pg_data/PG_VERSION ]]; then
    [[ -n $_pg_bin ]] \
      || die "cluster $_pg_data is PostgreSQL $(<"$_pg_data/PG_VERSION"), whose binaries are not installed: install postgresql-$(<"$_pg_data/PG_VERSION") or delete $_pg_inst"
    if _pg_running; then
      # Left over from a crashed or killed run: restart it so settings and port are fresh.
      log "PostgreSQL '$name' is already running (stale); restarting it"
      pg_stop "$name"
    fi
  else
    _pg_bin=$PG_BIN
    _pg_initdb
  fi

  local base opts port attempt
  case $name in
    run) base=55432 ;;
    test) base=55433 ;;
    *) base=55434 ;;
  esac
  opts="-c listen_addresses=127.0.0.1"
  if [[ $name == test ]]; then
    # Test data is throwaway: durability only costs time. Test classes run in parallel, each isolated one with its own
    # app and connection pools: PostgreSQL's default of 100 connections was reached in a full run.
    opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400"
  fi
  port=$base
  # A cluster started again keeps its address while that is free: whoever holds its connection string (a test that
  # stops and starts it) finds it where it was.
  if [[ -r $_pg_inst/port ]]; then
    local recorded
    recorded=$(<"$_pg_inst/port")
    if [[ $recorded =~ ^[0-9]+$ ]] && ! _pg_port_in_use "$recorded"; then port=$recorded; fi
  fi
  for attempt in 1 2 3 4 5; do
    port=$(_pg_free_port "$port")
    log "starting PostgreSQL '$name' on 127.0.0.1:$port (data: $_pg_data)"
    if _pg_as_owner "$_pg_bin/pg_ctl" start -D "$_pg_data" -w -l "$_pg_inst/server.log" \
         -o "-p $port -k $_pg_inst $opts" >&2; then
      break
    fi
    # Another process may have taken the port between the probe and the bind (or holds it
    # bound without listening, which the probe cannot see): then try the next port.
    if (( attempt == 5 )) || ! tail -n 5 "$_pg_inst/server.log" | grep -q 'Address already in use'; then
      tail -n 20 "$_pg_inst/server.log" >&2 || true
      die "PostgreSQL '$name' failed to start; see $_pg_inst/server.log"
    fi
    log "port $port is taken; trying the next one"
    port=$((port + 1))
  done
  printf '%s\n' "$port" | _pg_as_owner tee "$_pg_inst/port" >/dev/null
  # Tells a human which clone a folder under $CS_PG_ROOT belongs to.
  printf '%s\n' "$CS_REPO_ROOT" | _pg_as_owner tee "$_pg_inst/checkout" >/dev/null
  _pg_conn_string "$port"
}

pg_url() {
  _pg_paths "$1"
  _pg_require_running
  _pg_conn_string "$(_pg_recorded_port)"
}

pg_createdb() {
  local db=$2 port psql exists
  _pg_paths "$1"
  _pg_require_running
  port=$(_pg_recorded_port)
  psql=$_pg_bin/psql
  [[ -x $psql ]] || psql=$(command -v psql) || die "psql not found"
  # -X: ignore ~/.psqlrc; :'db' / :"db" let psql quote the name as a literal / an identifier.
  local -a cmd=("$psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U app -d postgres -v "db=$db")
  exists=$(PGPASSWORD=app "${cmd[@]}" -tA <<'SQL'
SELECT count(*) FROM pg_database WHERE datname = :'db';
SQL
  )
  if [[ $exists == 0 ]]; then
    log "creating database $db on PostgreSQL '$_pg_name'"
    PGPASSWORD=app "${cmd[@]}" >&2 <<'SQL'
CREATE DATABASE :"db";
SQL
  else
    log "database $db already exists on PostgreSQL '$_pg_name'"
  fi
}

# The fault tests freeze a cluster (STOP) as a hung server would be, and thaw it (CONT).
pg_signal() {
  _pg_paths "$1"
  _pg_require_running
  local postmaster children
  postmaster=$(head -n 1 "$_pg_data/postmaster.pid")
  children=$(ps -o pid= --ppid "$postmaster" | tr '\n' ' ')
  # shellcheck disable=SC2086 # a list of PIDs
  kill -s "$2" "$postmaster" $children
}

pg_main() {
  case ${1:-} in
    start) (( $# == 2 )) || { pg_usage >&2; exit 2; }; pg_start "$2" ;;
    stop) (( $# == 2 )) || { pg_usage >&2; exit 2; }; pg_stop "$2" ;;
    url) (( $# == 2 )) || { pg_usage >&2; exit 2; }; pg_url "$2" ;;
    createdb) (( $# == 3 )) || { pg_usage >&2; exit 2; }; pg_createdb "$2" "$3" ;;
    signal) (( $# == 3 )) || { pg_usage >&2; exit 2; }; pg_signal "$2" "$3" ;;
    -h | --help) pg_usage ;;
    *) pg_usage >&2; exit 2 ;;
  esac
}

# Executed (not sourced): strict mode here only, so sourcing does not change the caller's options.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  pg_main "$@"
fi
