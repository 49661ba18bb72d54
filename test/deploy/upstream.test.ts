import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Router } from '../../src/deploy/router/router.js';
import { emptyRouteTable } from '../../src/deploy/router-protocol.js';
import { waitFor } from '../support/wait.js';

// The router's own HTTP/1.1 client against upstreams that answer in the less common shapes:
// chunked bodies split at awkward places, interim 1xx answers, close-delimited bodies,
// HEAD and 204, large bodies, and keep-alive sockets the upstream closes while idle.

const started: Array<{ close(): Promise<void> | void }> = [];
afterEach(async () => {
  for (const s of started.splice(0).reverse()) await s.close();
});

/** A raw TCP upstream: answers each request head with the bytes `answer` picks, written in pieces. */
// 'END' in the pieces ends the socket there; 'close' instead of pieces ends it without answering.
async function rawUpstream(
  answer: (path: string, method: string) => Array<string | Buffer> | 'close',
): Promise<{ port: number; connections: number }> {
  const state = { port: 0, connections: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffered = '';
    socket.on('data', async (d: Buffer) => {
      buffered += d.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end);
        const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        buffered = buffered.slice(end + 4 + length);
        const [method = '', path = ''] = head.split(' ');
        const pieces = answer(path, method);
        if (pieces === 'close') {
          socket.end();
          return;
        }
        for (const p of pieces) {
          if (p === 'END') {
            socket.end();
            return;
          }
          socket.write(p);
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  state.port = (server.address() as AddressInfo).port;
  started.push({
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  });
  return state;
}

async function routerTo(port: number): Promise<Router> {
  const r = new Router({
    bodyLimitBytes: 1 << 20,
    headerTimeoutMs: 10_000,
    requestTimeoutMs: 10_000,
    upstreamTimeoutMs: 10_000,
    keepAliveTimeoutMs: 5_000,
    maxRetries: 2,
  });
  await r.listen('127.0.0.1', 0);
  started.push({ close: () => r.close(100) });
  const table = emptyRouteTable();
  table.active = 'blue';
  table.colours.blue = { state: 'active', address: { host: '127.0.0.1', port }, version: null };
  r.apply(table);
  return r;
}

// One client connection for all requests of a test: the router gives it one upstream socket.
let agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
afterEach(() => {
  agent.destroy();
  agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
});

function get(port: number, path: string, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('router upstream client', () => {
  it('decodes chunked bodies split anywhere, skips 1xx, and reads close-delimited, HEAD and 204 answers', async () => {
    const up = await rawUpstream((path) => {
      switch (path) {
        case '/chunked':
          return [
            'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-',
            'Encoding: chunked\r\n\r\n5;ext=1\r',
            '\nhel',
            'lo\r\n6\r\n world\r\n0\r\nX-Trailer: a\r\n',
            '\r\n',
          ];
        case '/interim':
          return ['HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'];
        case '/until-close':
          return ['HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nfirst ', 'second', 'END'];
        case '/empty':
          return ['HTTP/1.1 204 No Content\r\n\r\n'];
        case '/head':
          return ['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n'];
        default:
          return ['HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'];
      }
    });
    const r = await routerTo(up.port);
    const chunked = await get(r.port, '/chunked');
    expect(chunked.status).toBe(200);
    expect(chunked.body.toString()).toBe('hello world');
    expect(chunked.headers['x-deployment-color']).toBe('blue');
    expect((await get(r.port, '/interim')).body.toString()).toBe('ok');
    // The close-delimited body needs 'end' from the upstream: the router gets it when the socket ends.
    expect((await get(r.port, '/until-close')).body.toString()).toBe('first second');
    expect((await get(r.port, '/empty')).status).toBe(204);
    const head = await get(r.port, '/head', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('10');
    expect((await get(r.port, '/after')).status).toBe(404);
  });

  it('streams a large body byte for byte and reuses one upstream socket for the requests of one client connection', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    let connections = 0;
    const server = http.createServer((req, res) => {
      if (req.url === '/big') res.writeHead(200, { 'content-length': big.length }).end(big);
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    started.push({
      close: () =>
        new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections();
        }),
    });
    const r = await routerTo((server.address() as AddressInfo).port);
    const res = await get(r.port, '/big');
    expect(res.body.length).toBe(big.length);
    expect(res.body.equals(big)).toBe(true);
    for (let i = 0; i < 5; i++) expect((await get(r.port, '/small')).body.toString()).toBe('{"ok":true}');
    expect(connections).toBe(1);
    expect(r.status().colours.blue.sockets).toBe(1);
  });

  it('opens a fresh socket when the upstream closed an idle keep-alive one', async () => {
    // Each answer is a complete keep-alive response, after which the upstream closes the socket.
    const up = await rawUpstream(() => ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', 'END']);
    const r = await routerTo(up.port);
    expect((await get(r.port, '/a')).body.toString()).toBe('ok');
    await waitFor('the router to drop the closed socket', () => (r.status().colours.blue.sockets === 0 ? true : undefined));
    expect((await get(r.port, '/b')).body.toString()).toBe('ok');
    expect(up.connections).toBe(2);
  });

  it('answers 502 when the upstream sends garbage or a header node:http refuses, and 502 when it closes without answering on a fresh socket', async () => {
    const up = await rawUpstream((path) => {
      if (path === '/garbage') return ['NOT HTTP AT ALL\r\n\r\n'];
      if (path === '/bad-header') return ['HTTP/1.1 200 OK\r\nBad Header: x\r\nContent-Length: 2\r\n\r\nok'];
      return 'close';
    });
    const r = await routerTo(up.port);
    expect((await get(r.port, '/garbage')).status).toBe(502);
    expect((await get(r.port, '/bad-header')).status).toBe(502);
    expect((await get(r.port, '/hangup')).status).toBe(502);
  });
});
