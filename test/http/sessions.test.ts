import { afterEach, describe, expect, it } from 'vitest';
import type { RunningHttpServer } from '../../src/http/environment.js';
import { mcpPost, openSession, raw } from './helpers.js';
import { startToy } from './toy-server.js';

// Session bounds: clients that never DELETE must not grow memory without limit.
let server: RunningHttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ping = (headers: Record<string, string>, id = 1) => mcpPost(server!.url, { jsonrpc: '2.0', id, method: 'ping' }, headers);

describe('MCP session bounds', () => {
  it('closes a session left idle past its TTL', async () => {
    server = await startToy({ sessionIdleTtlMs: 500 });
    const idle = await openSession(server.url);
    const busy = await openSession(server.url);
    const sessions = async () => (await raw(`${server!.url}/health/detailed`)).json().sessions as number;
    // Keep one session in use (each ping refreshes it) until the sweep has closed the other one.
    const deadline = Date.now() + 20_000;
    for (let i = 0; (await sessions()) > 1; i++) {
      expect(Date.now(), 'the idle session was never closed').toBeLessThan(deadline);
      expect((await ping(busy, i)).status).toBe(200);
    }
    const gone = await ping(idle);
    expect(gone.status).toBe(404);
    expect(gone.json().error.message).toBe('Session not found');
    expect((await ping(busy, 99_999)).status).toBe(200);
  });

  it('makes room by closing the least recently used session when the cap is reached', async () => {
    server = await startToy({ maxSessions: 2 });
    const a = await openSession(server.url);
    const b = await openSession(server.url);
    expect((await ping(a)).status).toBe(200); // b is now the least recently used
    const c = await openSession(server.url);
    expect((await ping(b)).status).toBe(404);
    expect((await ping(a, 2)).status).toBe(200);
    expect((await ping(c, 3)).status).toBe(200);
    const detailed = (await raw(`${server.url}/health/detailed`)).json();
    expect(detailed.sessions).toBe(2);
  });

  it('answers other methods on /mcp with 405', async () => {
    server = await startToy();
    const put = await raw(`${server.url}/mcp`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET, POST, DELETE');
    expect(put.json().jsonrpc).toBe('2.0');
  });
});
