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
import { RpcCode, jsonRpcErrorBody } from './mcp/jsonrpc.js';
import { registerMcpRoutes } from './mcp/route.js';
import { SessionRegistry } from './mcp/session-registry.js';
import { SessionTokens } from './mcp/session-token.js';
import { registerRestRoutes } from './rest/routes.js';
import { registerStaticPages } from './static-pages.js';
import { registerJsonCompression } from './json-compression.js';
import { describeSchemaErrors } from './rest/schema-errors.js';
import { ToolClient } from './rest/tool-client.js';
import { TrafficGate } from './traffic.js';

export interface HttpAppOptions {
  ctx: HttpAppContext;
  /** Makes the protocol server of one MCP session (and one more for the REST API). */
  createMcpServer: () => McpServer;
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
  tools: ToolClient;
  logger: Logger;
  /** Stops the idle-session sweep and the REST API's in-process client. */
  dispose(): Promise<void>;
}

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
  const tools = await ToolClient.connect(opts.createMcpServer());
  metrics.setKnownTools(tools.names);

  const app = fastify({
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

  const sessionTokens =
    opts.sessionKeys && opts.sessionKeys.length > 0
      ? new SessionTokens(opts.sessionKeys, {
          serverVersion: opts.ctx.version,
          maxAgeMs: opts.sessionMaxAgeMs ?? DEFAULT_SESSION_MAX_AGE_MS,
        })
      : undefined;
  registerMcpRoutes(app, { registry, createMcpServer: opts.createMcpServer, guard, gate, metrics, sessionTokens });
  registerHealthRoutes(app, { ctx: opts.ctx, gate, sessions: () => registry.size, metrics });
  registerRestRoutes(app, { ctx: opts.ctx, tools });
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
    tools,
    logger,
    async dispose() {
      clearInterval(sweep);
      await tools.close();
    },
  };
}

/** Errors raised by fastify itself (body too large, bad JSON, wrong media type, schema) in the shape each route speaks. */
function sendError(error: FastifyError, request: FastifyRequest, reply: FastifyReply, bodyLimit: number, logger: Logger): FastifyReply {
  const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
  if (status >= 500) logger.error({ err: error, url: request.url }, 'request failed');
  const message = status >= 500 ? 'Internal Server Error' : describe(error, status, bodyLimit);
  if (request.routeOptions.url === '/mcp') {
    const code = status === 400 ? RpcCode.ParseError : RpcCode.ServerError;
    return reply.code(status).type('application/json').send(jsonRpcErrorBody(code, message));
  }
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
