// A plain tools/call POSTed alone (or as a batch of one) is answered by the direct
// path (src/mcp/dispatch.ts, directToolCall) instead of the SDK's protocol layer; a
// batch of several always takes the SDK's path. The answers must be the same bytes,
// whatever the request.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { SessionTransport } from '../../src/http/mcp/session-transport.js';
import { createContext, type ServerContext } from '../../src/mcp/context.js';
import { directToolCall } from '../../src/mcp/dispatch.js';
import { createMcpServer } from '../../src/mcp/server.js';
import { mcpPost, openSession, startRealServer } from './helpers.js';
import { waitFor } from '../support/wait.js';

type Params = Record<string, unknown>;

const call = (id: number, params: Params) => ({ jsonrpc: '2.0', id, method: 'tools/call', params });
const tool = (name: string, args?: Record<string, unknown>): Params => (args === undefined ? { name } : { name, arguments: args });

const CASES: Array<[string, Params]> = [
  ['estimate_cost', tool('estimate_cost', { model_name: 'gpt-4', input_tokens: 1000, output_tokens: 500 })],
  [
    'estimate_cost, volume and cache',
    tool('estimate_cost', { model_name: 'gpt-4o', input_tokens: 10_000, output_tokens: 10, cached_input_tokens: 8000, requests: 1000 }),
  ],
  ['estimate_cost, qualified name', tool('estimate_cost', { model_name: 'openai:gpt-4', input_tokens: 5000, output_tokens: 2000 })],
  ['estimate_cost, unknown model (tool error)', tool('estimate_cost', { model_name: 'gpt-4x', input_tokens: 1, output_tokens: 1 })],
  ['estimate_cost, bad argument (tool error)', tool('estimate_cost', { model_name: 'gpt-4', input_tokens: -5, output_tokens: 1 })],
  ['estimate_cost, unknown argument', tool('estimate_cost', { model_name: 'gpt-4', input_tokens: 1, output_tokens: 1, colour: 'red' })],
  ['estimate_cost, no arguments', tool('estimate_cost')],
  ['an extra params key', { ...tool('estimate_cost', { model_name: 'gpt-4', input_tokens: 1, output_tokens: 1 }), extra: { a: 1 } }],
  ['compare_costs', tool('compare_costs', { model_names: ['gpt-4', 'gpt-3.5-turbo', 'gpt-4x'], input_tokens: 1000, output_tokens: 1000 })],
  ['get_all_pricing', tool('get_all_pricing', { provider: 'OpenAI', limit: 5 })],
  ['get_all_pricing, no arguments', tool('get_all_pricing')],
  ['get_performance_metrics', tool('get_performance_metrics', { model_names: ['gpt-4o', 'nonexistent-model-q'], include_cost: false })],
  ['get_use_cases', tool('get_use_cases', { use_case: 'Coding' })],
  ['unknown tool (protocol error)', tool('no_such_tool', {})],
  ['name not a string', { name: 42, arguments: {} }],
  ['arguments not an object', { name: 'estimate_cost', arguments: [1, 2] }],
  ['arguments null', { name: 'estimate_cost', arguments: null }],
  ['with _meta', { ...tool('estimate_cost', { model_name: 'gpt-4', input_tokens: 1, output_tokens: 1 }), _meta: { progressToken: 7 } }],
];

describe('tools/call answered directly vs through the SDK protocol layer', () => {
  let server: Awaited<ReturnType<typeof startRealServer>>;
  let headers: Record<string, string>;
  beforeAll(async () => {
    server = await startRealServer();
    headers = await openSession(server.url);
  });
  afterAll(async () => {
    await server.cleanup();
  });

  it.each(CASES)('%s: answered alone and within a batch of two, the same bytes', async (_label, params) => {
    const first = await mcpPost(server.url, call(11, params), headers);
    const second = await mcpPost(server.url, call(12, params), headers);
    const batch = await mcpPost(server.url, [call(11, params), call(12, params)], headers);
    expect(first.status).toBe(200);
    expect(batch.status).toBe(200);
    expect(batch.body).toBe(`[${first.body},${second.body}]`);
  });

  it('get_telemetry (counts and their order change from call to call): same shape of answer', async () => {
    const params = tool('get_telemetry', { include_details: true, limit: 100 });
    await mcpPost(server.url, call(12, params), headers); // so that get_telemetry itself is listed in every answer
    const single = (await mcpPost(server.url, call(11, params), headers)).json();
    const [batch] = (await mcpPost(server.url, [call(11, params), call(12, params)], headers)).json();
    const shape = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(shape).sort()
        : v !== null && typeof v === 'object'
          ? Object.entries(v).map(([k, x]) => [k, shape(x)])
          : typeof v;
    expect(Object.keys(single)).toEqual(['result', 'jsonrpc', 'id']);
    expect(single.result.structuredContent.tools.length).toBeGreaterThan(0);
    expect(JSON.stringify(shape(single))).toBe(JSON.stringify(shape(batch)));
  });
});

describe('which path answers', () => {
  let ctx: ServerContext;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'direct-calls-telemetry-'));
    ctx = await createContext({ telemetryDir: dir });
  });
  afterAll(async () => {
    await ctx.telemetry.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Dispatches one POST's messages; reports whether the answer came before dispatch returned, and the answer. */
  async function post(transport: SessionTransport, messages: JSONRPCMessage[]): Promise<{ sync: boolean; body: string }> {
    let body: string | undefined;
    const ids = messages.flatMap((m) => ('id' in m && 'method' in m ? [m.id] : []));
    transport.dispatch(messages, ids, { deliver: (json) => void (body = json) }, {});
    const sync = body !== undefined;
    return { sync, body: await waitFor('the answer', () => body) };
  }

  it('a plain tools/call is answered synchronously; the rest goes through the SDK', async () => {
    const mcp = createMcpServer(ctx);
    const transport = new SessionTransport('s1');
    await mcp.connect(transport);
    transport.direct = directToolCall(mcp);
    expect(transport.direct).toBeTypeOf('function');
    const args = { model_name: 'gpt-4', input_tokens: 1, output_tokens: 1 };

    const direct = await post(transport, [call(1, tool('estimate_cost', args)) as JSONRPCMessage]);
    expect(direct.sync).toBe(true);
    expect(JSON.parse(direct.body).result.structuredContent.model).toBe('gpt-4');

    // Not for the direct path: an unknown tool, _meta, a batch, other methods.
    for (const messages of [
      [call(2, tool('nope', {}))],
      [call(3, { ...tool('estimate_cost', args), _meta: { progressToken: 1 } })],
      [call(4, tool('estimate_cost', args)), call(5, tool('estimate_cost', args))],
      [{ jsonrpc: '2.0', id: 6, method: 'tools/list' }],
    ]) {
      const r = await post(transport, messages as JSONRPCMessage[]);
      expect(r.sync).toBe(false);
    }

    // Without a direct entry every call takes the SDK's path, with the same answer.
    transport.direct = undefined;
    const viaSdk = await post(transport, [call(1, tool('estimate_cost', args)) as JSONRPCMessage]);
    expect(viaSdk.sync).toBe(false);
    expect(viaSdk.body).toBe(direct.body);
    await mcp.close();
  });
});
