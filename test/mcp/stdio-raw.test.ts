// `serve --stdio` spoken to as a plain child process with newline-delimited
// JSON-RPC: no SDK client, so these check the wire format itself.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RawServer, cleanupTempDirs, serverEnv, tempDir } from './helpers.js';

const SIX_TOOLS = ['compare_costs', 'estimate_cost', 'get_all_pricing', 'get_performance_metrics', 'get_telemetry', 'get_use_cases'];

afterAll(cleanupTempDirs);

async function startRaw(args: string[] = []): Promise<RawServer> {
  return new RawServer(['--telemetry-dir', await tempDir(), ...args], serverEnv());
}

describe('serve --stdio, raw JSON-RPC', () => {
  it('initializes, ignores notifications, lists six tools, prices gpt-4 exactly, survives garbage', async () => {
    const s = await startRaw();
    try {
      const init = await s.request(0, 'initialize', {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'raw', version: '0' },
      });
      expect(init.result.serverInfo.name).toBe('llm-pricing-mcp');
      expect(init.result.capabilities).toMatchObject({ tools: {}, resources: {}, prompts: {}, logging: {}, completions: {} });

      // A notification gets no reply: the very next line must answer the ping sent after it.
      s.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      s.send({ jsonrpc: '2.0', id: 'ping-1', method: 'ping' });
      const afterNotification = await s.next();
      expect(afterNotification).toEqual({ jsonrpc: '2.0', id: 'ping-1', result: {} });

      const list = await s.request(1, 'tools/list');
      expect(list.result.tools.map((t: { name: string }) => t.name).sort()).toEqual(SIX_TOOLS);

      const est = await s.request(2, 'tools/call', {
        name: 'estimate_cost',
        arguments: { model_name: 'gpt-4', input_tokens: 5000, output_tokens: 2000 },
      });
      expect(est.result.isError).toBeFalsy();
      expect(est.result.structuredContent).toMatchObject({ input_cost: 0.15, output_cost: 0.12, total_cost: 0.27, currency: 'USD' });
      expect(est.result.content[0].text).toContain('$0.27');

      s.sendLine('{"jsonrpc": "2.0", "id": 3, "method": ');
      const parseError = await s.next();
      expect(parseError).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });

      // Still serving after the bad line.
      const again = await s.request(4, 'tools/call', {
        name: 'estimate_cost',
        arguments: { model_name: 'gpt-4', input_tokens: 5000, output_tokens: 2000 },
      });
      expect(again.result.structuredContent.total_cost).toBe(0.27);

      // Every line on stdout is a JSON-RPC 2.0 message.
      for (const line of s.lines) expect(JSON.parse(line).jsonrpc).toBe('2.0');
    } finally {
      await s.stop();
    }
  });

  it('answers initialize before the catalog is loaded; what needs the catalog waits, in order', async () => {
    const s = await startRaw();
    try {
      const call = (id: number) => ({
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: { name: 'estimate_cost', arguments: { model_name: 'gpt-4', input_tokens: 5000, output_tokens: 2000 } },
      });
      // All in one write, so the server reads them together.
      s.child.stdin.write(
        [
          {
            jsonrpc: '2.0',
            id: 'init',
            method: 'initialize',
            params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
          },
          { jsonrpc: '2.0', id: 'p', method: 'ping' },
          { jsonrpc: '2.0', method: 'notifications/initialized' },
          call(1),
          { jsonrpc: '2.0', id: 'p2', method: 'ping' },
          call(2),
        ]
          .map((m) => `${JSON.stringify(m)}\n`)
          .join(''),
      );
      // Initialize and the ping before anything waits are answered at once; the rest once the catalog is in
      // (handed over in order; JSON-RPC answers need not keep it, and tools/call is answered sooner than ping).
      const answers = [await s.next(), await s.next(), await s.next(), await s.next(), await s.next()];
      expect(answers.slice(0, 2).map((a) => a.id)).toEqual(['init', 'p']);
      expect(answers.slice(2).map((a) => a.id)).toEqual(expect.arrayContaining([1, 'p2', 2]));
      for (const a of answers.filter((x) => typeof x.id === 'number')) expect(a.result.structuredContent.total_cost).toBe(0.27);
    } finally {
      await s.stop();
    }
  });

  it('refuses ids the protocol does not allow with -32600 and id null', async () => {
    const s = await startRaw();
    try {
      await s.initialize();
      for (const id of ['1e21', '1.5', 'null', '9007199254740992']) {
        s.sendLine(`{"jsonrpc":"2.0","id":${id},"method":"ping"}`);
        expect(await s.next(), id).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600 } });
      }
      s.sendLine('{"jsonrpc":"2.0","id":9007199254740991,"method":"ping"}');
      expect(await s.next()).toEqual({ jsonrpc: '2.0', id: 9007199254740991, result: {} });
    } finally {
      await s.stop();
    }
  });

  it('answers protocol mistakes with JSON-RPC errors and keeps serving', async () => {
    const s = await startRaw();
    try {
      await s.initialize();
      const unknownTool = await s.request(1, 'tools/call', { name: 'get_weather', arguments: {} });
      expect(unknownTool.error.code).toBe(-32602);
      expect(unknownTool.error.message).toContain('Unknown tool "get_weather"');
      expect(unknownTool.error.message).toContain('estimate_cost');

      const unknownMethod = await s.request(2, 'prices/everything');
      expect(unknownMethod.error.code).toBe(-32601);

      s.send({ jsonrpc: '2.0', id: 3, method: 42 });
      expect(await s.reply(3)).toMatchObject({ error: { code: -32600 } });

      s.sendLine('[{"jsonrpc":"2.0","id":4,"method":"ping"}]');
      expect(await s.next()).toMatchObject({ id: null, error: { code: -32600 } });

      s.sendLine('"just a string"');
      expect(await s.next()).toMatchObject({ id: null, error: { code: -32600 } });

      // Params that fail the SDK's request schema: invalid params, in words.
      const badParams = await s.request(5, 'tools/call', { name: 'estimate_cost', arguments: 'gpt-4' });
      expect(badParams.error.code).toBe(-32602);
      expect(badParams.error.message).toMatch(/^Invalid params: /);

      const ok = await s.request(6, 'ping');
      expect(ok.result).toEqual({});
    } finally {
      await s.stop();
    }
  });

  it('never falls over: odd, hostile and oversized input all get answers or are ignored', async () => {
    const s = await startRaw();
    try {
      await s.initialize();
      const hostile: string[] = [
        '{}',
        'null',
        '12345',
        '{"jsonrpc":"2.0","id":{"nested":true},"method":"ping"}',
        '{"jsonrpc":"2.0","method":"notifications/unknown_thing","params":{}}',
        '{"jsonrpc":"2.0","id":777,"result":{}}',
        '['.repeat(200_000) + ']'.repeat(200_000),
        '{"jsonrpc":"2.0","id":"\u0000\ud800","method":"ping"}',
        JSON.stringify({
          jsonrpc: '2.0',
          id: 11,
          method: 'tools/call',
          params: {
            name: 'estimate_cost',
            arguments: JSON.parse('{"__proto__":{"polluted":1},"model_name":"gpt-4","input_tokens":1,"output_tokens":1}'),
          },
        }),
        JSON.stringify({
          jsonrpc: '2.0',
          id: 12,
          method: 'tools/call',
          params: { name: 'compare_costs', arguments: { model_names: Array(5000).fill('gpt-4'), input_tokens: 1, output_tokens: 1 } },
        }),
        JSON.stringify({
          jsonrpc: '2.0',
          id: 13,
          method: 'tools/call',
          params: {
            name: 'estimate_cost',
            arguments: { model_name: 'x'.repeat(100_000), input_tokens: 1e308, output_tokens: Number.MAX_SAFE_INTEGER },
          },
        }),
        JSON.stringify({ jsonrpc: '2.0', id: 14, method: 'resources/read', params: { uri: 'not a uri' } }),
        JSON.stringify({ jsonrpc: '2.0', id: 15, method: 'prompts/get', params: { name: 'nope' } }),
      ];
      for (const line of hostile) s.sendLine(line);
      // A line longer than the 4 MiB limit is discarded with an error, and the stream resynchronises after it.
      s.child.stdin.write('x'.repeat(5 * 1024 * 1024));
      s.sendLine('');
      const pong = await s.request(99, 'ping');
      expect(pong.result).toEqual({});
      const replies = s.lines.map((l) => JSON.parse(l));
      // The SDK's request parsing drops an own "__proto__" key; the call is priced and nothing is polluted.
      expect(replies.find((r) => r.id === 11).result.structuredContent.total_cost).toBeGreaterThan(0);
      expect(JSON.stringify(replies.find((r) => r.id === 99))).not.toContain('polluted');
      expect(replies.find((r) => r.id === 12).result.isError).toBe(true); // too many names
      expect(replies.find((r) => r.id === 13).result.isError).toBe(true);
      expect(replies.find((r) => r.id === 14).error.code).toBeLessThan(0);
      expect(replies.find((r) => r.id === 15).error.code).toBe(-32602);
      expect(replies.some((r) => r.error?.message?.includes('longer than'))).toBe(true);
      expect(s.child.exitCode).toBeNull();
    } finally {
      await s.stop();
    }
  });

  it('answers everything already asked when stdin closes right after the requests', async () => {
    const s = await startRaw();
    s.send({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'pipe', version: '0' } },
    });
    for (let id = 1; id <= 5; id++) {
      s.send({
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: { name: 'compare_costs', arguments: { model_names: ['gpt-4', 'gpt-4o'], input_tokens: 5000, output_tokens: 2000 } },
      });
    }
    s.child.stdin.end();
    expect(await s.exited).toEqual({ code: 0, signal: null });
    const ids = s.lines.map((l) => JSON.parse(l).id).sort();
    expect(ids).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('reassembles a message split across writes, even inside a multi-byte character', async () => {
    const s = await startRaw();
    try {
      await s.initialize();
      const line = Buffer.from(
        `${JSON.stringify({ jsonrpc: '2.0', id: 21, method: 'tools/call', params: { name: 'estimate_cost', arguments: { model_name: 'gpt-4€', input_tokens: 1, output_tokens: 1 } } })}\n`,
      );
      const cut = line.indexOf(Buffer.from('€')) + 1; // inside the 3-byte euro sign
      s.child.stdin.write(line.subarray(0, cut));
      await new Promise((r) => setTimeout(r, 50));
      s.child.stdin.write(line.subarray(cut));
      const r = await s.reply(21);
      expect(r.result.isError).toBe(true);
      expect(r.result.content[0].text).toContain('gpt-4€');
    } finally {
      await s.stop();
    }
  });

  it('says nothing before the first request unless --announce, then one log notification', async () => {
    const quiet = await startRaw();
    const loud = await startRaw(['--announce']);
    try {
      const first = await loud.next();
      expect(first).toMatchObject({
        jsonrpc: '2.0',
        method: 'notifications/message',
        params: { level: 'info', logger: 'llm-pricing-mcp' },
      });
      expect(first.params.data).toMatchObject({ event: 'server_started', name: 'llm-pricing-mcp', transport: 'stdio' });
      expect(first.params.data.tools).toHaveLength(6);
      expect(first).not.toHaveProperty('id');

      // The quiet one has had as long to start and has written nothing; its first line answers our request.
      await quiet.initialize();
      expect(quiet.lines).toHaveLength(1);
      expect(JSON.parse(quiet.lines[0]!).id).toBe(0);
      expect(quiet.stderr).toContain('serving MCP over stdio');
    } finally {
      await Promise.all([quiet.stop(), loud.stop()]);
    }
  });

  it('exits 0 when stdin closes and on SIGTERM, with its counts saved', async () => {
    const dirA = await tempDir();
    const dirB = await tempDir();
    const a = new RawServer(['--telemetry-dir', dirA], serverEnv({ LLM_PRICING_TELEMETRY_FLUSH_MS: '60000' }));
    const b = new RawServer(['--telemetry-dir', dirB], serverEnv({ LLM_PRICING_TELEMETRY_FLUSH_MS: '60000' }));
    await Promise.all([a.initialize(), b.initialize()]);
    const call = { name: 'estimate_cost', arguments: { model_name: 'gpt-4', input_tokens: 1, output_tokens: 1 } };
    await Promise.all([a.request(1, 'tools/call', call), b.request(1, 'tools/call', call)]);
    a.child.stdin.end();
    b.child.kill('SIGTERM');
    const [ea, eb] = await Promise.all([a.exited, b.exited]);
    expect(ea).toEqual({ code: 0, signal: null });
    expect(eb).toEqual({ code: 0, signal: null });
    for (const dir of [dirA, dirB]) {
      const base = JSON.parse(await readFile(join(dir, 'base.json'), 'utf8'));
      expect(base.tools.estimate_cost.calls).toBe(1);
    }
  });
  it('answers a plain tools/call on the direct path with the same result and errors as the SDK path', async () => {
    const s = await startRaw();
    try {
      await s.request(0, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } });
      s.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      const cases: Array<Record<string, unknown>> = [
        { name: 'estimate_cost', arguments: { model_name: 'gpt-4', input_tokens: 5000, output_tokens: 2000 } },
        { name: 'estimate_cost', arguments: { model_name: 'gpt4o', input_tokens: 1, output_tokens: 1 } },
        { name: 'compare_costs', arguments: { model_names: ['gpt-4', 'claude-3-opus'], input_tokens: 10, output_tokens: 10 } },
        { name: 'no_such_tool', arguments: {} },
      ];
      let id = 10;
      for (const params of cases) {
        // `_meta` keeps a request off the direct path, so the SDK's protocol layer answers it.
        const direct = await s.request(id++, 'tools/call', params);
        const viaSdk = await s.request(id++, 'tools/call', { ...params, _meta: {} });
        expect(direct.result ?? direct.error).toBeDefined();
        expect(direct.result).toEqual(viaSdk.result);
        expect(direct.error).toEqual(viaSdk.error);
      }
    } finally {
      await s.stop();
    }
  });
});
