# shellcheck shell=bash
# Shared helpers for scripts/*.sh. Only sourced, so it sets no shell options of its
# own: every caller runs with `set -euo pipefail`.

# Resolved once from this file's location, so callers may be run from any directory.
CS_SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck disable=SC2034 # used by the scripts that source this file
CS_REPO_ROOT=$(dirname "$CS_SCRIPTS_DIR")

# Progress goes to stderr: stdout is kept for values callers capture with $(...).
log() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

can_be_root() { (( EUID == 0 )) || command -v sudo >/dev/null 2>&1; }

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
  if (( EUID == 0 )); then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "'$*' needs root: run as root or install sudo"
  fi
}

# apt-get update is slow, so it runs at most once per process and only when
# something must actually be installed.
_cs_apt_updated=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 \
    || die "missing packages: $*; apt-get not found, install them by hand"
  can_be_root \
    || die "missing packages: $*; installing them needs root or sudo and neither is available. Ask an admin to run: apt-get install -y $*"
  # Wait for the dpkg lock instead of failing when ./run.sh and ./test.sh install at once.
  local -a apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300)
  if (( _cs_apt_updated == 0 )); then
    log "+ apt-get update"
    as_root "${apt[@]}" update >&2
    _cs_apt_updated=1
  fi
  log "+ apt-get install -y $*"
  as_root "${apt[@]}" install -y "$@" >&2
}

# Prints the newest Debian PostgreSQL server bin dir (/usr/lib/postgresql/<major>/bin);
# fails when none is installed. sort -V so that 16 beats 9.6.
pg_find_bindir() {
  local f best=""
  while IFS= read -r f; do
    if [[ -x $f && -x ${f%/initdb}/pg_ctl ]]; then best=${f%/initdb}; fi
  done < <(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V)
  if [[ -z $best ]]; then return 1; fi
  printf '%s\n' "$best"
}

# shellcheck disable=SC2034 # PG_BIN is this function's result, read by the caller
# Sets PG_BIN, installing the Debian server package first when it is missing.
ensure_pg_server() {
  if PG_BIN=$(pg_find_bindir); then return 0; fi
  log "PostgreSQL server binaries not found; installing them"
  apt_install postgresql
  PG_BIN=$(pg_find_bindir) || die "installed postgresql but found no /usr/lib/postgresql/*/bin/initdb"
}
