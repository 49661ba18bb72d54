import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { get } from 'node:http';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { fastify } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_CSP, WEB_ROOT, pickEncoding, registerStaticPages } from '../../src/http/static-pages.js';
import { mcpPost, openSession, raw, startRealServer } from '../http/helpers.js';

// How the built pages and the REST answers they load travel: encodings, caching, CSP, what is not served.

type Server = Awaited<ReturnType<typeof startRealServer>>;
let server: Server;
type ManifestFile = { page: string; path: string; file: string; etag: string; cache: string };
/** The calculator's files (an environment's), and the dashboard's (the controller's, test/web/dashboard.test.ts). */
let manifest: { files: ManifestFile[] };
let dashboardFiles: ManifestFile[];

beforeAll(async () => {
  const all = JSON.parse(readFileSync(join(WEB_ROOT, 'manifest.json'), 'utf8')) as { files: ManifestFile[] };
  manifest = { files: all.files.filter((f) => f.page === 'calculator') };
  dashboardFiles = all.files.filter((f) => f.page === 'dashboard');
  server = await startRealServer();
});
afterAll(async () => {
  await server?.cleanup();
});

function decode(body: Buffer, encoding: string | string[] | undefined): Buffer {
  if (encoding === 'br') return brotliDecompressSync(body);
  if (encoding === 'gzip') return gunzipSync(body);
  return body;
}

/** The bytes as sent (fetch would ask for gzip by itself and decompress). */
function bytes(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; encoding: string | undefined; vary: string | undefined; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = get(`${server.url}${path}`, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          encoding: res.headers['content-encoding'],
          vary: res.headers.vary,
          body: Buffer.concat(chunks),
        }),
      );
    });
    req.on('error', reject);
  });
}

describe('static pages', () => {
  it('serves / as HTML with a Content-Security-Policy that allows no inline script or style', async () => {
    const res = await raw(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(PAGE_CSP);
    expect(PAGE_CSP).toContain("script-src 'self'");
    expect(PAGE_CSP).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toContain('<label for="model">Model</label>');
    // No inline script: every script element loads a file of ours.
    expect(res.body.match(/<script[^>]*>/g)).toEqual([
      expect.stringMatching(/^<script type="module" src="\/assets\/calculator-\w+\.js">$/),
    ]);
  });

  it('sends every file brotli, gzip or plain as the client asks, the same bytes each way', async () => {
    for (const f of manifest.files) {
      const plain = readFileSync(join(WEB_ROOT, f.file));
      for (const [accept, encoding] of [
        ['gzip, deflate, br', 'br'],
        ['gzip', 'gzip'],
        ['br;q=0, gzip', 'gzip'],
        ['', undefined],
      ] as const) {
        const res = await bytes(f.path, accept ? { 'accept-encoding': accept } : {});
        expect(res.status, f.path).toBe(200);
        expect(res.encoding, `${f.path} with ${accept}`).toBe(encoding);
        expect(res.vary).toBe('accept-encoding');
        expect(decode(res.body, encoding).equals(plain), f.path).toBe(true);
      }
    }
  });

  it('lets clients keep hashed assets for a year and revalidate the page by ETag', async () => {
    const asset = manifest.files.find((f) => f.path.startsWith('/assets/'))!;
    const a = await raw(`${server.url}${asset.path}`);
    expect(a.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(a.headers['content-security-policy']).toBeUndefined();
    const page = await raw(`${server.url}/`);
    const again = await raw(`${server.url}/`, { headers: { 'if-none-match': String(page.headers.etag) } });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    const head = await raw(`${server.url}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('serves nothing else: unknown assets, paths that climb out and other methods are refused', async () => {
    for (const path of ['/assets/nope.js', '/assets/../package.json', '/%2e%2e/package.json', '/index.html', '/manifest.json']) {
      expect((await raw(`${server.url}${path}`, { path })).status, path).toBe(404);
    }
    expect((await raw(`${server.url}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(404);
    // The dashboard's page and assets are the controller's: an environment does not serve them.
    expect(dashboardFiles.map((f) => f.path)).toContain('/deploy/');
    for (const f of dashboardFiles) expect((await raw(`${server.url}${f.path}`)).status, f.path).toBe(404);
  });

  it('compresses the REST answers the page loads in bulk, and leaves /mcp alone', async () => {
    const plain = await bytes('/pricing?limit=200');
    expect(plain.encoding).toBeUndefined();
    const br = await bytes('/pricing?limit=200', { 'accept-encoding': 'br' });
    expect(br.encoding).toBe('br');
    expect(JSON.parse(decode(br.body, 'br').toString('utf8'))).toEqual(JSON.parse(plain.body.toString('utf8')));
    expect(br.body.length).toBeLessThan(plain.body.length / 5);
    const gz = await bytes('/openapi.json', { 'accept-encoding': 'gzip' });
    expect(gz.encoding).toBe('gzip');
    expect(JSON.parse(decode(gz.body, 'gzip').toString('utf8')).openapi).toBe('3.1.0');
    // A small answer is not worth it; POSTs and MCP go as they are.
    expect((await bytes('/health', { 'accept-encoding': 'br' })).encoding).toBeUndefined();
    const session = await openSession(server.url);
    const list = await mcpPost(server.url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { ...session, 'accept-encoding': 'br, gzip' });
    expect(list.status).toBe(200);
    expect(list.headers['content-encoding']).toBeUndefined();
    expect(list.json().result.tools.length).toBeGreaterThan(0);
  });

  it('without a build, mounts no page and says why', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'web-empty-'));
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (s: string) => void lines.push(s) });
    const app = fastify();
    try {
      registerStaticPages(app, logger, empty);
      expect((await app.inject({ url: '/' })).statusCode).toBe(404);
      expect(lines.join('')).toContain('web pages not built (npm run build makes them)');
    } finally {
      await app.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('picks br, then gzip, honouring q=0', () => {
    expect(pickEncoding(undefined)).toBe('identity');
    expect(pickEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(pickEncoding('GZIP')).toBe('gzip');
    expect(pickEncoding('br;q=0, gzip;q=0.5')).toBe('gzip');
    expect(pickEncoding('br;q=0,gzip;q=0')).toBe('identity');
    expect(pickEncoding('identity')).toBe('identity');
  });
});
