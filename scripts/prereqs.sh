#!/usr/bin/env bash
# Installs, only when missing, the machine packages this project needs:
#   PostgreSQL server, nodejs + npm (htmx is restored from npm), and with --chromium the
#   Debian chromium package that the Playwright E2E tests drive, and with --wrk the HTTP load tool the
#   benchmarks use.
# The .NET 10 SDK is never installed here (the machine image ships it); it is only checked.
# Usage: scripts/prereqs.sh [--chromium] [--wrk]
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

want_chromium=0
want_wrk=0
for arg in "$@"; do
  case $arg in
    --chromium) want_chromium=1 ;;
    --wrk) want_wrk=1 ;;
    -h | --help) sed -n '2,6s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown option '$arg' (usage: scripts/prereqs.sh [--chromium] [--wrk])" ;;
  esac
done

# Checked first: without the SDK nothing else is worth installing.
if ! command -v dotnet >/dev/null 2>&1; then
  die "the .NET 10 SDK is required but 'dotnet' is not on PATH. Install the .NET 10 SDK (https://dotnet.microsoft.com/download/dotnet/10.0); this script does not install it"
fi
sdks=$(dotnet --list-sdks 2>/dev/null | cut -d' ' -f1 | paste -sd' ' -) || sdks=""
if ! grep -q '\(^\| \)10\.' <<<"$sdks"; then
  die "the .NET 10 SDK is required, but dotnet has only these SDKs: ${sdks:-none}"
fi

# Collected first so that apt-get update and install run once for everything.
missing=()
if ! pg_find_bindir >/dev/null; then missing+=(postgresql); fi
if ! command -v npm >/dev/null 2>&1; then missing+=(nodejs npm); fi
if (( want_chromium )) && [[ ! -x /usr/bin/chromium ]]; then missing+=(chromium); fi
if (( want_wrk )) && ! command -v wrk >/dev/null 2>&1; then missing+=(wrk); fi

if (( ${#missing[@]} > 0 )); then
  log "missing machine packages: ${missing[*]}"
  apt_install "${missing[@]}"
fi
