import { pino } from 'pino';
import type { Logger } from 'pino';
import { resolve } from 'node:path';
import { Controller } from './controller.js';
import { DefaultBluePort, DefaultDir, DefaultGreenPort, DefaultHost, DefaultPublicPort, envNumber } from './defaults.js';

export interface DaemonOptions {
  dir?: string;
  host?: string;
  port?: number;
  bluePort?: number;
  greenPort?: number;
  logger?: Logger;
}

/** Flags win over environment variables (DEPLOY_DIR, ROUTER_HOST, ROUTER_PORT, BLUE_PORT, GREEN_PORT), which win over defaults. */
export function daemonSettings(o: DaemonOptions): Required<Omit<DaemonOptions, 'logger'>> {
  return {
    dir: resolve(o.dir ?? process.env.DEPLOY_DIR ?? DefaultDir),
    host: o.host ?? process.env.ROUTER_HOST ?? DefaultHost,
    port: o.port ?? envNumber('ROUTER_PORT', DefaultPublicPort),
    bluePort: o.bluePort ?? envNumber('BLUE_PORT', DefaultBluePort),
    greenPort: o.greenPort ?? envNumber('GREEN_PORT', DefaultGreenPort),
  };
}

/**
 * Runs the controller in the foreground until SIGTERM or SIGINT, then stops it gracefully
 * (router closed, colours drained and stopped, state saved). JSON logs go to stderr.
 */
export async function startDaemon(o: DaemonOptions): Promise<{ controller: Controller; stopped: Promise<void> }> {
  const s = daemonSettings(o);
  const ports = [s.port, s.bluePort, s.greenPort];
  if (new Set(ports).size !== 3) throw new Error(`the router, blue and green ports must differ, got ${ports.join(', ')}`);
  const logger = o.logger ?? pino({ name: 'llm-pricing-mcp-controller', level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2));
  const controller = new Controller({ ...s, logger });
  await controller.start();
  logger.info({ url: controller.publicUrl, dir: s.dir, blue: s.bluePort, green: s.greenPort }, 'controller ready');
  const stopped = new Promise<void>((resolveStopped) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping the controller');
      controller
        .shutdown()
        .catch((err: unknown) => logger.error({ err }, 'shutdown failed'))
        .finally(() => resolveStopped());
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return { controller, stopped };
}
