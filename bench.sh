#!/usr/bin/env bash
# Runs a benchmark in Release on a private PostgreSQL and prints its results as a Markdown table row.
#   ./bench.sh token-refresh [integrations=10000] [token requests per minute=12000]
#   ./bench.sh free-times [seconds per load run=10] [days of free times asked=7]
# Figures go to BENCHMARKS.md with the command that produced them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

scripts/prereqs.sh --wrk
trap 'scripts/postgres.sh stop bench || true' EXIT
TEST_DATABASE_ADMIN_URL=$(scripts/postgres.sh start bench)
export TEST_DATABASE_ADMIN_URL
dotnet run -c Release --project benchmarks/Calendly.Slices.Benchmarks -- "$@"
