import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSession, PROTOCOL_VERSION, raw } from './helpers.js';

// Runs the built CLI (`npm test` builds first; or `npx tsc -p tsconfig.build.json`).
const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');

interface Started {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exit: Promise<number | null>;
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function spawnServe(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; stderr: () => string; exit: Promise<number | null> } {
  const telemetryDir = mkdtempSync(join(tmpdir(), 'serve-cli-telemetry-'));
  const child = spawn(process.execPath, [MAIN, 'serve', '--http', '--telemetry-dir', telemetryDir, ...args], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  cleanups.push(() => {
    child.kill('SIGKILL');
    rmSync(telemetryDir, { recursive: true, force: true });
  });
  return { child, stderr: () => err, exit };
}

async function startServe(args: string[] = [], env: Record<string, string> = {}): Promise<Started> {
  const s = spawnServe(['--port', '0', ...args], env);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const line = s
      .stderr()
      .split('\n')
      .find((l) => l.includes('"msg":"listening"'));
    if (line) return { ...s, url: JSON.parse(line).url as string };
    if (Date.now() > deadline || s.child.exitCode !== null) throw new Error(`serve did not start: ${s.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('llm-pricing-mcp serve --http', () => {
  it('serves health and deployment info with its colour, and drains on SIGTERM while a call is in flight', async () => {
    const s = await startServe(['--drain-timeout', '8s'], { DEPLOYMENT_COLOR: 'green' });
    expect((await raw(`${s.url}/health`)).json()).toEqual({ status: 'ok' });
    const readyBefore = await raw(`${s.url}/health/ready`, { keepAlive: true });
    expect(readyBefore.json()).toEqual({ status: 'ready' });
    expect(readyBefore.headers.connection).toBe('keep-alive');
    const info = (await raw(`${s.url}/deployment/info`)).json();
    expect(info).toMatchObject({ name: 'llm-pricing-mcp', color: 'green', pid: s.child.pid });

    const headers = await openSession(s.url);
    // A tools/call whose body arrives slowly: the request is in flight from its headers on.
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 42,
      method: 'tools/call',
      params: { name: 'estimate_cost', arguments: { model_name: 'gpt-4', input_tokens: 5000, output_tokens: 2000 } },
    });
    const u = new URL(s.url);
    const socket: Socket = connect(Number(u.port), u.hostname);
    let response = '';
    socket.on('data', (c: Buffer) => (response += c.toString('utf8')));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const head =
      `POST /mcp HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n` +
      `Mcp-Session-Id: ${headers['mcp-session-id']}\r\nMcp-Protocol-Version: ${PROTOCOL_VERSION}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    socket.write(head + body.slice(0, 20));
    // /health/detailed counts itself too: 2 means the slow call is in flight.
    await until('the slow call to be in flight', async () =>
      (await raw(`${s.url}/health/detailed`)).json().in_flight >= 2 ? true : undefined,
    );

    s.child.kill('SIGTERM');
    const ready = await until('readiness to go 503', async () => {
      const r = await raw(`${s.url}/health/ready`, { keepAlive: true });
      return r.status === 503 ? r : undefined;
    });
    expect(ready.json()).toEqual({ status: 'draining' });
    expect(ready.headers.connection).toBe('close');
    const detailed = (await raw(`${s.url}/health/detailed`)).json();
    expect(detailed).toMatchObject({ status: 'draining', draining: true, color: 'green' });

    socket.end(body.slice(20));
    await closed;
    const [rawHead, rawBody] = response.split('\r\n\r\n');
    expect(rawHead).toMatch(/^HTTP\/1\.1 200/);
    expect(rawHead).toMatch(/\r\nconnection: close/i);
    const answer = JSON.parse(rawBody!);
    expect(answer.id).toBe(42);
    expect(answer.result.structuredContent).toMatchObject({ input_cost: 0.15, output_cost: 0.12, total_cost: 0.27 });

    expect(await s.exit).toBe(0);
    expect(s.stderr()).toMatch(/"msg":"drained"/);
  });

  it('cuts what is still in flight when the drain timeout passes, and exits 0', async () => {
    const s = await startServe(['--drain-timeout', '300ms']);
    const u = new URL(s.url);
    // A request whose body never finishes, and an open GET stream.
    const headers = await openSession(s.url);
    const stream = await fetch(`${s.url}/mcp`, { headers: { ...headers, accept: 'text/event-stream' } });
    expect(stream.status).toBe(200);
    const socket: Socket = connect(Number(u.port), u.hostname);
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(`POST /rest-never-ends HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`);
    await until('the stuck request to be in flight', async () =>
      (await raw(`${s.url}/health/detailed`)).json().in_flight >= 2 ? true : undefined,
    );
    const started = Date.now();
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
    await closed;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(s.stderr()).toMatch(/"forced":true/);
  });

  it('refuses a bad option with exit 2 and says which', async () => {
    const s = spawnServe(['--port', '0', '--session-ttl', 'soon']);
    expect(await s.exit).toBe(2);
    expect(s.stderr()).toContain('--session-ttl must be a duration');
  });

  it('refuses a session key too short to sign with, exit 2, without starting', async () => {
    const s = spawnServe(['--port', '0'], { MCP_SESSION_KEYS: 'base64:c2hvcnQ=' });
    expect(await s.exit).toBe(2);
    expect(s.stderr()).toContain('MCP_SESSION_KEYS: session key 1 is 5 bytes; at least 32 are needed');
  });

  it('exits 1 with a clear message when the port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    cleanups.push(() => blocker.close());
    const port = (blocker.address() as { port: number }).port;
    const s = spawnServe(['--port', String(port)]);
    expect(await s.exit).toBe(1);
    expect(s.stderr()).toContain(`error: port ${port} on 127.0.0.1 is already in use`);
    expect(s.stderr()).not.toMatch(/\n\s+at /);
  });
});
