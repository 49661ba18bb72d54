// The router's HTTP/1.1 correctness, one case per rule, over raw sockets (RFC 9110 and 9112):
// hop-by-hop headers both ways, pipelining, transfer codings, framing errors, the header timeout,
// and who may preview a colour that is not promoted.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { Router, tokenHash } from '../../src/deploy/router/router.js';
import { emptyRouteTable } from '../../src/deploy/router-protocol.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
});

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A real node:http upstream that answers each request with what it received (after `delay` ms for /slow). */
async function echo(): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() };
      seen.push(s);
      const answer = JSON.stringify({ url: s.url });
      setTimeout(
        () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) }).end(answer),
        req.url === '/slow' ? 150 : 0,
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(
    () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  );
  return { port: (server.address() as AddressInfo).port, seen };
}

/** A raw upstream that answers every request with exactly `response`. */
async function rawUpstream(response: string): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('data', () => s.write(response));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return (server.address() as AddressInfo).port;
}

async function routerOn(
  port: number,
  opts: { host?: string; headerTimeoutMs?: number; green?: 'ready'; previewToken?: string; adminToken?: string } = {},
) {
  const r = new Router({
    bodyLimitBytes: 1000,
    headerTimeoutMs: opts.headerTimeoutMs ?? 10_000,
    requestTimeoutMs: 10_000,
    upstreamTimeoutMs: 10_000,
    keepAliveTimeoutMs: 5_000,
    maxRetries: 2,
  });
  await r.listen(opts.host ?? '127.0.0.1', 0);
  closers.push(() => r.close(100));
  const t = emptyRouteTable();
  t.active = 'blue';
  t.colours.blue = { state: 'active', address: { host: '127.0.0.1', port }, version: null };
  if (opts.green) t.colours.green = { state: opts.green, address: { host: '127.0.0.1', port }, version: null };
  if (opts.previewToken) t.previewTokenHash = tokenHash(opts.previewToken);
  if (opts.adminToken) t.adminTokenHash = tokenHash(opts.adminToken);
  r.apply(t);
  return r;
}

/** Writes `bytes` on a fresh connection and collects everything until the router closes it or `until` holds. */
function exchange(port: number, bytes: string, until: (text: string) => boolean = () => false, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, host);
    let text = '';
    s.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      if (until(text)) {
        s.destroy();
        resolve(text);
      }
    });
    s.on('close', () => resolve(text));
    s.on('error', reject);
    s.write(bytes);
  });
}

const statusOf = (text: string) => Number(text.slice(9, 12));
const responses = (text: string) => text.split(/(?=HTTP\/1\.1 \d{3})/).filter(Boolean);

