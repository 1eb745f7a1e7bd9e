#!/usr/bin/env bash
# Runs a benchmark in Release on a private PostgreSQL and prints its results as a Markdown table row.
#   ./bench.sh token-refresh [integrations=10000] [token requests per minute=12000]
#   ./bench.sh free-times [seconds per load run=4] [days of free times asked=7]
#   ./bench.sh webhooks [seconds of load=5] [ingest-only]
#   ./bench.sh native-booking [bookings of each kind=200]
#   ./bench.sh crash-window [rounds of each signal=8] [coaches=20] [token answer's body delay ms=200]
#   ./bench.sh first-run [cold]
#   ./bench.sh all [no-cold]      every scenario of the speed table (about 5 minutes), one table of figure, baseline,
#                                 ratio and goal, appended to BENCHMARKS.md with the date and the machine
# Figures go to BENCHMARKS.md with the command that produced them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

scripts/prereqs.sh --wrk
trap 'scripts/postgres.sh stop bench || true' EXIT
TEST_DATABASE_ADMIN_URL=$(scripts/postgres.sh start bench)
export TEST_DATABASE_ADMIN_URL
# pgbench (the webhooks benchmark's baseline) ships with the PostgreSQL server, outside PATH on Debian.
PGBENCH=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/pgbench
export PGBENCH
dotnet run -c Release --project benchmarks/Calendly.Slices.Benchmarks -- "$@"
