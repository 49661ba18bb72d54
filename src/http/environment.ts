import { unlinkSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { HttpApp } from './app.js';

export interface RunningHttpServer {
  url: string;
  port: number;
  /** Drains and stops; the same promise for every caller. */
  close(): Promise<void>;
}

export interface ServeOptions {
  port: number;
  host: string;
  /** A Unix socket path to listen on instead of host:port. */
  socketPath?: string;
  drainTimeoutMs: number;
  /** Runs last in close(), e.g. to flush telemetry. */
  onClosed?: () => Promise<void>;
}

/** Thrown when the port cannot be bound; the message is for the operator, not a stack trace. */
export class ListenError extends Error {
  override name = 'ListenError';
}

/**
 * Listens, marks the environment ready, and returns a close() that drains:
 * readiness goes 503 at once, every response says `Connection: close`, requests in
 * flight finish, then the listener stops, MCP sessions close and telemetry
 * flushes. What is still open when the drain timeout passes is cut.
 */
export async function serve(http: HttpApp, opts: ServeOptions): Promise<RunningHttpServer> {
  const { app, gate, registry, logger } = http;
  try {
    if (opts.socketPath !== undefined) {
      await removeStaleSocket(opts.socketPath);
      await app.listen({ path: opts.socketPath });
    } else await app.listen({ port: opts.port, host: opts.host });
  } catch (err) {
    await http.dispose();
    throw listenError(err, opts);
  }
  // A Unix socket has no port: only the allowed hosts (the router's public names) pass the Host check.
  const port = opts.socketPath !== undefined ? 0 : (app.server.address() as AddressInfo).port;
  http.guard.setPort(port);
  gate.markReady();
  const url =
    opts.socketPath !== undefined ? `unix:${opts.socketPath}` : `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`;
  logger.info({ url, mcp: `${url}/mcp` }, 'listening');

  let closing: Promise<void> | undefined;
  const drain = async (): Promise<void> => {
    const started = Date.now();
    gate.beginDrain();
    logger.info({ in_flight: gate.inFlight, sessions: registry.size, timeout_ms: opts.drainTimeoutMs }, 'draining');
    // Idle keep-alive connections would otherwise carry one more request after the drain began.
    app.server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), opts.drainTimeoutMs);
      timer.unref();
    });
    let outcome = await Promise.race([gate.whenIdle().then(() => 'idle' as const), deadline]);
    // Stop accepting before anything else can arrive (this runs in the same tick as the last response closing).
    app.server.close();
    if (outcome === 'timeout') app.server.closeAllConnections();
    await registry.closeAll();
    const stopped = app.close();
    if (outcome !== 'timeout') outcome = await Promise.race([stopped.then(() => 'idle' as const), deadline]);
    if (outcome === 'timeout') {
      app.server.closeAllConnections();
      await stopped;
    }
    clearTimeout(timer);
    gate.markClosed();
    await http.dispose();
    await opts.onClosed?.();
    logger.info({ ms: Date.now() - started, forced: outcome === 'timeout' }, 'drained');
  };

  return {
    url,
    port,
    close: () => (closing ??= drain()),
  };
}

/** A socket file left by a process that died is removed; one that still answers is someone else's (EADDRINUSE follows). */
function removeStaleSocket(path: string): Promise<void> {
  return new Promise((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve();
    });
    probe.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') {
        try {
          unlinkSync(path);
        } catch {
          // gone meanwhile
        }
      }
      resolve();
    });
  });
}

function listenError(err: unknown, opts: { port: number; host: string; socketPath?: string }): Error {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (opts.socketPath !== undefined) {
    if (code === 'EADDRINUSE') return new ListenError(`the Unix socket ${opts.socketPath} is in use by another server`);
    return new ListenError(`cannot listen on ${opts.socketPath}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (code === 'EADDRINUSE') {
    return new ListenError(
      `port ${opts.port} on ${opts.host} is already in use; stop what is listening there or choose another port (--port or MCP_PORT)`,
    );
  }
  if (code === 'EACCES') return new ListenError(`not permitted to listen on port ${opts.port} on ${opts.host}; choose a port above 1023`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new ListenError(`cannot listen on ${opts.host}: no such local address`);
  return new ListenError(`cannot listen on ${opts.host}:${opts.port}: ${err instanceof Error ? err.message : String(err)}`);
}
