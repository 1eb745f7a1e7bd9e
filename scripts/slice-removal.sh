#!/usr/bin/env bash
# Proves a slice can be removed: in a scratch copy of HEAD, deletes the feature's folder and its tests
# and benchmark folders, removes the one Program.cs line that registers it (if any), and builds; with --test, runs every test too (tests that walk the
# removed slice's pages are skipped: [NeedsSlices]). Fails when the removal needs more than one line changed elsewhere.
#   scripts/slice-removal.sh Cancel            build only
#   scripts/slice-removal.sh Cancel --test     build and test (TEST_DATABASE_ADMIN_URL, else this checkout's "test" cluster)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

feature=${1:?usage: scripts/slice-removal.sh FEATURE [--test]}
[[ -d src/App/Features/$feature ]] || { echo "no feature folder src/App/Features/$feature" >&2; exit 2; }
[[ $feature != Connect ]] || { echo "Connect is the one slice every other needs" >&2; exit 2; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/slice-removal-$feature.XXXXXX")
trap 'git worktree remove --force "$scratch" >/dev/null 2>&1 || rm -rf "$scratch"' EXIT
git worktree add --detach --quiet "$scratch" HEAD

cd "$scratch"
rm -rf "src/App/Features/$feature" "tests/App.Tests/Features/$feature" "tests/App.E2ETests/Features/$feature" \
  "benchmarks/Calendly.Slices.Benchmarks/Features/$feature"
# The slice's registration: a line naming its namespace or its Add<Feature>() extension.
sed -i -E "/App\.Features\.$feature\.|\bAdd$feature\(\)/d" src/App/Program.cs
own=(":!src/App/Features/$feature" ":!tests/App.Tests/Features/$feature" ":!tests/App.E2ETests/Features/$feature"
  ":!benchmarks/Calendly.Slices.Benchmarks/Features/$feature")
changed=$(git diff --numstat -- . "${own[@]}" | awk '{ n += $1 + $2 } END { print n + 0 }')
echo "$feature: $changed line(s) changed outside its folders"
(( changed <= 1 )) || { git diff -- . "${own[@]}" >&2; exit 1; }

dotnet build --nologo -v quiet -clp:ErrorsOnly
if [[ ${2:-} == --test ]]; then
  export TEST_DATABASE_ADMIN_URL=${TEST_DATABASE_ADMIN_URL:-$(cd - >/dev/null && scripts/postgres.sh start test | tail -1)}
  dotnet test --no-build
fi
