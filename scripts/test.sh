#!/usr/bin/env bash
# Run the whole test suite on SQLite and on a throwaway PostgreSQL.
# Locally Postgres is used when its binaries are present; in CI (any non-empty
# CI) it is required, and the storage tests fail rather than skip without it.
# The run closes with a count of passed, failed and skipped tests; in CI a
# skipped test fails the run. Extra arguments go to `go test`.
#   MASSEFLYT_NOW=2031-06-01 scripts/test.sh    the suite at another date
set -euo pipefail
cd "$(dirname "$0")/.."
# Any non-empty CI counts as CI (as internal/testenv).
ci() { [ -n "${CI:-}" ]; }
pgdir=$(mktemp -d /tmp/masseflyt-pg.XXXXXX)
cleanup() { scripts/pg.sh stop "$pgdir"; }
trap cleanup EXIT
if [ -z "${MASSEFLYT_TEST_POSTGRES:-}" ]; then
  if env_lines=$(scripts/pg.sh start "$pgdir"); then
    while IFS= read -r line; do export "${line?}"; done <<<"$env_lines"
    echo "test: PostgreSQL at ${MASSEFLYT_TEST_POSTGRES}"
  elif ci; then
    echo "test: PostgreSQL is required in CI but could not be started" >&2
    exit 1
  else
    echo "test: no PostgreSQL here; storage tests run on SQLite only"
  fi
fi
# Front-end: the browser tests' packages (playwright-core, axe-core), and a
# check that the committed widget build matches its sources.
if command -v npm >/dev/null 2>&1; then
  if [ ! -d tests/browser/node_modules ] || [ tests/browser/package-lock.json -nt tests/browser/node_modules ]; then
    npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
  fi
  if [ ! -d widgets/node_modules ] || [ widgets/package-lock.json -nt widgets/node_modules ]; then
    npm ci --prefix widgets --no-audit --no-fund --loglevel=error
  fi
  npm run --prefix widgets --silent build >/dev/null
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1 && ! git diff --quiet -- widgets/dist 2>/dev/null || [ -n "$(git status --porcelain -- widgets/dist 2>/dev/null)" ]; then
    echo "widgets/dist is stale: run 'npm run build --prefix widgets' and commit widgets/dist" >&2
    git status --short -- widgets/dist >&2
    exit 1
  fi
elif ci; then
  echo "test: npm is required in CI (widget build check, browser tests)" >&2
  exit 1
else
  echo "test: no npm here; widget build check and browser tests are skipped"
fi
go vet ./...
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt needed:"; echo "$unformatted"; exit 1; fi
summary=$(mktemp /tmp/masseflyt-testsummary.XXXXXX)
trap 'cleanup; rm -f "$summary"' EXIT
go build -o "$summary" ./internal/testsummary
skipflag=()
if ci; then skipflag=(-fail-on-skip); fi
set +e
go test -race -count=1 -timeout 20m -json "$@" ./... | "$summary" -quiet "${skipflag[@]}"
status=("${PIPESTATUS[@]}")
set -e
[ "${status[0]}" = 0 ] && [ "${status[1]}" = 0 ]
