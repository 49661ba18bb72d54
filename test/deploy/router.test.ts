import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Router } from '../../src/deploy/router/router.js';
import type { RouteState, RouteTable } from '../../src/deploy/router-protocol.js';
import { emptyRouteTable } from '../../src/deploy/router-protocol.js';
import { waitFor } from '../support/wait.js';

// Real node:http backends stand in for the two colours: the router is tested on real sockets.
interface Backend {
  name: string;
  port: number;
  server: http.Server;
  seen: number;
  close(): Promise<void>;
}

const started: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const s of started.splice(0).reverse()) await s.close().catch(() => {});
});

async function backend(name: string, port = 0): Promise<Backend> {
  let sessionSeq = 0;
  const b: Backend = {
    name,
    port: 0,
    seen: 0,
    server: http.createServer((req, res) => {
      b.seen++;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        if (req.url === '/sse') {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(`data: first from ${name}\n\n`);
          setTimeout(() => res.end(`data: second\n\n`), 300);
          return;
        }
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        const sid = req.headers['mcp-session-id'];
        if (req.url === '/mcp' && req.method === 'POST' && sid === undefined) headers['mcp-session-id'] = `${name}-${++sessionSeq}`;
        if (typeof sid === 'string' && !sid.startsWith(name)) {
          res.writeHead(404, headers).end(JSON.stringify({ error: 'unknown session' }));
          return;
        }
        const slow = req.url === '/slow' ? 200 : 0;
        setTimeout(() => {
          res.writeHead(200, headers).end(
            JSON.stringify({
              backend: name,
              method: req.method,
              url: req.url,
              body,
              xff: req.headers['x-forwarded-for'],
              sid: sid ?? null,
            }),
          );
        }, slow);
      });
    }),
    close: () =>
      new Promise<void>((r) => {
        b.server.close(() => r());
        b.server.closeAllConnections();
      }),
  };
  await new Promise<void>((r) => b.server.listen(port, '127.0.0.1', () => r()));
  b.port = (b.server.address() as AddressInfo).port;
  started.push(b);
  return b;
}

const defaultLimits = {
  bodyLimitBytes: 4 * 1024 * 1024,
  headerTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  upstreamTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  maxRetries: 2,
};

/** A router on a free port (or `port`) whose colours live on the given TCP ports, nothing active yet. */
async function router(bluePort: number, greenPort: number, extra: Partial<typeof defaultLimits> & { port?: number } = {}): Promise<Router> {
  const r = new Router({ ...defaultLimits, ...extra });
  ports.set(r, { blue: bluePort, green: greenPort });
  await r.listen('127.0.0.1', extra.port ?? 0);
  started.push({ close: () => r.close(100) });
  return r;
}

const ports = new Map<Router, { blue: number; green: number }>();

