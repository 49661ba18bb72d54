import { resolve } from 'node:path';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { Controller } from './controller.js';
import { DefaultBluePort, DefaultDir, DefaultGreenPort, DefaultHost, DefaultPublicPort, envNumber } from './defaults.js';
import { exposure, splitList } from './exposure.js';
import type { Exposure, ExposureSettings } from './exposure.js';

export interface DaemonOptions {
  dir?: string;
  host?: string;
  port?: number;
  bluePort?: number;
  greenPort?: number;
  publicUrl?: string;
  allowedHosts?: string[];
  allowedOrigins?: string[];
  logger?: Logger;
}

export interface DaemonSettings {
  dir: string;
  host: string;
  port: number;
  bluePort: number;
  greenPort: number;
  /** The names clients use, as configured (the controller adds the router's real address). */
  names: Omit<ExposureSettings, 'host' | 'port'>;
  /** What they amount to for a router at host:port. */
  exposure: Exposure;
  previewToken: string | undefined;
  adminToken: string | undefined;
}

const env = (name: string): string | undefined => {
  const v = process.env[name]?.trim();
  return v ? v : undefined;
};

/**
 * Flags win over environment variables (DEPLOY_DIR, ROUTER_HOST, ROUTER_PORT, BLUE_PORT, GREEN_PORT,
 * DEPLOY_PUBLIC_URL, DEPLOY_ALLOWED_HOSTS, DEPLOY_ALLOWED_ORIGINS), which win over defaults. The
 * tokens come from the environment only (DEPLOY_PREVIEW_TOKEN, DEPLOY_ADMIN_TOKEN): a command line is
 * visible to every user of the machine.
 */
export function daemonSettings(o: DaemonOptions): DaemonSettings {
  const host = o.host ?? env('ROUTER_HOST') ?? DefaultHost;
  const port = o.port ?? envNumber('ROUTER_PORT', DefaultPublicPort);
  const publicUrl = o.publicUrl ?? env('DEPLOY_PUBLIC_URL');
  const names = {
    ...(publicUrl !== undefined && { publicUrl }),
    allowedHosts: o.allowedHosts ?? splitList(env('DEPLOY_ALLOWED_HOSTS')),
    allowedOrigins: o.allowedOrigins ?? splitList(env('DEPLOY_ALLOWED_ORIGINS')),
  };
  return {
    dir: resolve(o.dir ?? env('DEPLOY_DIR') ?? DefaultDir),
    host,
    port,
    bluePort: o.bluePort ?? envNumber('BLUE_PORT', DefaultBluePort),
    greenPort: o.greenPort ?? envNumber('GREEN_PORT', DefaultGreenPort),
    names,
    exposure: exposure({ host, port, ...names }),
    previewToken: env('DEPLOY_PREVIEW_TOKEN'),
    adminToken: env('DEPLOY_ADMIN_TOKEN'),
  };
}

/**
 * Runs the controller in the foreground. On SIGTERM or SIGINT it `detach`es (the default: the
 * router and the environments keep serving and the next controller adopts them) or, for `start`,
 * stops everything. The `shutdown` verb always stops everything. JSON logs go to stderr.
 */
export async function startDaemon(
  o: DaemonOptions & { onSignal?: 'detach' | 'shutdown' },
): Promise<{ controller: Controller; settings: DaemonSettings; stopped: Promise<'detached' | 'stopped'> }> {
  const s = daemonSettings(o);
  if (s.port !== 0 && (s.port === s.bluePort || s.port === s.greenPort || s.bluePort === s.greenPort)) {
    throw new Error(`the router, blue and green ports must differ, got ${s.port}, ${s.bluePort}, ${s.greenPort}`);
  }
  const logger =
    o.logger ??
    pino({ name: 'llm-pricing-mcp-controller', level: process.env.LOG_LEVEL ?? 'info' }, pino.destination({ dest: 2, sync: true }));
  const controller = new Controller({ ...s, exposure: s.names, previewToken: s.previewToken, adminToken: s.adminToken, logger });
  await controller.start();
  logger.info({ url: controller.publicUrl, dir: s.dir, router: controller.router.hello?.pid }, 'controller ready');
  const stopped = new Promise<'detached' | 'stopped'>((resolveStopped) => {
    let stopping = false;
    const stop = (how: 'detach' | 'shutdown', why: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ why, how }, how === 'detach' ? 'controller stopping; the router and environments keep serving' : 'stopping everything');
      (how === 'detach' ? controller.detach() : controller.shutdown())
        .catch((err: unknown) => logger.error({ err }, 'stop failed'))
        .finally(() => resolveStopped(how === 'detach' ? 'detached' : 'stopped'));
    };
    const onSignal = o.onSignal ?? 'detach';
    process.once('SIGTERM', () => stop(onSignal, 'SIGTERM'));
    process.once('SIGINT', () => stop(onSignal, 'SIGINT'));
    controller.requestShutdown = () => stop('shutdown', 'the shutdown verb');
  });
  return { controller, settings: s, stopped };
}
