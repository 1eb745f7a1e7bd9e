#!/usr/bin/env bash
# Runs every test suite (`dotnet test` at the repo root) against a private PostgreSQL, then
# prints one plain last line for CI: "N passed, N failed, N skipped".
#   ./test.sh                                   everything
#   ./test.sh --treenode-filter "/*/*/X/*"      arguments go straight to dotnet test
# The tests create and drop their own databases via TEST_DATABASE_ADMIN_URL.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

summary=""      # the final line; stays empty until dotnet test has run
pg_started=0

# Everything ends here, so the summary is always the last line, even after an early failure
# (which must never look green), and PostgreSQL is stopped before it is printed.
# shellcheck disable=SC2317 # called from the EXIT trap
finish() {
  local status=$?
  if (( pg_started )); then scripts/postgres.sh stop test || true; fi
  if [[ -z $summary ]]; then
    summary="0 passed, 1 failed"
    if (( status == 0 )); then status=1; fi
  fi
  printf '%s\n' "$summary"
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

prereq_args=()
# Chromium is only needed (and worth ~20 s of apt) once the Playwright project exists.
if [[ -d tests/App.E2ETests ]]; then prereq_args+=(--chromium); fi
scripts/prereqs.sh "${prereq_args[@]}"

pg_started=1   # set first, so that a half-started cluster is stopped too
TEST_DATABASE_ADMIN_URL=$(scripts/postgres.sh start test)
export TEST_DATABASE_ADMIN_URL

log_dir=$(mktemp -d "${TMPDIR:-/tmp}/calendly-slices-test.XXXXXX")
log=$log_dir/dotnet-test.log

# PIPESTATUS keeps dotnet's exit code rather than tee's; set +e so that a failing run does
# not end the script before the summary is made.
set +e
dotnet test "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

# Reads the counts after the last "Test run summary:" line; prints nothing when there is none
# (build or restore failure). Colour codes and CRs are stripped in case output is decorated.
counts=$(awk '
  { gsub(/\033\[[0-9;]*[A-Za-z]/, ""); sub(/\r$/, "") }
  /^ *Test run summary:/ { seen = 1; p = f = s = "" }
  seen && /^ *succeeded: *[0-9]+ *$/ { p = $2 }
  seen && /^ *failed: *[0-9]+ *$/ { f = $2 }
  seen && /^ *skipped: *[0-9]+ *$/ { s = $2 }
  END { if (seen && p != "" && f != "") print p, f, (s == "" ? 0 : s) }
' "$log")

status=$rc
if [[ -n $counts ]]; then
  read -r passed failed skipped <<<"$counts"
  # A non-zero exit with no failed test (zero tests ran, a crashed test host) is still a failure.
  if (( rc != 0 && failed == 0 )); then failed=1; fi
  if (( failed > 0 && status == 0 )); then status=1; fi
  summary="$passed passed, $failed failed, $skipped skipped"
fi
echo "Full dotnet test log: $log" >&2
exit "$status"
