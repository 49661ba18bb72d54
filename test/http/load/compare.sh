#!/bin/sh
# Runs mcp-load.mjs against each server mode in turn (same tool, same load).
# Usage: [REAL=1] [CALLS=N] [CHECKPOINTS=a,b] sh test/http/load/compare.sh [seconds] [connections] [modes...]
cd "$(dirname "$0")/../../.." || exit 1
secs=${1:-10}; conns=${2:-32}; shift 2 2>/dev/null
modes=${*:-"ours stock-node stock-web"}
for mode in $modes; do
  rm -f /tmp/toy-$mode.out
  node test/http/load/toy-servers.mjs "$mode" > /tmp/toy-$mode.out &
  spid=$!
  while ! grep -q port /tmp/toy-$mode.out 2>/dev/null; do sleep 0.1; done
  port=$(sed 's/.*"port":\([0-9]*\).*/\1/' /tmp/toy-$mode.out)
  printf '%s: ' "$mode"
  node test/http/load/mcp-load.mjs --url "http://127.0.0.1:$port/mcp" --pid $spid --seconds "$secs" --connections "$conns" ${CHECKPOINTS:+--checkpoints $CHECKPOINTS} ${CALLS:+--calls $CALLS} ${REAL:+--tool estimate_cost --args '{"model_name":"gpt-4","input_tokens":5000,"output_tokens":2000}'}
  kill $spid; wait $spid 2>/dev/null
done
