import type { FastifyInstance } from 'fastify';
import { priceTable, type PriceTable } from '../pricing/price-diff.js';
import { PACKAGE_NAME } from '../version.js';
import type { HttpAppContext } from './app-context.js';
import type { HttpMetrics } from './metrics.js';
import type { TrafficGate } from './traffic.js';

// Probes and facts about this environment, read by the router, the deployer,
// `validate`, Kubernetes and people. Shapes are part of the cross-helper contract.

export interface HealthDeps {
  ctx: HttpAppContext;
  gate: TrafficGate;
  sessions: () => number;
  metrics: HttpMetrics;
}

export function registerHealthRoutes(app: FastifyInstance, deps: HealthDeps): void {
  const { ctx, gate, metrics } = deps;

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/health/live', async () => ({ status: 'ok' }));

  app.get('/health/ready', async (_request, reply) => {
    if (gate.state === 'ready') return { status: 'ready' };
    return reply.code(503).send({ status: gate.draining ? 'draining' : 'starting' });
  });

  app.get('/health/detailed', async () => {
    const mem = process.memoryUsage();
    return {
      status: gate.state === 'ready' ? 'ok' : gate.draining ? 'draining' : 'starting',
      version: ctx.version,
      color: ctx.color ?? null,
      pid: process.pid,
      uptime_s: Math.round((Date.now() - ctx.startedAt.getTime()) / 1000),
      draining: gate.draining,
      in_flight: gate.inFlight,
      sessions: deps.sessions(),
      catalog: {
        loaded: ctx.catalog.models.length > 0,
        models: ctx.catalog.models.length,
        providers: ctx.catalog.providers.length,
        data_as_of: ctx.catalog.data_as_of,
        source: ctx.catalog.source,
      },
      memory: { rss_bytes: mem.rss, heap_used_bytes: mem.heapUsed },
    };
  });

  app.get('/deployment/info', async () => ({
    name: PACKAGE_NAME,
    version: ctx.version,
    color: ctx.color ?? null,
    pid: process.pid,
    started_at: ctx.startedAt.toISOString(),
    data_as_of: ctx.catalog.data_as_of,
    node: process.version,
  }));

  // Every price this environment serves, for a price release's phase 2 (the deployer compares two colours' tables).
  let table: PriceTable | undefined;
  app.get('/deployment/prices', async () => {
    table ??= priceTable(ctx.catalog);
    return { data_as_of: ctx.catalog.data_as_of, source: ctx.catalog.source, models: Object.keys(table).length, prices: table };
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await metrics.render();
    return reply.type(metrics.contentType()).send(text);
  });
}
