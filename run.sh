#!/usr/bin/env bash
# Builds and runs the app in the foreground, on a private PostgreSQL unless DATABASE_URL is set.
#   ./run.sh                      http://localhost:5080 (PORT), ASPNETCORE_ENVIRONMENT=Development
#   PORT=6000 ./run.sh            another HTTP port
#   DATABASE_URL='Host=...' ./run.sh   use that database; no PostgreSQL is started
#   SIM_PORT=6001 ./run.sh        the Calendly simulator's port (default 5081)
#   USE_REAL_CALENDLY=true ./run.sh    talk to Calendly; no simulator is started
#   INSTANCES=2 ./run.sh          two app instances on one PostgreSQL (ports PORT+11, PORT+12, ...) behind a local
#                                 round-robin proxy on PORT (src/LocalProxy), as a platform's load balancer would be
# Ctrl-C stops the app and the PostgreSQL this script started.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export PORT=${PORT:-5080}
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}
instances=${INSTANCES:-1}
[[ $instances =~ ^[1-9][0-9]?$ ]] || { echo "INSTANCES must be a number from 1 to 99, not '$instances'" >&2; exit 2; }
metrics_port=${METRICS_PORT:-9091}
if (( instances > 1 && metrics_port != 0 && metrics_port + instances > PORT + 11 && metrics_port <= PORT + 10 + instances )); then
  echo "METRICS_PORT=$metrics_port..$((metrics_port + instances - 1)) overlaps the instances' ports $((PORT + 11))..$((PORT + 10 + instances)); choose another" >&2
  exit 2
fi

scripts/prereqs.sh

pg_started=0
app_pids=""     # the app instances and, with INSTANCES>1, the proxy in front of them
sim_pid=""

# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
  # The app is normally gone already; this covers the script dying some other way.
  local pid
  for pid in $app_pids $sim_pid; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  if (( pg_started )); then scripts/postgres.sh stop run || true; fi
}
trap cleanup EXIT

# With the app running, a signal is passed on to it and the script keeps waiting for it to exit.
# SIGTERM in both cases: bash starts background children with SIGINT ignored, and ASP.NET Core
# shuts down gracefully on SIGTERM. Before that, the signal just ends the script (EXIT trap).
# shellcheck disable=SC2317 # called from the INT/TERM traps
on_signal() {
  if [[ -n $app_pids ]]; then
    # shellcheck disable=SC2086 # a list of PIDs
    kill -TERM $app_pids 2>/dev/null || true
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

# What ./run.sh runs, built only when a file it is built from was added, removed or changed since the last build that
# succeeded here: an unchanged second start skips MSBuild, which takes seconds even with nothing to do. The app and the
# simulator are one build (run.slnf), so MSBuild builds them side by side; with real Calendly only the app is built.
use_real=${USE_REAL_CALENDLY:-false}
if [[ ! ${use_real,,} =~ ^(true|1|yes|on)$ ]]; then build_target=run.slnf; else build_target=src/App/App.csproj; fi
stamp=src/App/bin/Release/run-build-$(basename "$build_target").stamp
build_inputs() {
  find src/App src/Calendly.Simulator db/migrations Directory.Build.props Directory.Packages.props global.json run.slnf \
    \( -name bin -o -name obj -o -name node_modules -o -path src/App/wwwroot/lib \) -prune -o -type f "$@" -print
}
inputs=$(build_inputs | sort | cksum)
if [[ ! -f $stamp || $(<"$stamp") != "$inputs" || -n $(build_inputs -newer "$stamp" | head -n 1) ]]; then
  # Stamped with the time the build started: a file saved while it runs is built next time.
  mkdir -p "$(dirname "$stamp")"
  echo "$inputs" >"$stamp.next"
  dotnet build "$build_target" -c Release --nologo -v quiet -clp:NoSummary
  mv "$stamp.next" "$stamp"
else
  echo "Build skipped: nothing changed since the last one."
fi

# The embedded Calendly: the simulator serves Calendly's API, OAuth and booking pages on SIM_PORT,
# and the app is pointed at it. It reads the app's PORT / PUBLIC_BASE_URL / CALENDLY_* variables,
# so both agree on the OAuth client and its callback without further setup.
if [[ ! ${use_real,,} =~ ^(true|1|yes|on)$ ]]; then
  export SIM_PORT=${SIM_PORT:-5081}
  export CALENDLY_API_BASE_URL=${CALENDLY_API_BASE_URL:-http://localhost:$SIM_PORT}
  export CALENDLY_AUTH_BASE_URL=${CALENDLY_AUTH_BASE_URL:-http://localhost:$SIM_PORT}
  echo "Calendly simulator: http://localhost:$SIM_PORT (control endpoints under /_sim)"
  (cd src/Calendly.Simulator && exec dotnet bin/Release/net10.0/Calendly.Simulator.dll) &
  sim_pid=$!
fi

# Started from src/App, as `dotnet run` would: the content root is the working directory, and
# appsettings*.json and wwwroot/ live there, not at the repo root. exec keeps $! the app's PID.
if (( instances == 1 )); then
  (cd src/App && exec dotnet bin/Release/net10.0/App.dll) &
  app_pids=$!
else
  # Every instance names the proxy as its public address: one webhook subscription, one OAuth callback, for all.
  export PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://localhost:$PORT}
  dotnet build src/LocalProxy/LocalProxy.csproj -c Release
  backends=""
  for i in $(seq 1 "$instances"); do
    port=$((PORT + 10 + i))
    backends+="${backends:+,}http://localhost:$port"
    # Each instance its own scrape port (METRICS_PORT, +1, …), as each machine of a deployment has its own.
    instance_metrics=$(( metrics_port == 0 ? 0 : metrics_port + i - 1 ))
    (cd src/App && PORT=$port METRICS_PORT=$instance_metrics exec dotnet bin/Release/net10.0/App.dll) &
    echo "Instance $i: http://localhost:$port, metrics on :$instance_metrics (PID $!)"
    app_pids+=" $!"
  done
  (cd src/LocalProxy && BACKENDS=$backends exec dotnet bin/Release/net10.0/LocalProxy.dll) &
  app_pids+=" $!"
fi
echo "App: http://localhost:$PORT/dev/sign-in"

# wait returns early whenever a trapped signal arrives, so wait until every process has really exited.
status=0
for pid in $app_pids; do
  while kill -0 "$pid" 2>/dev/null; do
    wait "$pid" || true
  done
  wait "$pid" || status=$?
done
app_pids=""
exit "$status"
