#!/usr/bin/env bash
# Issue 16: live-view memory and latency. Starts the server with the demo
# data on SQLite (fresh for each count), holds COUNT live-view (SSE) clients
# from a separate process (scripts/scale-live), publishes listings through
# the API and reports, per count: request to first event p50/p99, event
# latency p50/p99 (publication to each client), the server's RSS per client
# and, from a heap profile taken while the clients are held, where the
# server's memory is.
#   scripts/scale-live.sh [COUNT...]          (default: 1000 5000 10000)
# Env: BIN=path (a built masseflyt to measure instead of this tree's),
#      DATA=demo|synthetic, N=100000 (synthetic listings), SLUG (synthetic: syn),
#      EVENTS=5, PORT=18095, KEEP=1 (keep the scratch directory).
set -euo pipefail
cd "$(dirname "$0")/.."
counts=("$@"); [ ${#counts[@]} -gt 0 ] || counts=(1000 5000 10000)
port=${PORT:-18095}
pport=$((port + 1))
data=${DATA:-demo}
dir=$(mktemp -d /tmp/masseflyt-live.XXXXXX)
cleanup() { kill "${pid:-0}" 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$dir"; }
trap cleanup EXIT

# Each side holds one descriptor per client (plus the server's database and
# listeners): raise the soft limit to the hard one, for this shell and both.
ulimit -n "$(ulimit -Hn)"
need=$(( $(printf '%s\n' "${counts[@]}" | sort -n | tail -1) + 200 ))
if [ "$(ulimit -n)" -lt "$need" ]; then
  echo "ulimit -n is $(ulimit -n); $need descriptors per process are needed (raise the hard limit)" >&2; exit 1
fi

bin=${BIN:-$dir/masseflyt}
[ -n "${BIN:-}" ] || go build -o "$bin" ./cmd/masseflyt
go build -o "$dir/scale-live" ./scripts/scale-live

export MASSEFLYT_DATA_DIR="$dir/data" MASSEFLYT_ADDR="127.0.0.1:$port" MASSEFLYT_LOG_LEVEL=warn \
  MASSEFLYT_MAX_LIVE_PER_CLIENT=0 MASSEFLYT_MAX_LIVE_PER_TENANT=0 MASSEFLYT_UI_RATE_LIMIT=0 MASSEFLYT_API_RATE_LIMIT=0
if [ "$data" = synthetic ]; then
  slug=${SLUG:-syn}
  "$bin" tenant create --slug "$slug" --name "Syntetisk region" >/dev/null
  "$bin" seed --synthetic "${N:-100000}" --tenant "$slug" | tail -1
  api=() # synthetic regions have no members to publish as
else
  slug=baerum
  "$bin" seed >/dev/null
  token=$("$bin" token create --tenant baerum --email kari@fornebu-anlegg.no --scopes read,write --name scale-live 2>/dev/null)
  api=(-api "http://127.0.0.1:$port/api/v1/tenants/baerum" -token "$token" -events "${EVENTS:-5}")
fi

for n in "${counts[@]}"; do
  MASSEFLYT_MAX_LIVE_CLIENTS=$((n + 100)) MASSEFLYT_PPROF_ADDR="127.0.0.1:$pport" GODEBUG=gctrace=1 \
    "$bin" serve >"$dir/serve-$n.log" 2>"$dir/gc-$n.log" & pid=$!
  for _ in $(seq 1 1000); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.01; done
  # Warm up as a visitor would (the live page and its statistics), then idle.
  curl -fsS -o /dev/null "http://127.0.0.1:$port/t/$slug/live"
  sleep 3
  echo "== $n clients ($data data, SQLite), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%H:%M) UTC"
  "$dir/scale-live" -url "http://127.0.0.1:$port/t/$slug/live/events" -n "$n" -pid "$pid" \
    -pprof "$dir/heap-$n.pprof" -pprof-url "http://127.0.0.1:$pport" "${api[@]}"
  echo "   last GC: $(grep '^gc ' "$dir/gc-$n.log" | tail -1 | grep -o '[0-9]*->[0-9]*->[0-9]* MB, [0-9]* MB goal' || echo none)"
  echo "   heap in use while held (top 5):"
  go tool pprof -sample_index=inuse_space -top "$bin" "$dir/heap-$n.pprof" 2>/dev/null | sed -n '/flat%/,+5p' | sed 's/^/     /'
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
