#!/usr/bin/env bash
# Issue 16: Lighthouse (mobile) over the portal pages — landing, a region's
# home, the market, a listing, the map, statistics and the live view — with
# the demo data on SQLite. Fails when performance is under 95 or
# accessibility under 100 on any page.
#   scripts/lighthouse.sh            (RUNS=3 for the median of three runs)
# Needs Node 18+ and Chromium (CHROMIUM, default /usr/bin/chromium); the
# first run installs Lighthouse into scripts/lighthouse/node_modules (npm).
# Env: BIN=path (a built masseflyt), PORT=18099, RUNS=n, ONLY=live,map (some pages),
# REPORTS=dir (keep the JSON
# reports), MIN_PERFORMANCE, MIN_ACCESSIBILITY.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PORT:-18099}
dir=$(mktemp -d /tmp/masseflyt-lighthouse.XXXXXX)
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$dir"' EXIT
[ -d scripts/lighthouse/node_modules/lighthouse ] || (cd scripts/lighthouse && npm install --no-audit --no-fund --silent)
bin=${BIN:-$dir/masseflyt}
[ -n "${BIN:-}" ] || go build -o "$bin" ./cmd/masseflyt
export MASSEFLYT_DATA_DIR="$dir/data" MASSEFLYT_ADDR="127.0.0.1:$port" MASSEFLYT_LOG_LEVEL=warn MASSEFLYT_UI_RATE_LIMIT=0
"$bin" serve --demo >"$dir/serve.log" 2>&1 & pid=$!
for _ in $(seq 1 3000); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.01; done
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$dir/serve.log"; exit 1; }
echo "Lighthouse $(node -p 'require("./scripts/lighthouse/node_modules/lighthouse/package.json").version') (mobile), $(/usr/bin/env "${CHROMIUM:-/usr/bin/chromium}" --version 2>/dev/null | head -1), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
mkdir -p "${REPORTS:-$dir/reports}"
node scripts/lighthouse/run.mjs "http://127.0.0.1:$port" baerum "${REPORTS:-$dir/reports}"
