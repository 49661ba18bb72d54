import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The built web pages (web/build.mjs writes them into dist/web with a manifest), read once into memory
// already compressed, and how one of them is answered. Two servers use this: the environments' fastify
// (the calculator at /, src/http/static-pages.ts) and the controller's node:http (the deployment
// dashboard at /deploy/, src/deploy/dashboard-api.ts). Each serves only its own page's files, by exact
// path: no request path ever reaches the disk.

/** dist/web, from this file in src/http or dist/http. */
export const WEB_ROOT = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/** The pages web/build.mjs makes (its PAGES), by the name the manifest gives each file. */
export type WebPage = 'calculator' | 'dashboard';

/** Scripts and styles only from our own origin, no inline script or style, no framing, fetches to our own origin. */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

interface ManifestFile {
  page: string;
  path: string;
  file: string;
  type: string;
  cache: string;
  etag: string;
}

export interface WebAsset {
  type: string;
  cache: string;
  etag: string;
  identity: Buffer;
  gzip: Buffer;
  br: Buffer;
}

/** What to send for one request of an asset. */
export interface AssetAnswer {
  status: 200 | 304;
  headers: Record<string, string>;
  /** Absent for 304. */
  body: Buffer | undefined;
}

/** The files of `page` by URL path, or null when the pages are not built (`npm run build` builds them). */
export function readWebAssets(page: WebPage, root: string = WEB_ROOT): Map<string, WebAsset> | null {
  const manifestPath = join(root, 'manifest.json');
  if (!existsSync(manifestPath)) return null;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: ManifestFile[] };
  const assets = new Map<string, WebAsset>();
  for (const f of manifest.files) {
    if (f.page !== page) continue;
    const file = join(root, f.file);
    assets.set(f.path, {
      type: f.type,
      cache: f.cache,
      etag: f.etag,
      identity: readFileSync(file),
      gzip: readFileSync(`${file}.gz`),
      br: readFileSync(`${file}.br`),
    });
  }
  return assets;
}

/** The status, headers and body for a GET of `asset` with these request headers (ETag revalidation, br/gzip). */
export function answerAsset(asset: WebAsset, ifNoneMatch: string | undefined, acceptEncoding: string | undefined): AssetAnswer {
  const headers: Record<string, string> = {
    'content-type': asset.type,
    'cache-control': asset.cache,
    etag: asset.etag,
    vary: 'accept-encoding',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
  if (asset.type.startsWith('text/html')) headers['content-security-policy'] = PAGE_CSP;
  if (ifNoneMatch === asset.etag) return { status: 304, headers, body: undefined };
  const encoding = pickEncoding(acceptEncoding);
  if (encoding !== 'identity') headers['content-encoding'] = encoding;
  return { status: 200, headers, body: asset[encoding] };
}

/** br, then gzip, else identity; a coding listed with q=0 is refused. */
export function pickEncoding(header: string | undefined): 'br' | 'gzip' | 'identity' {
  if (!header) return 'identity';
  const accepted = new Set<string>();
  for (const part of header.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) === 0) continue;
    if (name) accepted.add(name.trim());
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return 'identity';
}
