import { brotliCompress, constants, gzip } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { pickEncoding } from './web-assets.js';

// The REST answers the web pages load in bulk (a /pricing page of 200 models is ~70 KB of JSON) go compressed
// to clients that ask, which keeps the calculator page within its weight. Only GETs of these paths: /mcp and
// the other routes pass by untouched (one string lookup).

const COMPRESSED_ROUTES = new Set(['/pricing', '/models', '/performance', '/use-cases', '/openapi.json']);
const MIN_BYTES = 1024;

export function registerJsonCompression(app: FastifyInstance): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    const route = request.routeOptions.url;
    if (
      request.method !== 'GET' ||
      route === undefined ||
      !COMPRESSED_ROUTES.has(route) ||
      typeof payload !== 'string' ||
      payload.length < MIN_BYTES
    ) {
      return done(null, payload);
    }
    const encoding = pickEncoding(request.headers['accept-encoding']);
    reply.header('vary', 'accept-encoding');
    if (encoding === 'identity') return done(null, payload);
    const finish = (err: Error | null, body: Buffer): void => {
      if (err) return done(null, payload); // send it plain rather than fail the request
      reply.header('content-encoding', encoding);
      done(null, body);
    };
    // Brotli at quality 5 compresses a /pricing page about as well as gzip -9, at a fraction of quality 11's cost.
    if (encoding === 'br') brotliCompress(payload, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }, finish);
    else gzip(payload, finish);
  });
}
