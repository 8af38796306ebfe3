#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL for the test suite, from the local
# binaries, on loopback only. Prints the environment to export on start.
#   scripts/pg.sh start DIR   → prints MASSEFLYT_TEST_POSTGRES=... lines
#   scripts/pg.sh stop DIR
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?data directory}
port=${MASSEFLYT_TEST_PG_PORT:-55432}
if [ "$cmd" = start ]; then
  # Take the first free port from the default up.
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
fi

bin=""
if command -v initdb >/dev/null 2>&1; then bin=$(dirname "$(readlink -f "$(command -v initdb)")"); fi
if [ -z "$bin" ]; then
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && bin=$d; done
fi
[ -n "$bin" ] || { echo "pg.sh: no PostgreSQL binaries (initdb) found" >&2; exit 3; }

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  if [ ! -s "$dir/data/PG_VERSION" ]; then
    as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 >"$dir/initdb.log" 2>&1
  fi
  # Another server may take the port between the probe and the start (two
  # suites starting at once): try the next free ports.
  started=""
  for _ in 1 2 3 4 5; do
    if as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null; then
      started=1
      break
    fi
    port=$((port + 1))
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  done
  [ -n "$started" ] || { echo "pg.sh: PostgreSQL did not start; see $dir/server.log" >&2; cat "$dir/server.log" >&2; exit 1; }
  psql() { as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
  psql -c "DO \$\$BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='masseflyt_owner') THEN CREATE ROLE masseflyt_owner LOGIN CREATEDB; END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='masseflyt_app') THEN CREATE ROLE masseflyt_app LOGIN NOSUPERUSER NOBYPASSRLS; END IF;
  END\$\$;"
  # The owner drops the tests' databases WITH (FORCE), which ends the app
  # role's sessions: it must be a member of that role (not the other way).
  psql -c "GRANT masseflyt_app TO masseflyt_owner"
  echo "MASSEFLYT_TEST_POSTGRES=postgres://masseflyt_owner@127.0.0.1:$port/postgres?sslmode=disable"
  echo "MASSEFLYT_TEST_POSTGRES_APP_ROLE=masseflyt_app"
  ;;
stop)
  [ -d "$dir/data" ] && as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
esac
