import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

// The web pages (the calculator at /), built by web/build.mjs into dist/web with a
// manifest. Every file is read once at start and served from memory, already
// compressed: one exact route per file, so no request path ever reaches the disk.

/** dist/web, from this file in src/http or dist/http. */
export const WEB_ROOT = fileURLToPath(new URL('../../dist/web/', import.meta.url));

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
  path: string;
  file: string;
  type: string;
  cache: string;
  etag: string;
}

interface Asset {
  type: string;
  cache: string;
  etag: string;
  identity: Buffer;
  gzip: Buffer;
  br: Buffer;
}

/** Mounts every built page and asset; without a build (`npm run build`) it logs why there is no page and mounts nothing. */
export function registerStaticPages(app: FastifyInstance, logger: Logger, root: string = WEB_ROOT): void {
  const manifestPath = join(root, 'manifest.json');
  if (!existsSync(manifestPath)) {
    logger.warn({ dir: root }, 'web pages not built (npm run build makes them); / is not served');
    return;
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: ManifestFile[] };
  for (const f of manifest.files) {
    const file = join(root, f.file);
    const asset: Asset = {
      type: f.type,
      cache: f.cache,
      etag: f.etag,
      identity: readFileSync(file),
      gzip: readFileSync(`${file}.gz`),
      br: readFileSync(`${file}.br`),
    };
    app.get(f.path, (request, reply) => sendAsset(request, reply, asset));
  }
}

function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: Asset): FastifyReply {
  reply
    .header('content-type', asset.type)
    .header('cache-control', asset.cache)
    .header('etag', asset.etag)
    .header('vary', 'accept-encoding')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer');
  if (asset.type.startsWith('text/html')) reply.header('content-security-policy', PAGE_CSP);
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  const encoding = pickEncoding(request.headers['accept-encoding']);
  if (encoding !== 'identity') reply.header('content-encoding', encoding);
  return reply.send(asset[encoding]);
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
