import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { envDuration } from '../../duration.js';
import {
  DefaultBodyLimitBytes,
  DefaultDir,
  DefaultHeaderTimeoutMs,
  DefaultHost,
  DefaultKeepAliveTimeoutMs,
  DefaultMaxRetries,
  DefaultPublicPort,
  DefaultRequestTimeoutMs,
  DefaultRouterStopGraceMs,
  DefaultUpstreamTimeoutMs,
  RouterSocketName,
  envNumber,
} from '../defaults.js';
import { socketPathIn } from '../unix-rpc.js';
import { listenControl } from './control.js';
import { Router } from './router.js';
import type { RouterLimits } from './router.js';
import { readRoutes } from './routes-file.js';

export interface RouterOptions {
  dir?: string;
  host?: string;
  port?: number;
  /** Started by a controller (which stops it with `start`'s Ctrl-C and `shutdown`). */
  managed?: boolean;
  logger?: Logger;
}

export interface RouterSettings {
  dir: string;
  host: string;
  port: number;
  managed: boolean;
  limits: RouterLimits;
  stopGraceMs: number;
}

/** Flags win over environment variables (ROUTER_HOST, ROUTER_PORT, ROUTER_*), which win over the named defaults. */
export function routerSettings(o: RouterOptions): RouterSettings {
  return {
    dir: resolve(o.dir ?? process.env.DEPLOY_DIR ?? DefaultDir),
    host: o.host ?? process.env.ROUTER_HOST ?? DefaultHost,
    port: o.port ?? envNumber('ROUTER_PORT', DefaultPublicPort),
    managed: o.managed === true,
    limits: {
      bodyLimitBytes: envNumber('ROUTER_BODY_LIMIT', DefaultBodyLimitBytes),
      headerTimeoutMs: envDuration('ROUTER_HEADER_TIMEOUT', DefaultHeaderTimeoutMs),
      requestTimeoutMs: envDuration('ROUTER_REQUEST_TIMEOUT', DefaultRequestTimeoutMs),
      upstreamTimeoutMs: envDuration('ROUTER_UPSTREAM_TIMEOUT', DefaultUpstreamTimeoutMs),
      keepAliveTimeoutMs: envDuration('ROUTER_KEEPALIVE_TIMEOUT', DefaultKeepAliveTimeoutMs),
      maxRetries: DefaultMaxRetries,
    },
    stopGraceMs: envDuration('ROUTER_STOP_GRACE', DefaultRouterStopGraceMs),
  };
}

/**
 * The router process: serves the last route table it was given (D/routes.json) from its first
 * moment, takes new ones from the controller on D/router.sock, and keeps serving whatever
 * happens to the controller. SIGTERM, SIGINT or the `stop` operation: stop taking connections,
 * finish what is in flight (up to ROUTER_STOP_GRACE), exit.
 */
export async function startRouter(o: RouterOptions): Promise<{ router: Router; stopped: Promise<void> }> {
  const s = routerSettings(o);
  const logger =
    o.logger ?? pino({ name: 'llm-pricing-mcp-router', level: process.env.LOG_LEVEL ?? 'info' }, pino.destination({ dest: 2, sync: true }));
  mkdirSync(s.dir, { recursive: true, mode: 0o700 });
  const socketPath = socketPathIn(s.dir, RouterSocketName);
  const router = new Router(s.limits);
  const saved = readRoutes(s.dir);
  if (saved !== null) router.apply(saved);
  let stop!: () => void;
  const stopping = new Promise<void>((r) => (stop = r));
  const control = await listenControl(router, {
    dir: s.dir,
    socketPath,
    host: s.host,
    managed: s.managed,
    startedAt: new Date(),
    logger,
    onStop: stop,
  });
  try {
    await router.listen(s.host, s.port);
  } catch (err) {
    control.close();
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'EADDRINUSE'
        ? `port ${s.port} on ${s.host} is already in use`
        : `cannot listen on ${s.host}:${s.port}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  logger.info(
    { pid: process.pid, host: s.host, port: router.port, dir: s.dir, active: router.table.active, generation: router.table.generation },
    'router ready',
  );
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const stopped = stopping.then(async () => {
    logger.info({ in_flight: router.status().colours }, 'router stopping');
    control.close();
    await router.close(s.stopGraceMs);
    logger.info('router stopped');
  });
  return { router, stopped };
}
