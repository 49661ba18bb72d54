// Sends a few rounds of typical requests through a throwaway server before the
// first client connects, so the first real call does not pay for lazy view
// building and JIT compilation of the SDK and tool paths (the guide's
// validation wants every call under 100 ms, the first one too). The throwaway
// server counts into its own in-memory telemetry, never the shared one.

import { PassThrough } from 'node:stream';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { Telemetry } from '../telemetry/telemetry.js';
import type { ServerContext } from './context.js';
import { LineTransport } from './line-transport.js';
import { runTool } from './dispatch.js';
import { createMcpServer } from './server.js';
import { logToStderr } from './stderr-log.js';
import { TOOLS } from './tools/index.js';

const SAMPLE_CALLS: Array<[string, Record<string, unknown>]> = [
  ['estimate_cost', { model_name: 'gpt-4o', input_tokens: 1000, output_tokens: 500 }],
  ['estimate_cost', { model_name: 'gpt-4x', input_tokens: -1, output_tokens: 500 }],
  ['compare_costs', { model_names: ['gpt-4o', 'claude-3-5-sonnet', 'no-such-model'], input_tokens: 1000, output_tokens: 500 }],
  ['get_all_pricing', { limit: 5 }],
  ['get_performance_metrics', {}],
  ['get_use_cases', { use_case: 'coding' }],
  ['get_telemetry', {}],
];

/**
 * The tool path alone, called directly (no protocol layer, no telemetry):
 * builds the catalog's lazy views and compiles the tools' code. Synchronous and
 * short, so `serve --stdio` runs it before it answers the requests that waited
 * for the catalog, and its first real call is not the slow one.
 */
export function warmUpTools(ctx: ServerContext, rounds = 3): void {
  const byName = new Map(TOOLS.map((t) => [t.name, t]));
  try {
    for (let i = 0; i < rounds; i++) for (const [name, args] of SAMPLE_CALLS) runTool(byName.get(name)!, args, ctx);
  } catch (err) {
    logToStderr('warn', 'warm-up failed', { error: String(err) });
  }
}

/** Warming up only saves time: it gives up after this long and never stops or stalls a start. */
export const WARM_UP_LIMIT_MS = 2000;
const ROUNDS = 15;

/** Runs the sample calls (bounded in time); never throws, a failure is logged. */
export async function warmUp(ctx: ServerContext, rounds = ROUNDS, limitMs = WARM_UP_LIMIT_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    sampleCalls(ctx, rounds).catch((err: unknown) => logToStderr('warn', 'warm-up failed', { error: String(err) })),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs))),
  ]);
  clearTimeout(timer);
}

async function sampleCalls(ctx: ServerContext, rounds: number): Promise<void> {
  const telemetry = await Telemetry.open({ dir: null, version: ctx.version, flushIntervalMs: 0 });
  const server = createMcpServer({ ...ctx, telemetry });
  // Through the same line transport stdio uses, so its parse and write paths warm up too.
  const toServer = new PassThrough();
  const fromServer = new PassThrough();
  const pending = new Map<number, () => void>();
  let buffered = '';
  fromServer.setEncoding('utf8');
  fromServer.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const id = (JSON.parse(line) as { id?: unknown }).id;
      if (typeof id === 'number') pending.get(id)?.();
    }
  });
  await server.connect(new LineTransport(toServer, fromServer));
  let id = 0;
  const request = (method: string, params: Record<string, unknown>) =>
    new Promise<void>((resolve) => {
      const n = ++id;
      pending.set(n, resolve);
      toServer.write(`${JSON.stringify({ jsonrpc: '2.0', id: n, method, params })}\n`);
    });
  try {
    await request('initialize', {
      protocolVersion: LATEST_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'warm-up', version: '0' },
    });
    await request('tools/list', {});
    for (let i = 0; i < rounds; i++) {
      for (const [name, args] of SAMPLE_CALLS) await request('tools/call', { name, arguments: args });
    }
  } finally {
    await server.close();
    await telemetry.close();
  }
}
