import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { buildHttpApp } from '../../src/http/app.js';
import type { HttpApp } from '../../src/http/app.js';
import type { HttpAppContext } from '../../src/http/app-context.js';
import { serve } from '../../src/http/environment.js';
import type { RunningHttpServer } from '../../src/http/environment.js';
import { createLogger } from '../../src/http/logger.js';
import { startHttpServer } from '../../src/http/server.js';
import { PROTOCOL_VERSION, initializeRequest, mcpPost, openSession, raw } from './helpers.js';
import { createToyServer } from './toy-server.js';

// Replicas that share nothing but a session key: any of them serves any session, through
// round-robin balancing and restarts. Each "replica" here is a real HTTP server on its own port.

const KEY_A = Buffer.alloc(32, 7);
const KEY_B = Buffer.alloc(32, 9);

interface Replica extends RunningHttpServer {
  http: HttpApp;
}

const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
});

async function toyReplica(opts: { keys?: Buffer[]; version?: string; maxAgeMs?: number; maxSessions?: number } = {}): Promise<Replica> {
  const ctx: HttpAppContext = {
    version: opts.version ?? '1.0.0',
    color: undefined,
    startedAt: new Date(),
    catalog: { models: [], all_models: [], providers: [], data_as_of: '2026-01-01', source: 'none', listModels: () => [] },
  };
  const http = await buildHttpApp({
    ctx,
    createMcpServer: createToyServer,
    allowedHosts: [],
    allowedOrigins: [],
    sessionKeys: opts.keys,
    sessionMaxAgeMs: opts.maxAgeMs,
    maxSessions: opts.maxSessions,
    logger: createLogger('warn'),
  });
  const server = await serve(http, { port: 0, host: '127.0.0.1', drainTimeoutMs: 5000 });
  const replica = { ...server, http };
  running.push(replica);
  return replica;
}

const call = (base: string, headers: Record<string, string>, id: number, a = 2, b = 3) =>
  mcpPost(base, { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'add', arguments: { a, b } } }, headers);

async function metric(base: string, name: string): Promise<number> {
  const text = (await raw(`${base}/metrics`)).body;
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : NaN;
}

