// The stdio bridge (`connect URL`) between an SDK stdio client and a real MCP server over HTTP: it
// relays calls, re-opens its session when the server behind the URL is replaced (what a blue-green
// switch looks like once the old colour is stopped), and answers with a JSON-RPC error, not silence,
// when the endpoint stays down.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { FIXTURE, MAIN, ensureBuilt, freePorts } from '../deploy/harness.js';

let port = 0;
let server: ChildProcess | undefined;

// The server behind the URL is the small fixture MCP server (test/fixtures/mcp-fixture.mjs, real SDK, the
// same tools): what is tested is the bridge, and the fixture starts in a fraction of our server's time.
async function startServer(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [FIXTURE, '--http', '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const listening = new Promise<boolean>((resolve) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('mcp-fixture listening on')) resolve(true);
    });
    child.once('exit', () => resolve(false));
  });
  const bound = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const ok = await listening;
  clearTimeout(bound);
  if (!ok) throw new Error(`the fixture server did not start: ${err}`);
  child.stdout!.resume();
  return child;
}

async function stopServer(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

function bridgeClient(reconnectWindow: string): { client: Client; transport: StdioClientTransport } {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MAIN, 'connect', `http://127.0.0.1:${port}/mcp`, '--reconnect-window', reconnectWindow],
    stderr: 'pipe',
  });
  const client = new Client({ name: 'bridge-test', version: '1.0.0' });
  return { client, transport };
}

const estimate = { name: 'estimate_cost', arguments: { model_name: 'gpt-4', input_tokens: 5000, output_tokens: 2000 } };

beforeAll(async () => {
  ensureBuilt();
  [port] = (await freePorts(1)) as [number];
  server = await startServer();
});

afterAll(async () => {
  await stopServer(server);
});

describe('connect (stdio bridge)', () => {
  it('relays tool calls and survives the server behind the URL being replaced', async () => {
    const { client, transport } = bridgeClient('10s');
    await client.connect(transport);
    try {
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name).sort()).toContain('estimate_cost');
      const first = await client.callTool(estimate);
      expect((first.structuredContent as { total_cost: number }).total_cost).toBe(0.27);

      // Replace the server: the old session id is unknown to the new process (404).
      await stopServer(server);
      server = await startServer();

      // Concurrent calls right after the replacement share one re-opened session.
      const results = await Promise.all(Array.from({ length: 20 }, () => client.callTool(estimate)));
      for (const r of results) {
        expect(r.isError).toBeFalsy();
        expect((r.structuredContent as { total_cost: number }).total_cost).toBe(0.27);
      }
    } finally {
      await client.close();
    }
  });

  it('answers a JSON-RPC error when the endpoint stays down past the reconnect window, backing off with one log line per change', async () => {
    const { client, transport } = bridgeClient('2s');
    let log = '';
    transport.stderr?.on('data', (c: Buffer) => (log += c.toString()));
    await client.connect(transport);
    try {
      await stopServer(server);
      await expect(client.callTool(estimate)).rejects.toThrow(/unavailable/);
      // The bridge itself is still alive and recovers once the endpoint is back.
      server = await startServer();
      const again = await client.callTool(estimate);
      expect((again.structuredContent as { total_cost: number }).total_cost).toBe(0.27);
      // stderr and stdout are separate pipes: the last line may come after the answer.
      for (let i = 0; i < 100 && !log.includes('upstream reachable again'); i++) await new Promise((r) => setTimeout(r, 50));
      const lines = log.split('\n').filter(Boolean);
      // Several tries with growing waits, but one line when it went down and one when it came back.
      expect(lines.filter((l) => l.includes('upstream unreachable'))).toHaveLength(1);
      const gaveUp = lines.find((l) => l.includes('could not deliver'));
      expect(Number(/after (\d+) attempts/.exec(gaveUp ?? '')?.[1])).toBeGreaterThanOrEqual(3);
      expect(lines.filter((l) => l.includes('upstream reachable again'))).toHaveLength(1);
      expect(lines.filter((l) => l.includes('upstream error')).length).toBeLessThanOrEqual(1); // the transport's own errors: once
    } finally {
      await client.close();
    }
  });

  it('rejects a bad URL with exit code 2 and a clear message', () => {
    const r = spawnSync(process.execPath, [MAIN, 'connect', 'not a url'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not a URL/);
    const r2 = spawnSync(process.execPath, [MAIN, 'connect', 'ftp://x/mcp'], { encoding: 'utf8' });
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/http or https/);
  });
});
