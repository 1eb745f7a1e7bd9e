#!/usr/bin/env bash
# Builds and runs the app in the foreground, on a private PostgreSQL unless DATABASE_URL is set.
#   ./run.sh                      http://localhost:5080 (PORT), ASPNETCORE_ENVIRONMENT=Development
#   PORT=6000 ./run.sh            another HTTP port
#   DATABASE_URL='Host=...' ./run.sh   use that database; no PostgreSQL is started
# Ctrl-C stops the app and the PostgreSQL this script started.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export PORT=${PORT:-5080}
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}

scripts/prereqs.sh

pg_started=0
app_pid=""

# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
  # The app is normally gone already; this covers the script dying some other way.
  if [[ -n $app_pid ]] && kill -0 "$app_pid" 2>/dev/null; then
    kill -TERM "$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true
  fi
  if (( pg_started )); then scripts/postgres.sh stop run || true; fi
}
trap cleanup EXIT

# With the app running, a signal is passed on to it and the script keeps waiting for it to exit.
# SIGTERM in both cases: bash starts background children with SIGINT ignored, and ASP.NET Core
# shuts down gracefully on SIGTERM. Before that, the signal just ends the script (EXIT trap).
# shellcheck disable=SC2317 # called from the INT/TERM traps
on_signal() {
  if [[ -n $app_pid ]]; then
    kill -TERM "$app_pid" 2>/dev/null || true
  else
    exit "$1"
  fi
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

if [[ -z ${DATABASE_URL:-} ]]; then
  pg_started=1   # set first, so that a half-started cluster is stopped too
  admin_url=$(scripts/postgres.sh start run)
  scripts/postgres.sh createdb run calendly_slices
  export DATABASE_URL=${admin_url/%Database=postgres/Database=calendly_slices}
fi

dotnet build src/App/App.csproj -c Release

# --- Calendly simulator (added by a later issue): start it here, in the background, next to
# --- the app, and stop it in cleanup().

echo "App: http://localhost:$PORT/dev/sign-in"
# Started from src/App, as `dotnet run` would: the content root is the working directory, and
# appsettings*.json and wwwroot/ live there, not at the repo root. exec keeps $! the app's PID.
(cd src/App && exec dotnet bin/Release/net10.0/App.dll) &
app_pid=$!

# wait returns early whenever a trapped signal arrives, so wait until the app has really exited.
while kill -0 "$app_pid" 2>/dev/null; do
  wait "$app_pid" || true
done
status=0
wait "$app_pid" || status=$?
app_pid=""
exit "$status"
