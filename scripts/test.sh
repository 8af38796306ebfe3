#!/usr/bin/env bash
# Run the whole test suite on SQLite and on a throwaway PostgreSQL.
# Locally Postgres is used when its binaries are present; in CI (CI=true) it
# is required, and the storage tests fail rather than skip without it.
set -euo pipefail
cd "$(dirname "$0")/.."
pgdir=$(mktemp -d /tmp/masseflyt-pg.XXXXXX)
cleanup() { scripts/pg.sh stop "$pgdir"; }
trap cleanup EXIT
if [ -z "${MASSEFLYT_TEST_POSTGRES:-}" ]; then
  if env_lines=$(scripts/pg.sh start "$pgdir"); then
    while IFS= read -r line; do export "${line?}"; done <<<"$env_lines"
    echo "test: PostgreSQL at ${MASSEFLYT_TEST_POSTGRES}"
  elif [ "${CI:-}" = "true" ]; then
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
elif [ "${CI:-}" = "true" ]; then
  echo "test: npm is required in CI (widget build check, browser tests)" >&2
  exit 1
else
  echo "test: no npm here; widget build check and browser tests are skipped"
fi
go vet ./...
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt needed:"; echo "$unformatted"; exit 1; fi
go test -race -count=1 -timeout 20m "$@" ./...
