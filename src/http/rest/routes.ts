import type { FastifyInstance } from 'fastify';
import { buildOpenApi } from './openapi.js';
import { endpoints } from './endpoints.js';
import type { RestDeps } from './endpoints.js';

/** Mounts the REST API (validated by the schemas in schemas.ts) and its OpenAPI document. */
export function registerRestRoutes(app: FastifyInstance, deps: RestDeps): void {
  for (const endpoint of endpoints) {
    app.route({
      method: endpoint.method,
      url: endpoint.url,
      schema: { ...(endpoint.query ? { querystring: endpoint.query } : {}), ...(endpoint.body ? { body: endpoint.body } : {}) },
      handler: async (request, reply) => {
        const input = (endpoint.method === 'GET' ? request.query : request.body) as Record<string, unknown> | unknown[];
        const result = await endpoint.handle(input ?? {}, deps);
        return reply.code(result.status).send(result.body);
      },
    });
  }
  const document = buildOpenApi(deps.ctx.version);
  app.get('/openapi.json', async () => document);
}
