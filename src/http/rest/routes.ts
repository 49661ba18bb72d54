import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HostGuard } from '../host-guard.js';
import { buildOpenApi } from './openapi.js';
import { endpoints } from './endpoints.js';
import type { RestDeps } from './endpoints.js';

/**
 * Mounts the REST API (validated by the schemas in schemas.ts) and its OpenAPI
 * document, behind the same Host/Origin guard as /mcp: a page on a foreign name
 * that resolves to this machine (DNS rebinding) must not read prices or telemetry
 * through the visitor's browser.
 */
export function registerRestRoutes(app: FastifyInstance, deps: RestDeps, guard: HostGuard): void {
  const onRequest = (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void => {
    const origin = request.headers.origin;
    const why = guard.refusal(request.headers.host, Array.isArray(origin) ? origin[0] : origin);
    if (why) void reply.code(403).send({ error: 'Forbidden', message: why, statusCode: 403 });
    else done();
  };
  for (const endpoint of endpoints) {
    app.route({
      method: endpoint.method,
      url: endpoint.url,
      onRequest,
      schema: { ...(endpoint.query ? { querystring: endpoint.query } : {}), ...(endpoint.body ? { body: endpoint.body } : {}) },
      handler: async (request, reply) => {
        const input = (endpoint.method === 'GET' ? request.query : request.body) as Record<string, unknown> | unknown[];
        const result = endpoint.handle(input ?? {}, deps);
        return reply.code(result.status).send(result.body);
      },
    });
  }
  const document = buildOpenApi(deps.ctx.version);
  app.get('/openapi.json', { onRequest }, async () => document);
}