describe('sessions across replicas (MCP_SESSION_KEYS)', () => {
  it('serves a session on a replica that did not create it, which learns the client exactly as the first one did', async () => {
    const a = await toyReplica({ keys: [KEY_A] });
    const b = await toyReplica({ keys: [KEY_A] });
    const init = {
      ...initializeRequest(),
      params: {
        protocolVersion: PROTOCOL_VERSION,
        capabilities: { roots: { listChanged: true }, sampling: {} },
        clientInfo: { name: 'rr-client', version: '4.2' },
      },
    };
    const opened = await mcpPost(a.url, init);
    expect(opened.status).toBe(200);
    expect(opened.json().result.protocolVersion).toBe(PROTOCOL_VERSION);
    const sid = opened.headers['mcp-session-id'] as string;
    expect(sid.startsWith('s1.')).toBe(true);
    const headers = { 'mcp-session-id': sid, 'mcp-protocol-version': PROTOCOL_VERSION };
    expect((await mcpPost(a.url, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers)).status).toBe(202);

    // Round robin: every call lands on the other replica than the one before.
    for (let i = 0; i < 6; i++) {
      const r = await call(i % 2 ? a.url : b.url, headers, 10 + i, i, 1);
      expect(r.status).toBe(200);
      expect(r.json().result.structuredContent).toEqual({ sum: i + 1 });
      expect(r.headers['mcp-session-id']).toBe(sid);
    }
    expect(await metric(b.url, 'mcp_sessions_restored_total')).toBe(1);
    expect(await metric(a.url, 'mcp_sessions_restored_total')).toBe(0);
    const rebuilt = b.http.registry.get(sid)!.server.server;
    expect(rebuilt.getClientVersion()).toEqual({ name: 'rr-client', version: '4.2' });
    expect(rebuilt.getClientCapabilities()).toEqual({ roots: { listChanged: true }, sampling: {} });
  });

  it('keeps an SDK client working through round-robin balancing and a restart of the replica that made its session', async () => {
    const a = await toyReplica({ keys: [KEY_A] });
    const b = await toyReplica({ keys: [KEY_A] });
    let upstreams = [a.url, b.url];
    let turn = 0;
    // A round-robin balancer in the client's fetch: each request goes to the next replica.
    const balanced: typeof fetch = (input, init) => {
      const target = new URL(String(input instanceof Request ? input.url : input));
      const next = new URL(upstreams[turn++ % upstreams.length]!);
      target.host = next.host;
      return fetch(target, init);
    };
    const client = new Client({ name: 'sdk-rr', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(`${a.url}/mcp`), { fetch: balanced });
    await client.connect(transport);
    const sid = transport.sessionId;
    for (let i = 0; i < 4; i++)
      expect((await client.callTool({ name: 'add', arguments: { a: i, b: i } })).structuredContent).toEqual({ sum: 2 * i });

    // Replica a drains and stops (its sessions close with it); a new process takes its place.
    await a.close();
    const a2 = await toyReplica({ keys: [KEY_A] });
    upstreams = [a2.url, b.url];
    for (let i = 0; i < 4; i++)
      expect((await client.callTool({ name: 'add', arguments: { a: i, b: 1 } })).structuredContent).toEqual({ sum: i + 1 });
    expect(transport.sessionId).toBe(sid);
    expect(await metric(a2.url, 'mcp_sessions_restored_total')).toBe(1);
    await client.close();
  });

  it('answers 404 (the client re-initializes) for another key, another server version, a forged id and an expired id', async () => {
    const a = await toyReplica({ keys: [KEY_A] });
    const otherKey = await toyReplica({ keys: [KEY_B] });
    const otherVersion = await toyReplica({ keys: [KEY_A], version: '1.1.0' });
    const noKeys = await toyReplica();
    const headers = await openSession(a.url);
    for (const [i, base] of [otherKey.url, otherVersion.url, noKeys.url].entries()) {
      const r = await call(base, headers, i);
      expect(r.status).toBe(404);
      expect(r.json().error).toEqual({ code: -32001, message: 'Session not found' });
    }
    const forged = { ...headers, 'mcp-session-id': headers['mcp-session-id']!.replace(/\.[^.]+$/, '.AAAA') };
    expect((await call(a.url, forged, 9)).status).toBe(404);

    // A second of age: long enough for openSession's two requests on a loaded machine, short enough to wait out.
    const short = await toyReplica({ keys: [KEY_A], maxAgeMs: 1000 });
    const old = await openSession(short.url);
    // The id is refused everywhere once older than the maximum age, also by the replica holding it in memory.
    let status = 200;
    const deadline = Date.now() + 10_000;
    while (status === 200 && Date.now() < deadline) status = (await call(short.url, old, 1)).status;
    expect(status).toBe(404);
    expect(short.http.registry.get(old['mcp-session-id']!)).toBeUndefined();
  });

  it('DELETE ends the session on the replica that gets it, which then refuses it; the cap bounds what a replica holds', async () => {
    const a = await toyReplica({ keys: [KEY_A] });
    const b = await toyReplica({ keys: [KEY_A], maxSessions: 1 });
    const headers = await openSession(a.url);
    const del = await raw(`${b.url}/mcp`, { method: 'DELETE', headers: { ...headers } });
    expect(del.status).toBe(200);
    expect((await call(b.url, headers, 1)).status).toBe(404);
    expect(b.http.registry.size).toBe(0);
    expect((await raw(`${b.url}/mcp`, { method: 'DELETE', headers: { ...headers } })).status).toBe(404);

    // The cap bounds memory, not sessions: b holds one at a time, and an evicted one is rebuilt when it comes back.
    const one = await openSession(a.url);
    const two = await openSession(a.url);
    for (let i = 0; i < 4; i++) {
      expect((await call(b.url, i % 2 ? one : two, 10 + i)).status).toBe(200);
      expect(b.http.registry.size).toBe(1);
    }
    expect(await metric(b.url, 'mcp_sessions_restored_total')).toBe(4);
  });

  it('keeps single-process behaviour without keys: random ids, and a session unknown elsewhere', async () => {
    const a = await toyReplica();
    const headers = await openSession(a.url);
    expect(headers['mcp-session-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(await metric(a.url, 'mcp_sessions_restored_total')).toBe(0);
  });

  it('serves the real pricing tools from two real servers sharing a key, the session crossing between them', async () => {
    const dirs = [mkdtempSync(join(tmpdir(), 'shared-a-')), mkdtempSync(join(tmpdir(), 'shared-b-'))];
    running.push({ close: async () => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })) });
    const start = (telemetryDir: string) =>
      startHttpServer({
        port: 0,
        host: '127.0.0.1',
        telemetryDir,
        drainTimeoutMs: 5000,
        allowedHosts: [],
        allowedOrigins: [],
        installSignalHandlers: false,
        sessionKeys: [KEY_A, KEY_B],
      });
    // Replicas name themselves (the image sets LLM_PRICING_REPLICA=hostname): telemetry says it is per replica.
    process.env.LLM_PRICING_REPLICA = 'hostname';
    const [a, b] = await Promise.all(dirs.map(start)).finally(() => delete process.env.LLM_PRICING_REPLICA);
    running.unshift(a!, b!);
    const headers = await openSession(a!.url);
    const args = { model_name: 'gpt-4', input_tokens: 5000, output_tokens: 2000 };
    for (const [i, base] of [b!.url, a!.url, b!.url].entries()) {
      const r = await mcpPost(
        base,
        { jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'estimate_cost', arguments: args } },
        headers,
      );
      expect(r.status).toBe(200);
      expect(r.json().result.structuredContent.total_cost).toBe(0.27);
    }
    const telemetry = await mcpPost(
      b!.url,
      { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'get_telemetry', arguments: {} } },
      headers,
    );
    const t = telemetry.json().result;
    expect([t.structuredContent.scope, t.structuredContent.replica]).toEqual(['replica', hostname()]);
    expect(t.content[0].text).toContain('(this replica only; fleet-wide figures: Prometheus /metrics)');
  });
});
