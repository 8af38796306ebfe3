#!/usr/bin/env bash
# Runs the PostgreSQL test suite against a local Citus cluster: a
# coordinator and two workers started from the installed PostgreSQL and
# Citus (this script does not build Citus; docs/scaling.md says how to get
# it). Every test database is created on every node and distributed by the
# migrations (storetest's Citus mode, MASSEFLYT_TEST_CITUS_WORKERS).
#   scripts/citus-test.sh                      # go test ./... (Postgres runs only)
#   scripts/citus-test.sh ./core/store/ -run TestRowLevelSecurity -v
#   scripts/citus-test.sh --run CMD…         # any command, with the cluster's environment
# With MASSEFLYT_CITUS_MULTI_SHARD_LOG=FILE the coordinator logs every query
# it sends to more than one shard, with its statement, and FILE gets those
# lines at the end: the queries that are not routed to one tenant's shard.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=/usr/lib/postgresql/15/bin
[ -x "$bin/initdb" ] || bin=$(dirname "$(readlink -f "$(command -v initdb)")")
[ -f "$("$bin/pg_config" --pkglibdir 2>/dev/null || pg_config --pkglibdir)/citus.so" ] || { echo "citus-test.sh: Citus is not installed for this PostgreSQL" >&2; exit 3; }
dir=$(mktemp -d /tmp/masseflyt-citus.XXXXXX)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$dir"
ports=()
stop() {
  if [ -n "${MASSEFLYT_CITUS_MULTI_SHARD_LOG:-}" ] && [ -f "$dir/coord.log" ]; then
    grep -A3 'multi-task query' "$dir/coord.log" | grep 'STATEMENT:' > "$MASSEFLYT_CITUS_MULTI_SHARD_LOG" || true
  fi
  for n in coord w1 w2; do [ -d "$dir/$n" ] && as_pg "$bin/pg_ctl" -D "$dir/$n" -m immediate -w stop >/dev/null 2>&1 || true; done; rm -rf "$dir"; }
trap stop EXIT
port=${MASSEFLYT_TEST_CITUS_PORT:-56432}
for n in coord w1 w2; do
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  as_pg "$bin/initdb" -D "$dir/$n" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/$n.initdb.log" 2>&1
  extra=""
  if [ "$n" = coord ] && [ -n "${MASSEFLYT_CITUS_MULTI_SHARD_LOG:-}" ]; then
    extra="-c citus.multi_task_query_log_level=warning -c log_min_error_statement=warning"
  fi
  as_pg "$bin/pg_ctl" -D "$dir/$n" -l "$dir/$n.log" -w -t 60 -o "$extra -p $port -k $dir -c listen_addresses=127.0.0.1 -c shared_preload_libraries=citus -c max_prepared_transactions=200 -c max_connections=300 -c max_worker_processes=32 -c citus.shard_count=4 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
  # The roles exist on every node before it joins (Citus propagates roles
  # only to nodes it already knows).
  as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt -c "
    CREATE ROLE masseflyt_owner LOGIN CREATEDB; CREATE ROLE masseflyt_app LOGIN NOSUPERUSER NOBYPASSRLS;
    GRANT masseflyt_app TO masseflyt_owner;"
  ports+=("$port")
  port=$((port + 1))
done
export MASSEFLYT_TEST_POSTGRES="postgres://masseflyt_owner@127.0.0.1:${ports[0]}/postgres?sslmode=disable"
export MASSEFLYT_TEST_POSTGRES_APP_ROLE=masseflyt_app
export MASSEFLYT_TEST_CITUS_WORKERS="127.0.0.1:${ports[1]},127.0.0.1:${ports[2]}"
export MASSEFLYT_TEST_BACKENDS=postgres
echo "citus cluster: coordinator ${ports[0]}, workers ${ports[1]} ${ports[2]} ($(as_pg "$bin/psql" -h 127.0.0.1 -p "${ports[0]}" -U postgres -d postgres -qAt -c "SELECT default_version FROM pg_available_extensions WHERE name = 'citus'"))"
if [ "${1:-}" = "--run" ]; then shift; "$@"; exit; fi   # any command against the cluster
if [ $# -eq 0 ]; then set -- ./...; fi
go test -p 1 "$@"
