#!/usr/bin/env bash
# The hardening figure of issue 10 (docs/PERFORMANCE.md): starts the server
# with the demo data on SQLite, then for DURATION (default 60 s) floods it
# with anonymous no-cookie page requests, large anonymous bodies, live-view
# streams and lab import bombs from a member of one region, while a member
# of another region reads and writes from another client address. Prints
# the server's peak RSS and the other region's latency percentiles.
#   scripts/load-hardening.sh [duration [load flags]]   e.g. scripts/load-hardening.sh 60s
#   (load flags: -pages N -bodies N -body-mb N -sse N -bombs N; 0 turns a flood off)
# LOAD_SPLIT=1 runs the floods and the other region's client in two
# processes (the victim's latencies then do not include the load
# generator's own scheduling of the attacker's goroutines); LOAD_NICE=10
# (with LOAD_SPLIT=1) runs the attacker's process under nice -n 10,
# simulating a load generator on another host, which this machine lacks.
#   LOAD_SPLIT=1 LOAD_NICE=10 scripts/load-hardening.sh 20s
# Server limits come from the environment as usual (MASSEFLYT_*), e.g.
# MASSEFLYT_MAX_INFLIGHT_PER_CLIENT=0 turns the fairness gate off.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-60s}
shift || true
dir=$(mktemp -d /tmp/masseflyt-load.XXXXXX)
trap 'kill "${pid:-0}" 2>/dev/null || true; wait "${pid:-0}" 2>/dev/null || true; rm -rf "$dir"' EXIT
go build -o "$dir/masseflyt" ./cmd/masseflyt
go build -o "$dir/load" ./scripts/loadhardening
port=18090
export MASSEFLYT_DATA_DIR="$dir/data" MASSEFLYT_ADDR="0.0.0.0:$port" MASSEFLYT_LOG_LEVEL=error

wait_ready() {
  local until=$((SECONDS + 120)) # a loaded machine seeds slowly
  while [ "$SECONDS" -lt "$until" ]; do
    if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then return 0; fi
    sleep 0.05
  done
  echo "server did not become ready" >&2; return 1
}

# Migrate and seed the demo data, then issue the two members' tokens.
"$dir/masseflyt" serve --demo >"$dir/seed.log" 2>&1 & pid=$!
wait_ready; kill "$pid"; wait "$pid" 2>/dev/null || true
attacker=$("$dir/masseflyt" token create --tenant baerum --email kari@fornebu-anlegg.no --scopes read,write --name load 2>/dev/null)
victim=$("$dir/masseflyt" token create --tenant rogaland --email marit@jaeren-anlegg.no --scopes read,write --name load 2>/dev/null)

"$dir/masseflyt" serve >"$dir/serve.log" 2>&1 & pid=$!
wait_ready
sleep 2
echo "machine: $(nproc) CPU, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(go version | cut -d' ' -f3-); commit $(git rev-parse --short HEAD 2>/dev/null || echo '?') (+ working tree); $(date -u +%FT%TZ)"
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg); split=${LOAD_SPLIT:-0} nice=${LOAD_NICE:-0}"
if [ "${LOAD_SPLIT:-0}" = 1 ]; then
  nice -n "${LOAD_NICE:-0}" "$dir/load" -role attacker -base "http://127.0.0.1:$port" -pid "$pid" -attacker "$attacker" -duration "$duration" "$@" & apid=$!
  "$dir/load" -role victim -base "http://127.0.0.1:$port" -victim "$victim" -duration "$duration"
  wait "$apid"
else
  "$dir/load" -base "http://127.0.0.1:$port" -pid "$pid" -attacker "$attacker" -victim "$victim" -duration "$duration" "$@"
fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server RSS high-water mark (VmHWM): $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$pid/status)"
echo "server errors logged: $(grep -c 'ERROR' "$dir/serve.log" || true)"
grep 'ERROR' "$dir/serve.log" | sed -E 's/.*"(msg|err)":"([^"]{0,90}).*/\2/' | sort | uniq -c | sort -rn | head -5 || true
