#!/bin/sh
# Runs mcp-load.mjs against each server mode in turn (same tool, same load).
#   cli         the product as deployed: node dist/cli/main.js serve --http (real tools)
#   ours        our transport (buildHttpApp) with the toy tool, or the real tools with REAL=1
#   stock-node  the SDK's StreamableHTTPServerTransport, stateful, JSON responses
#   stock-web   the SDK's web-standard transport behind a lean node:http adapter
# Usage: [REAL=1] [CALLS=N] [CHECKPOINTS=a,b] sh test/http/load/compare.sh [seconds] [connections] [modes...]
# (after npm run build). REAL=1 (implied by cli) calls estimate_cost gpt-4 5000/2000.
cd "$(dirname "$0")/../../.." || exit 1
secs=${1:-10}; conns=${2:-32}; shift 2 2>/dev/null
modes=${*:-"ours stock-node stock-web"}
for mode in $modes; do
  out=/tmp/compare-$mode.$$.out
  rm -f "$out"
  if [ "$mode" = cli ]; then
    tdir=$(mktemp -d)
    LOG_LEVEL=info node dist/cli/main.js serve --http --port 0 --telemetry-dir "$tdir" 2> "$out" &
    spid=$!
    while ! grep -q '"msg":"listening"' "$out" 2>/dev/null; do sleep 0.1; done
    port=$(grep '"msg":"listening"' "$out" | sed 's/.*"url":"http:\/\/127.0.0.1:\([0-9]*\)".*/\1/')
    real=1
  else
    node test/http/load/toy-servers.mjs "$mode" > "$out" &
    spid=$!
    while ! grep -q '"port"' "$out" 2>/dev/null; do sleep 0.1; done
    port=$(sed 's/.*"port":\([0-9]*\).*/\1/' "$out")
    real=$REAL
  fi
  printf '%s: ' "$mode"
  if [ -n "$real" ]; then
    node test/http/load/mcp-load.mjs --url "http://127.0.0.1:$port/mcp" --pid $spid --seconds "$secs" --connections "$conns" ${CHECKPOINTS:+--checkpoints $CHECKPOINTS} ${CALLS:+--calls $CALLS} --tool estimate_cost --args '{"model_name":"gpt-4","input_tokens":5000,"output_tokens":2000}'
  else
    node test/http/load/mcp-load.mjs --url "http://127.0.0.1:$port/mcp" --pid $spid --seconds "$secs" --connections "$conns" ${CHECKPOINTS:+--checkpoints $CHECKPOINTS} ${CALLS:+--calls $CALLS}
  fi
  kill $spid; wait $spid 2>/dev/null
  rm -f "$out"; [ -n "$tdir" ] && rm -rf "$tdir"; tdir=
done
