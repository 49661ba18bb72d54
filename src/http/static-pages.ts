import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { WEB_ROOT, answerAsset, readWebAssets } from './web-assets.js';

// The calculator at / of every environment, from the built pages (web-assets.ts reads them): one exact
// route per file, so no request path ever reaches the disk. The dashboard's files in the same build are
// the controller's to serve (src/deploy/dashboard-api.ts), not an environment's.

export { PAGE_CSP, WEB_ROOT, pickEncoding } from './web-assets.js';

/** Mounts the calculator's page and assets; without a build (`npm run build`) it logs why there is no page and mounts nothing. */
export function registerStaticPages(app: FastifyInstance, logger: Logger, root: string = WEB_ROOT): void {
  const assets = readWebAssets('calculator', root);
  if (assets === null) {
    logger.warn({ dir: root }, 'web pages not built (npm run build makes them); / is not served');
    return;
  }
  for (const [path, asset] of assets) {
    app.get(path, (request, reply) => {
      const a = answerAsset(asset, request.headers['if-none-match'], request.headers['accept-encoding']);
      reply.code(a.status).headers(a.headers);
      return a.body === undefined ? reply.send() : reply.send(a.body);
    });
  }
}
