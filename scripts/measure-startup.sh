#!/usr/bin/env bash
# Measures cold start to ready and idle memory of the server with the demo
# data on SQLite (after the first migration), as docs/PERFORMANCE.md records.
#   scripts/measure-startup.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
dir=$(mktemp -d /tmp/masseflyt-measure.XXXXXX)
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$dir"' EXIT
go build -o "$dir/masseflyt" ./cmd/masseflyt
port=18080
export MASSEFLYT_DATA_DIR="$dir/data" MASSEFLYT_ADDR="127.0.0.1:$port" MASSEFLYT_LOG_LEVEL=warn

wait_ready() {
  for _ in $(seq 1 2000); do
    if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then return 0; fi
    sleep 0.005
  done
  echo "server did not become ready" >&2; return 1
}

# First start: migrate and seed the demo data.
"$dir/masseflyt" serve --demo >"$dir/first.log" 2>&1 & pid=$!
wait_ready; kill "$pid"; wait "$pid" 2>/dev/null || true

echo "cold start to ready (ms), SQLite, demo data, after the first migration:"
for i in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  "$dir/masseflyt" serve --demo >"$dir/run.log" 2>&1 & pid=$!
  wait_ready
  end=$(date +%s%N)
  echo "  run $i: $(( (end - start) / 1000000 )) ms"
  if [ "$i" = "$runs" ]; then
    # Exercise the main pages once, then let it idle.
    for p in / /t/baerum/ /t/baerum/organizations /t/baerum/sites /t/baerum/map "/api/v1/tenants/baerum/organizations?limit=50" /api/v1/tenants/baerum/map.geojson; do
      curl -fsS -o /dev/null "http://127.0.0.1:$port$p"
    done
    sleep 5
    echo "idle RSS after 5 s: $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$pid/status)"
  fi
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