/** What the controller would push: each colour's state, and the active one. */
function routes(r: Router, states: { blue?: RouteState; green?: RouteState }, active: 'blue' | 'green' | null): void {
  const t: RouteTable = emptyRouteTable();
  t.generation = r.table.generation + 1;
  t.active = active;
  for (const c of ['blue', 'green'] as const) {
    const state = states[c] ?? r.targets[c].state;
    t.colours[c] = { state, address: state === 'stopped' ? null : { host: '127.0.0.1', port: ports.get(r)![c] }, version: null };
  }
  r.apply(t);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function call(
  port: number,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; fresh?: boolean } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers, agent: opts.fresh ? false : agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
        });
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('router', () => {
  it('answers 503 with a JSON body when nothing is active', async () => {
    const r = await router(1, 2);
    const res = await call(r.port, '/health');
    expect(res.status).toBe(503);
    expect(res.json.error).toBe('service_unavailable');
    const mcp = await call(r.port, '/mcp', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(mcp.status).toBe(503);
    expect((mcp.json.error as { code: number }).code).toBe(-32000);
  });

  it('proxies to the active colour, forwards bodies and X-Forwarded-*, and switches atomically', async () => {
    const blue = await backend('blue');
    const green = await backend('green');
    const r = await router(blue.port, green.port);
    routes(r, { blue: 'active' }, 'blue');
    const a = await call(r.port, '/pricing?x=1', { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    expect(a.json).toMatchObject({ backend: 'blue', url: '/pricing?x=1', body: '{"a":1}', xff: '127.0.0.1' });
    routes(r, { blue: 'standby', green: 'active' }, 'green');
    expect(r.status()).toMatchObject({ active: 'green', colours: { blue: { state: 'standby' } } });
    expect((await call(r.port, '/x')).json.backend).toBe('green');
  });

  it('routes preview traffic by X-Deployment-Color and refuses a colour that is not running', async () => {
    const blue = await backend('blue');
    const green = await backend('green');
    const r = await router(blue.port, green.port);
    routes(r, { blue: 'active' }, 'blue');
    const refused = await call(r.port, '/x', { headers: { 'x-deployment-color': 'green' } });
    expect(refused.status).toBe(503);
    routes(r, { green: 'ready' }, 'blue');
    const previewed = await call(r.port, '/x', { headers: { 'x-deployment-color': 'green' } });
    expect(previewed.json.backend).toBe('green');
    expect(previewed.headers['x-deployment-color']).toBe('green');
    expect((await call(r.port, '/x')).json.backend).toBe('blue');
    expect((await call(r.port, '/x', { headers: { 'x-deployment-color': 'purple' } })).status).toBe(400);
  });

  it('keeps an MCP session on the colour that created it, and forgets it on DELETE', async () => {
    const blue = await backend('blue');
    const green = await backend('green');
    const r = await router(blue.port, green.port);
    routes(r, { blue: 'active' }, 'blue');
    const init = await call(r.port, '/mcp', { method: 'POST', body: '{}' });
    const sid = init.headers['mcp-session-id'] as string;
    // The client sees the upstream's id with the colour in front; the upstream never sees the prefix.
    expect(sid).toMatch(/^b\.blue-/);
    expect(r.status().colours.blue.sessions).toBe(1);
    routes(r, { blue: 'draining', green: 'active' }, 'green');
    const onSession = await call(r.port, '/mcp', { method: 'POST', body: '{}', headers: { 'mcp-session-id': sid } });
    expect(onSession.json).toMatchObject({ backend: 'blue', sid: sid.slice(2) });
    expect(onSession.headers['mcp-session-id']).toBeUndefined();
    const fresh = await call(r.port, '/mcp', { method: 'POST', body: '{}' });
    expect(fresh.headers['mcp-session-id']).toMatch(/^g\.green-/);
    expect(r.status().colours.green.sessions).toBe(1);
    await call(r.port, '/mcp', { method: 'DELETE', headers: { 'mcp-session-id': sid } });
    expect(r.status().colours.blue.sessions).toBe(0);
    // Once blue is out of routing, its ids go to the active colour, which does not know them.
    routes(r, { blue: 'stopped' }, 'green');
    await r.detach('blue', 100);
    expect((await call(r.port, '/mcp', { method: 'POST', body: '{}', headers: { 'mcp-session-id': sid } })).status).toBe(404);
  });

  it('holds the drain of a colour kept warm for sessions in use, not for ended sessions or requests outside sessions', async () => {
    const blue = await backend('blue');
    const green = await backend('green');
    const r = await router(blue.port, green.port);
    routes(r, { blue: 'active' }, 'blue');
    const a = (await call(r.port, '/mcp', { method: 'POST', body: '{}' })).headers['mcp-session-id'] as string;
    const aAnswered = Date.now();
    // After A: a session made, used and closed (the controller's answer comparison), and a request outside any session.
    const b = (await call(r.port, '/mcp', { method: 'POST', body: '{}' })).headers['mcp-session-id'] as string;
    await call(r.port, '/mcp', { method: 'POST', body: '{}', headers: { 'mcp-session-id': b } });
    await call(r.port, '/mcp', { method: 'DELETE', headers: { 'mcp-session-id': b } });
    await call(r.port, '/x');
    const t = r.targets.blue;
    expect(t.sessions.size).toBe(1);
    // Once A has been idle for a second nothing counts as use, though B and the plain request came later.
    expect(t.sessionUsedWithin(1000, aAnswered + 1000)).toBe(false);
    routes(r, { blue: 'draining', green: 'active' }, 'green');
    const held = await r.drain('blue', 200, 60_000);
    expect(held).toMatchObject({ timedOut: true, sessionsLeft: 1, inFlightLeft: 0 });
    await call(r.port, '/mcp', { method: 'DELETE', headers: { 'mcp-session-id': a } });
    expect(await r.drain('blue', 10_000, 60_000)).toMatchObject({ timedOut: false, sessionsLeft: 0 });
  });

  it('keeps a session on its colour after the router is replaced by a new one (controller restart)', async () => {
    const blue = await backend('blue');
    const green = await backend('green');
    const before = await router(blue.port, green.port);
    routes(before, { blue: 'active' }, 'blue');
    const sid = (await call(before.port, '/mcp', { method: 'POST', body: '{}' })).headers['mcp-session-id'] as string;
    routes(before, { blue: 'standby', green: 'active' }, 'green');
    await before.close(100);
    // A new router on the same port knows nothing of the old one's sessions: green active, blue kept warm.
    const after = await router(blue.port, green.port, { port: before.port });
    routes(after, { blue: 'standby', green: 'active' }, 'green');
    expect(after.status().colours.blue.sessions).toBe(0);
    const res = await call(after.port, '/mcp', {
      method: 'POST',
      body: '{"after":"restart"}',
      headers: { 'mcp-session-id': sid },
      fresh: true,
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ backend: 'blue', sid: sid.slice(2), body: '{"after":"restart"}' });
    // Seen again, the session counts for blue (a drain of blue waits for it).
    expect(after.status().colours.blue.sessions).toBe(1);
    expect((await call(after.port, '/x', { fresh: true })).json.backend).toBe('green');
  });

  it('re-sends a request whose upstream refused the connection to the active colour', async () => {
    const blue = await backend('blue');
    const green = await backend('green');
    const r = await router(blue.port, green.port);
    routes(r, { blue: 'active' }, 'blue');
    const init = await call(r.port, '/mcp', { method: 'POST', body: '{}' });
    const sid = init.headers['mcp-session-id'] as string;
    routes(r, { blue: 'standby', green: 'active' }, 'green');
    await blue.close(); // blue dies with the session still mapped to it
    const res = await call(r.port, '/mcp', { method: 'POST', body: '{"retry":true}', headers: { 'mcp-session-id': sid } });
    // Green answered (404: it does not know blue's session), not a 502 from the router.
    expect(res.status).toBe(404);
    const plain = await call(r.port, '/x', { headers: { 'x-deployment-color': 'blue' } });
    expect(plain.status).toBe(200);
    expect(plain.json.backend).toBe('green');
    expect(await r.metrics.text()).toMatch(/router_retries_total\{colour="green"\} [1-9]/);
  });

  it('passes SSE through unbuffered', async () => {
    const blue = await backend('blue');
    const r = await router(blue.port, 1);
    routes(r, { blue: 'active' }, 'blue');
    const firstAt = await new Promise<{ first: number; end: number; text: string }>((resolve, reject) => {
      const t0 = Date.now();
      http
        .get({ host: '127.0.0.1', port: r.port, path: '/sse' }, (res) => {
          let first = 0;
          let text = '';
          res.on('data', (c: Buffer) => {
            if (!first) first = Date.now() - t0;
            text += c.toString();
          });
          res.on('end', () => resolve({ first, end: Date.now() - t0, text }));
        })
        .on('error', reject);
    });
    expect(firstAt.text).toContain('first from blue');
    expect(firstAt.text).toContain('second');
    // The first event arrived before the backend finished (it waits 300 ms before the second).
    expect(firstAt.end - firstAt.first).toBeGreaterThan(150);
  });

  it('re-sends a request whose connection was reset before any response byte, and times out a silent upstream with 504', async () => {
    const resetting = http.createServer((req) => req.socket.destroy());
    const silent = http.createServer(() => {
      /* never answers */
    });
    for (const s of [resetting, silent]) {
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
      started.push({
        close: () =>
          new Promise<void>((r) => {
            s.close(() => r());
            s.closeAllConnections();
          }),
      });
    }
    const green = await backend('green');
    const r = await router((resetting.address() as AddressInfo).port, green.port, { upstreamTimeoutMs: 300 });
    routes(r, { blue: 'standby', green: 'active' }, 'green');
    const res = await call(r.port, '/x', { method: 'POST', body: '{"a":1}', headers: { 'x-deployment-color': 'blue' } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ backend: 'green', body: '{"a":1}' });
    ports.get(r)!.blue = (silent.address() as AddressInfo).port;
    routes(r, { blue: 'starting' }, 'green');
    routes(r, { blue: 'standby' }, 'green');
    const timedOut = await call(r.port, '/x', { headers: { 'x-deployment-color': 'blue' } });
    expect(timedOut.status).toBe(504);
    expect(timedOut.json.error).toBe('gateway_timeout');
  });

  it('rejects bodies over the limit with 413', async () => {
    const blue = await backend('blue');
    const r = await router(blue.port, 1, { bodyLimitBytes: 100 });
    routes(r, { blue: 'active' }, 'blue');
    const res = await call(r.port, '/x', { method: 'POST', body: 'x'.repeat(500) });
    expect(res.status).toBe(413);
  });

  it('switches back and forth under concurrent load with zero failed requests, draining before a stop', async () => {
    const blue = await backend('blue');
    let green = await backend('green');
    const r = await router(blue.port, green.port);
    routes(r, { blue: 'active', green: 'ready' }, 'blue');
    let stop = false;
    const failures: string[] = [];
    const seen = { blue: 0, green: 0 } as Record<string, number>;
    const worker = async (i: number) => {
      while (!stop) {
        try {
          const res = await call(r.port, i % 2 ? '/mcp' : '/slow', { method: 'POST', body: `{"i":${i}}` });
          if (res.status !== 200) failures.push(`${res.status} ${JSON.stringify(res.json)}`);
          else seen[res.json.backend as string]!++;
        } catch (err) {
          failures.push(String(err));
        }
      }
    };
    const workers = Array.from({ length: 24 }, (_, i) => worker(i));
    const answered = () => seen.blue! + seen.green! + failures.length;
    for (let round = 0; round < 6; round++) {
      const before = answered();
      await waitFor('24 more answers between switches', () => (answered() >= before + 24 ? true : undefined));
      const to = round % 2 === 0 ? 'green' : 'blue';
      const from = to === 'green' ? 'blue' : 'green';
      routes(r, { [to]: 'active', [from]: 'draining' }, to);
      if (from === 'green') {
        // Stop green for real after the router drained it, then bring it back on a new port.
        await r.drain('green', 300); // its sessions never end: the timeout bounds the wait
        routes(r, { green: 'stopped' }, to);
        await r.detach('green', 2000);
        await green.close();
        green = await backend('green');
        ports.get(r)!.green = green.port;
        routes(r, { green: 'starting' }, to);
        routes(r, { green: 'ready' }, to);
      } else routes(r, { [from]: 'standby' }, to);
    }
    stop = true;
    await Promise.all(workers);
    expect(failures).toEqual([]);
    expect(seen.blue).toBeGreaterThan(0);
    expect(seen.green).toBeGreaterThan(0);
  });
});
