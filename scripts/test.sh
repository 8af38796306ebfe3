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
go vet ./...
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt needed:"; echo "$unformatted"; exit 1; fi
go test -race -count=1 -timeout 20m "$@" ./...
