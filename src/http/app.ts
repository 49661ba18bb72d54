import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { fastify, LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Logger } from 'pino';
import type { HttpAppContext } from './app-context.js';
import {
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_MAX_SESSIONS,
  DEFAULT_SESSION_IDLE_TTL_MS,
  DEFAULT_SESSION_MAX_AGE_MS,
  SESSION_SWEEP_INTERVAL_MS,
} from './defaults.js';
import { registerHealthRoutes } from './health.js';
import { HostGuard } from './host-guard.js';
import { createLogger } from './logger.js';
import { HttpMetrics } from './metrics.js';
import { createMcpHandler, isMcpPath } from './mcp/route.js';
import { SessionRegistry } from './mcp/session-registry.js';
import { SessionTokens } from './mcp/session-token.js';
import type { ToolCaller } from './rest/endpoints.js';
import { registerRestRoutes } from './rest/routes.js';
import { registerStaticPages } from './static-pages.js';
import { registerJsonCompression } from './json-compression.js';
import { describeSchemaErrors } from './rest/schema-errors.js';
import { TrafficGate } from './traffic.js';

export interface HttpAppOptions {
  ctx: HttpAppContext;
  /** Makes the protocol server of one MCP session. */
  createMcpServer: () => McpServer;
  /** The tools the REST API calls in-process, and their names (metrics labels); default: none. */
  tools?: { names: readonly string[]; call: ToolCaller };
  allowedHosts: readonly string[];
  allowedOrigins: readonly string[];
  bodyLimitBytes?: number;
  sessionIdleTtlMs?: number;
  maxSessions?: number;
  /** Keys every replica shares (the first signs): session ids become signed tokens any replica can serve. */
  sessionKeys?: readonly Buffer[];
  /** With sessionKeys: how long a session id stays valid after initialize. */
  sessionMaxAgeMs?: number;
  logger?: Logger;
}

/** The pieces of one environment's HTTP surface, before it listens. */
export interface HttpApp {
  app: FastifyInstance;
  gate: TrafficGate;
  registry: SessionRegistry;
  metrics: HttpMetrics;
  guard: HostGuard;
  logger: Logger;
  /** Stops the idle-session sweep. */
  dispose(): Promise<void>;
}

const NO_TOOLS = {
  names: [] as readonly string[],
  call: (name: string) => ({ ok: false as const, message: `no tool named ${name} in this server` }),
};

export async function buildHttpApp(opts: HttpAppOptions): Promise<HttpApp> {
  const logger = opts.logger ?? createLogger();
  // Under session churn evictions come by the thousand: one warning a minute says it is happening.
  let evictions = 0;
  let lastWarned = 0;
  const warnEvictions = (): void => {
    evictions++;
    const now = Date.now();
    if (now - lastWarned < 60_000) return;
    logger.warn(
      { evicted: evictions, max_sessions: opts.maxSessions ?? DEFAULT_MAX_SESSIONS },
      'session cap reached: closing least recently used idle sessions',
    );
    lastWarned = now;
    evictions = 0;
  };
  const bodyLimit = opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const gate = new TrafficGate();
  const registry = new SessionRegistry({
    idleTtlMs: opts.sessionIdleTtlMs ?? DEFAULT_SESSION_IDLE_TTL_MS,
    maxSessions: opts.maxSessions ?? DEFAULT_MAX_SESSIONS,
    onClosed: (session, reason) => {
      if (reason === 'evicted') warnEvictions();
      else if (reason === 'expired') logger.debug({ session: session.id }, 'mcp session expired');
    },
  });
  const metrics = new HttpMetrics({ inFlight: () => gate.inFlight, sessions: () => registry.size, draining: () => gate.draining });
  const guard = new HostGuard({ allowedHosts: opts.allowedHosts, allowedOrigins: opts.allowedOrigins });
  const tools = opts.tools ?? NO_TOOLS;
  metrics.setKnownTools(tools.names);

  const sessionTokens =
    opts.sessionKeys && opts.sessionKeys.length > 0
      ? new SessionTokens(opts.sessionKeys, {
          serverVersion: opts.ctx.version,
          maxAgeMs: opts.sessionMaxAgeMs ?? DEFAULT_SESSION_MAX_AGE_MS,
        })
      : undefined;
  const mcp = createMcpHandler({
    registry,
    createMcpServer: opts.createMcpServer,
    guard,
    gate,
    metrics,
    bodyLimit,
    logger,
    ...(sessionTokens && { sessionTokens }),
  });
  const app = fastify({
    // /mcp is the per-call hot path: it runs on plain node:http (mcp/route.ts) before fastify's routing,
    // hooks and parsers; fastify serves everything else.
    serverFactory: (handler, options) => {
      const server = createServer((req: IncomingMessage, res: ServerResponse) => (isMcpPath(req.url) ? mcp(req, res) : handler(req, res)));
      // What fastify sets on a server it makes itself (keep-alive 72 s: node's 5 s races clients that reuse a connection).
      const o = options as { keepAliveTimeout?: number; requestTimeout?: number; connectionTimeout?: number };
      server.keepAliveTimeout = o.keepAliveTimeout ?? 72_000;
      server.requestTimeout = o.requestTimeout ?? 0;
      server.setTimeout(o.connectionTimeout ?? 0);
      return server;
    },
    loggerInstance: logger as unknown as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
    schemaErrorFormatter: describeSchemaErrors,
  });

  app.addHook('onRequest', (_request, reply, done) => {
    gate.track(reply.raw);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  app.setErrorHandler((error: FastifyError, request, reply) => sendError(error, request, reply, bodyLimit, logger));

  registerHealthRoutes(app, { ctx: opts.ctx, gate, sessions: () => registry.size, metrics });
  registerRestRoutes(app, { ctx: opts.ctx, callTool: tools.call }, guard);
  registerStaticPages(app, logger);
  registerJsonCompression(app);

  const sweep = setInterval(
    () => registry.sweep(Date.now()),
    Math.min(SESSION_SWEEP_INTERVAL_MS, opts.sessionIdleTtlMs ?? SESSION_SWEEP_INTERVAL_MS),
  );
  sweep.unref();

  return {
    app,
    gate,
    registry,
    metrics,
    guard,
    logger,
    async dispose() {
      clearInterval(sweep);
    },
  };
}

/** Errors raised by fastify itself (body too large, bad JSON, wrong media type, schema) in the REST API's shape. */
function sendError(error: FastifyError, request: FastifyRequest, reply: FastifyReply, bodyLimit: number, logger: Logger): FastifyReply {
  const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
  if (status >= 500) logger.error({ err: error, url: request.url }, 'request failed');
  const message = status >= 500 ? 'Internal Server Error' : describe(error, status, bodyLimit);
  return reply.code(status).send({ error: reasonPhrase(status), message, statusCode: status });
}

function describe(error: FastifyError, status: number, bodyLimit: number): string {
  if (status === 413) return `Payload Too Large: request body must not exceed ${bodyLimit} bytes`;
  if (status === 415) return 'Unsupported Media Type: Content-Type must be application/json';
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return `Parse error: Invalid JSON (${error.message})`;
  }
  return error.message;
}

function reasonPhrase(status: number): string {
  switch (status) {
    case 400:
      return 'Bad Request';
    case 404:
      return 'Not Found';
    case 413:
      return 'Payload Too Large';
    case 415:
      return 'Unsupported Media Type';
    case 503:
      return 'Service Unavailable';
    default:
      return status >= 500 ? 'Internal Server Error' : 'Error';
  }
}