describe('router HTTP/1.1 (RFC 9110, 9112)', () => {
  it('strips hop-by-hop headers, and those the Connection header names, from requests', async () => {
    const up = await echo();
    const r = await routerOn(up.port);
    const text = await exchange(
      r.port,
      'GET /x HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Hop\r\nX-Hop: secret\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n' +
        'Upgrade: h2c\r\nProxy-Authorization: Basic eA==\r\nX-End: kept\r\n\r\n',
      (t) => t.includes('\r\n\r\n{'),
    );
    expect(statusOf(text)).toBe(200);
    const h = up.seen[0]!.headers;
    for (const name of ['x-hop', 'keep-alive', 'te', 'upgrade', 'proxy-authorization']) expect(h[name], name).toBeUndefined();
    expect(h['x-end']).toBe('kept');
    expect(h['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('strips hop-by-hop headers, and those the Connection header names, from responses, and keeps the client connection', async () => {
    const body = '{"ok":1}';
    const port = await rawUpstream(
      `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nConnection: keep-alive, X-Internal\r\nX-Internal: secret\r\n` +
        `Keep-Alive: timeout=77\r\nProxy-Authenticate: Basic\r\nTrailer: X-T\r\nX-Public: yes\r\n\r\n${body}`,
    );
    const r = await routerOn(port);
    const text = await exchange(
      r.port,
      'GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n',
      (t) => responses(t).length === 2 && t.endsWith(body),
    );
    const [first, second] = responses(text);
    for (const res of [first!, second!]) {
      expect(statusOf(res)).toBe(200);
      expect(res).toMatch(/\r\nx-public: yes\r\n/i);
      for (const name of ['x-internal', 'proxy-authenticate', 'trailer', 'connection']) {
        expect(res.toLowerCase(), name).not.toContain(`\r\n${name}:`);
      }
      // The upstream's Keep-Alive is its own; the client gets the router's.
      expect(res.toLowerCase()).not.toContain('timeout=77');
      expect(res.toLowerCase()).toContain('\r\nkeep-alive: timeout=5\r\n');
    }
  });

  it('answers pipelined requests in the order they were sent', async () => {
    const up = await echo();
    const r = await routerOn(up.port);
    const req = (path: string) => `GET ${path} HTTP/1.1\r\nHost: a\r\n\r\n`;
    const text = await exchange(r.port, req('/slow') + req('/one') + req('/two'), (t) => responses(t).length === 3 && t.endsWith('}'));
    expect(responses(text).map((x) => JSON.parse(x.slice(x.indexOf('\r\n\r\n') + 4)).url)).toEqual(['/slow', '/one', '/two']);
  });

  it('refuses a transfer coding it does not implement with 501, and ambiguous framing with 400', async () => {
    const up = await echo();
    const r = await routerOn(up.port);
    const post = (headers: string) => `POST /x HTTP/1.1\r\nHost: a\r\n${headers}\r\n`;
    expect(statusOf(await exchange(r.port, post('Transfer-Encoding: gzip, chunked\r\n')))).toBe(501);
    expect(statusOf(await exchange(r.port, post('Transfer-Encoding: chunked, gzip\r\n')))).toBe(400);
    expect(statusOf(await exchange(r.port, post('Transfer-Encoding: chunked\r\nContent-Length: 3\r\n')))).toBe(400);
    expect(statusOf(await exchange(r.port, post('Content-Length: 3\r\nContent-Length: 4\r\n')))).toBe(400);
    expect(statusOf(await exchange(r.port, post('Content-Length: -1\r\n')))).toBe(400);
    expect(statusOf(await exchange(r.port, 'GET /x HTTP/1.1\r\nHost: a\r\nX-Folded: a\r\n b\r\n\r\n'))).toBe(400);
    expect(statusOf(await exchange(r.port, 'GET /x HTTP/1.1\r\nHost: a\r\nBad Name: a\r\n\r\n'))).toBe(400);
    expect(statusOf(await exchange(r.port, 'GET /x HTTP/1.1\r\n\r\n'))).toBe(400); // no Host
    expect(statusOf(await exchange(r.port, 'GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'))).toBe(400);
    expect(statusOf(await exchange(r.port, 'GET /x HTTP/2.0\r\nHost: a\r\n\r\n'))).toBe(505);
    expect(statusOf(await exchange(r.port, post('Content-Length: 5000\r\n')))).toBe(413);
    expect(up.seen).toEqual([]); // none of them reached the upstream
  });

  it('decodes a chunked request body and forwards it with a Content-Length', async () => {
    const up = await echo();
    const r = await routerOn(up.port);
    const text = await exchange(
      r.port,
      'POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nabcd\r\n3\r\nefg\r\n0\r\nX-Trailer: t\r\n\r\n',
      (t) => t.includes('\r\n\r\n{'),
    );
    expect(statusOf(text)).toBe(200);
    expect(up.seen[0]).toMatchObject({ body: 'abcdefg', headers: { 'content-length': '7' } });
    expect(up.seen[0]!.headers['transfer-encoding']).toBeUndefined();
  });

  it('closes a connection whose head trickles in past the header timeout, with 408', async () => {
    const up = await echo();
    const r = await routerOn(up.port, { headerTimeoutMs: 300 });
    const s = net.connect(r.port, '127.0.0.1');
    let text = '';
    s.on('data', (c: Buffer) => (text += c.toString()));
    const closed = new Promise<void>((resolve) => s.on('close', () => resolve()));
    s.on('error', () => undefined);
    // 400 header lines, one every 25 ms: 10 s if nothing stopped it.
    let sent = 0;
    const trickle = setInterval(() => {
      if (s.destroyed || sent >= 400) return clearInterval(trickle);
      s.write(sent === 0 ? 'GET /x HTTP/1.1\r\nHost: a\r\n' : `X-Slow-${sent}: y\r\n`);
      sent++;
    }, 25);
    await closed;
    clearInterval(trickle);
    expect(statusOf(text)).toBe(408);
    expect(sent).toBeLessThan(400); // cut while the client was still sending its head
    expect(up.seen).toEqual([]);
  });

  const outside = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

  it.skipIf(outside === undefined)('lets a colour not yet promoted be previewed only from loopback or with the preview token', async () => {
    const up = await echo();
    const r = await routerOn(up.port, { host: '0.0.0.0', green: 'ready', previewToken: 'let-me-see', adminToken: 'admin' });
    const get = (headers: string, host: string) =>
      exchange(r.port, `GET /info HTTP/1.1\r\nHost: a\r\n${headers}\r\n`, (t) => t.includes('\r\n\r\n{'), host);
    // From a non-loopback address of this machine (traffic stays on it).
    const refused = await get('X-Deployment-Color: green\r\n', outside!);
    expect(statusOf(refused)).toBe(403);
    expect(refused).toContain('preview is for loopback clients or the preview token');
    expect(statusOf(await get('Mcp-Session-Id: g.abc\r\n', outside!))).toBe(403);
    const withToken = await get('X-Deployment-Color: green\r\nX-Deployment-Token: let-me-see\r\n', outside!);
    expect(statusOf(withToken)).toBe(200);
    expect(withToken).toMatch(/x-deployment-color: green/);
    expect(up.seen.at(-1)!.headers['x-deployment-token']).toBeUndefined(); // the token stays with the router
    expect(statusOf(await get('X-Deployment-Color: green\r\nX-Deployment-Token: wrong\r\n', outside!))).toBe(403);
    expect(statusOf(await get('', outside!))).toBe(200); // plain traffic goes to the active colour
    expect(statusOf(await get('X-Deployment-Color: green\r\n', '127.0.0.1'))).toBe(200);
    // The deployment API and the router's own pages are private too: loopback, or the admin token.
    const deploy = (headers: string, host: string) =>
      exchange(r.port, `GET /deploy/api/status HTTP/1.1\r\nHost: a\r\n${headers}\r\n`, (t) => t.includes('}'), host);
    expect(statusOf(await deploy('', outside!))).toBe(403);
    expect(statusOf(await deploy('X-Deployment-Token: let-me-see\r\n', outside!))).toBe(403); // the preview token is not enough
    expect(await deploy('Authorization: Bearer admin\r\n', outside!)).toMatch(/^HTTP\/1\.1 503[^]*no controller is attached/); // let in; no controller here
    expect(statusOf(await deploy('', '127.0.0.1'))).toBe(503);
    expect(
      statusOf(
        await get('', outside!).then(() =>
          exchange(r.port, 'GET /router/status HTTP/1.1\r\nHost: a\r\n\r\n', (t) => t.includes('\r\n\r\n'), outside!),
        ),
      ),
    ).toBe(403);
  });

  it('does not count a request a proxy passed on as a loopback client (a TLS proxy on this host connects from 127.0.0.1)', async () => {
    const up = await echo();
    const r = await routerOn(up.port, { green: 'ready', previewToken: 'let-me-see', adminToken: 'admin' });
    const get = (headers: string) => exchange(r.port, `GET /info HTTP/1.1\r\nHost: a\r\n${headers}\r\n`, (t) => t.includes('\r\n\r\n{'));
    const deploy = (headers: string) =>
      exchange(r.port, `GET /deploy/api/status HTTP/1.1\r\nHost: a\r\n${headers}\r\n`, (t) => t.includes('}'));
    for (const proxy of [
      'X-Forwarded-For: 203.0.113.9',
      'Forwarded: for=203.0.113.9',
      'X-Real-IP: 203.0.113.9',
      'X-Forwarded-Proto: https',
    ]) {
      expect(statusOf(await get(`X-Deployment-Color: green\r\n${proxy}\r\n`)), proxy).toBe(403);
      expect(statusOf(await deploy(`${proxy}\r\n`)), proxy).toBe(403);
      expect(statusOf(await get(`${proxy}\r\n`)), proxy).toBe(200); // plain traffic is not affected
    }
    // The tokens still open what they open; loopback without a proxy's headers is still trusted.
    expect(statusOf(await get('X-Deployment-Color: green\r\nX-Forwarded-For: 203.0.113.9\r\nX-Deployment-Token: let-me-see\r\n'))).toBe(
      200,
    );
    expect(statusOf(await deploy('X-Forwarded-For: 203.0.113.9\r\nAuthorization: Bearer admin\r\n'))).toBe(503); // let in; no controller here
    expect(statusOf(await get('X-Deployment-Color: green\r\n'))).toBe(200);
  });
});
