#!/usr/bin/env bash
# Issue 16: start to ready with a region of N synthetic listings on SQLite.
# Seeds a fresh data directory once (masseflyt seed --synthetic), then
# starts the server RUNS times and reports, per start, the time to
# /readyz and to the region's match index being built (the server logs
# "match index ready"; nothing is rediscovered at start), and the RSS then.
#   scripts/scale-startup.sh [N] [runs] [layout]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
runs=${2:-5}
layout=${3:-dense}
dir=$(mktemp -d /tmp/masseflyt-scale.XXXXXX)
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$dir"' EXIT
go build -o "$dir/masseflyt" ./cmd/masseflyt
port=${PORT:-18090}
export MASSEFLYT_DATA_DIR="$dir/data" MASSEFLYT_ADDR="127.0.0.1:$port" MASSEFLYT_LOG_LEVEL=info
"$dir/masseflyt" tenant create --slug syn --name "Syntetisk region" >/dev/null
"$dir/masseflyt" seed --synthetic "$n" --tenant syn --layout "$layout" | tail -1

echo "start to ready, SQLite, $n listings ($layout), load: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  "$dir/masseflyt" serve >"$dir/run.log" 2>&1 & pid=$!
  ready=""
  for _ in $(seq 1 6000); do
    if [ -z "$ready" ] && curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then ready=$(date +%s%N); fi
    if grep -q '"match index ready","tenant":"syn"' "$dir/run.log"; then break; fi
    sleep 0.005
  done
  indexed=$(date +%s%N)
  line=$(grep '"match index ready","tenant":"syn"' "$dir/run.log" || echo "not ready")
  echo "  run $i: /readyz $(( (${ready:-$indexed} - start) / 1000000 )) ms, index ready $(( (indexed - start) / 1000000 )) ms," \
    "RSS $(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' /proc/$pid/status) — $(echo "$line" | grep -o '"listings":[0-9]*,"took":"[^"]*"')"
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
