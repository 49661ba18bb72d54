#!/usr/bin/env node
// Capacity of one replica, for docs/scaling.md: drives MCP tools/call load at a running server
// with the lean load client (src/check/bench/lean-client.ts, its own process), and reads the
// server's own CPU and memory from its Prometheus /metrics before and after, so the figure is
// tool calls per second per core of SERVER CPU, whatever else the machine is doing.
//
//   node scripts/capacity.mjs --port 18701 [--seconds 10] [--connections 32] [--tool estimate_cost]
// Needs `npm run build`. Loopback only (the load client refuses anything else).
import { parseArgs } from 'node:util';
import { LeanLoadClient } from '../dist/check/bench/lean-client.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    tool: { type: 'string', default: 'estimate_cost' },
    json: { type: 'boolean', default: false },
  },
});
if (!values.port) {
  console.error('usage: node scripts/capacity.mjs --port N [--seconds 10] [--connections 32] [--tool estimate_cost] [--json]');
  process.exit(2);
}
const port = Number(values.port);
const ARGS = {
  estimate_cost: { model_name: 'gpt-4o', input_tokens: 1000, output_tokens: 500 },
  compare_costs: { model_names: ['gpt-4o', 'claude-3-5-sonnet', 'gemini-1.5-pro'], input_tokens: 1000, output_tokens: 500 },
  get_all_pricing: { limit: 20 },
};

async function processFigures() {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
  const text = await res.text();
  const value = (name) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    if (!line) throw new Error(`${name} is not in /metrics`);
    return Number(line.split(' ')[1]);
  };
  return { cpuSeconds: value('process_cpu_seconds_total'), rssBytes: value('process_resident_memory_bytes') };
}

const client = LeanLoadClient.start();
try {
  const before = await processFigures();
  const result = await client.run(
    {
      target: { host: '127.0.0.1', port },
      connections: Number(values.connections),
      durationMs: Number(values.seconds) * 1000,
      warmupMs: 1000,
    },
    { kind: 'mcp', path: '/mcp', tool: values.tool, args: ARGS[values.tool] ?? {} },
  );
  const after = await processFigures();
  // The warm-up's calls used CPU too: count them by rate over the measured part.
  const cpu = after.cpuSeconds - before.cpuSeconds;
  const measuredShare = result.elapsedMs / (result.elapsedMs + 1000);
  const serverCpuPerCall = (cpu * measuredShare) / result.requests;
  const out = {
    tool: values.tool,
    connections: Number(values.connections),
    calls: result.requests,
    errors: result.errors,
    calls_per_s: Math.round(result.rps),
    server_cpu_s: Math.round(cpu * 1000) / 1000,
    server_cpu_us_per_call: Math.round(serverCpuPerCall * 1e7) / 10,
    calls_per_s_per_core: Math.round(1 / serverCpuPerCall),
    rss_mib_after: Math.round(after.rssBytes / 2 ** 20),
    client_cpu_us_per_call: Math.round(result.clientCpuPerRequestUs * 10) / 10,
    ...(result.firstError && { first_error: result.firstError }),
  };
  console.log(
    values.json
      ? JSON.stringify(out)
      : Object.entries(out)
          .map(([k, v]) => `${k}: ${v}`)
          .join('\n'),
  );
  if (result.errors > 0) process.exitCode = 1;
} finally {
  await client.close();
}
