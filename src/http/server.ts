import { TOOL_NAMES, callTool, createContext, createMcpServer, warmUp } from '../mcp/index.js';
import { buildHttpApp } from './app.js';
import { serve } from './environment.js';
import type { RunningHttpServer } from './environment.js';
import { createLogger } from './logger.js';
import { DEFAULT_HEAP_GROWING_PERCENT } from './defaults.js';
import { limitHeapGrowth } from './heap-growth.js';
import type { Logger } from 'pino';

export interface StartHttpServerOptions {
  port: number;
  host: string;
  /** Listen on this Unix socket instead of host:port (behind the deploy router). */
  socketPath?: string;
  telemetryDir?: string;
  drainTimeoutMs: number;
  allowedHosts: string[];
  allowedOrigins: string[];
  /** SIGTERM/SIGINT drain and exit the process (default true); tests turn it off and call close(). */
  installSignalHandlers?: boolean;
  bodyLimitBytes?: number;
  sessionIdleTtlMs?: number;
  maxSessions?: number;
  /** Shared session keys (MCP_SESSION_KEYS): any replica holding them serves any session; see session-token.ts. */
  sessionKeys?: readonly Buffer[];
  sessionMaxAgeMs?: number;
  /** See heap-growth.ts; default DEFAULT_HEAP_GROWING_PERCENT, 0 keeps V8's own. */
  heapGrowingPercent?: number;
}

/** One environment's HTTP surface: /mcp, health, metrics, deployment info and the REST API. */
export async function startHttpServer(opts: StartHttpServerOptions): Promise<RunningHttpServer> {
  const logger = createLogger();
  limitHeapGrowth(opts.heapGrowingPercent ?? DEFAULT_HEAP_GROWING_PERCENT);
  const ctx = await createContext({ telemetryDir: opts.telemetryDir });
  let running: RunningHttpServer;
  try {
    // Before listening: ready means the first calls are as fast as the later ones.
    await warmUp(ctx);
    const http = await buildHttpApp({
      ctx,
      createMcpServer: () => createMcpServer(ctx),
      tools: { names: TOOL_NAMES, call: (name, args) => callTool(ctx, name, args) },
      allowedHosts: opts.allowedHosts,
      allowedOrigins: opts.allowedOrigins,
      bodyLimitBytes: opts.bodyLimitBytes,
      sessionIdleTtlMs: opts.sessionIdleTtlMs,
      maxSessions: opts.maxSessions,
      sessionKeys: opts.sessionKeys,
      sessionMaxAgeMs: opts.sessionMaxAgeMs,
      logger,
    });
    running = await serve(http, {
      port: opts.port,
      host: opts.host,
      socketPath: opts.socketPath,
      drainTimeoutMs: opts.drainTimeoutMs,
      onClosed: () => ctx.telemetry.close(),
    });
  } catch (err) {
    await ctx.telemetry.close().catch(() => undefined);
    throw err;
  }
  logger.info(
    {
      version: ctx.version,
      color: ctx.color ?? null,
      data_as_of: ctx.catalog.data_as_of,
      models: ctx.catalog.models.length,
      shared_sessions: (opts.sessionKeys?.length ?? 0) > 0,
    },
    'ready',
  );
  if (opts.installSignalHandlers !== false) exitOnSignals(running, logger, opts.drainTimeoutMs);
  return running;
}

/** SIGTERM or SIGINT drains and exits 0; a second signal, or a drain that overruns its timeout, exits at once. */
function exitOnSignals(running: RunningHttpServer, logger: Logger, drainTimeoutMs: number): void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    received++;
    if (received > 1) {
      logger.warn({ signal }, 'second signal: exiting without waiting for the drain');
      process.exit(1);
    }
    logger.info({ signal }, 'shutting down');
    // close() cuts what is left at the drain timeout; this only guards against a hang after that.
    setTimeout(() => {
      logger.error('shutdown did not finish after the drain timeout; exiting');
      process.exit(1);
    }, drainTimeoutMs + 5000).unref();
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
