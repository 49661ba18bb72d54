import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import type { JSONRPCMessage, JSONRPCRequest, MessageExtraInfo, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { directToolCall } from '../../mcp/dispatch.js';
import { MAX_JSONRPC_BATCH } from '../defaults.js';
import type { HostGuard } from '../host-guard.js';
import type { HttpMetrics, ToolOutcome } from '../metrics.js';
import type { TrafficGate } from '../traffic.js';
import { RpcCode, classify, jsonRpcErrorBody } from './jsonrpc.js';
import type { Session, SessionRegistry } from './session-registry.js';
import { SessionRestorer } from './session-restore.js';
import type { SessionTokens } from './session-token.js';
import { SessionTransport } from './session-transport.js';

// Streamable HTTP at /mcp: POST carries client messages (answered with JSON),
// GET opens the session's SSE stream, DELETE ends the session. The rules follow the
// MCP spec and the SDK's own transport: initialize creates a session and returns
// its Mcp-Session-Id; every later request must carry it (400 without, 404 when
// unknown); a POST with only notifications or responses gets 202.

export interface McpRouteDeps {
  registry: SessionRegistry;
  createMcpServer: () => McpServer;
  guard: HostGuard;
  gate: TrafficGate;
  metrics: HttpMetrics;
  /** With shared session keys: signed session ids, and sessions other replicas made rebuilt on demand. */
  sessionTokens?: SessionTokens;
}

const SESSION_HEADER = 'mcp-session-id';
const JSON_TYPE = 'application/json';
/** The media type itself, not a substring: "application/jsonx" or "text/plain; x=application/json" do not count. */
const JSON_CONTENT = /^\s*application\/json\s*(;|$)/i;

function fail(reply: FastifyReply, status: number, code: number, message: string): FastifyReply {
  return reply.code(status).type(JSON_TYPE).send(jsonRpcErrorBody(code, message));
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** 400 when the client names a protocol version we do not speak; absent means the negotiated one. */
function protocolVersionError(request: FastifyRequest): string | undefined {
  const v = headerValue(request, 'mcp-protocol-version');
  if (v === undefined || SUPPORTED_PROTOCOL_VERSIONS.includes(v)) return undefined;
  return `Bad Request: Unsupported protocol version: ${v} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`;
}

export function registerMcpRoutes(app: FastifyInstance, deps: McpRouteDeps): void {
  const { registry, guard, gate, metrics } = deps;
  let restorer: SessionRestorer | undefined;

  // Callback style (no promise per request); a refused request is answered here and goes no further.
  const guardHook = (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void => {
    const why = guard.refusal(request.headers.host, headerValue(request, 'origin'));
    if (why) fail(reply, 403, RpcCode.ServerError, why);
    else done();
  };

  /**
   * Finds the session a non-initialize request names, or answers the error itself. Synchronous when this
   * process holds the session (the hot path); a promise only when it has to be rebuilt from its signed id.
   */
  const sessionFor = (request: FastifyRequest, reply: FastifyReply): Session | undefined | Promise<Session | undefined> => {
    const id = headerValue(request, SESSION_HEADER);
    if (id === undefined) {
      fail(reply, 400, RpcCode.ServerError, 'Bad Request: Mcp-Session-Id header is required');
      return undefined;
    }
    const versionError = protocolVersionError(request);
    const session = registry.get(id);
    if (session && session.expiresAt !== undefined && Date.now() > session.expiresAt) {
      void registry.close(id, 'expired');
    } else if (session) {
      if (!versionError) return session;
      fail(reply, 400, RpcCode.ServerError, versionError);
      return undefined;
    }
    if (!restorer) {
      fail(reply, 404, RpcCode.SessionNotFound, 'Session not found');
      return undefined;
    }
    return restorer.restore(id).then((restored) => {
      if ('refused' in restored) {
        request.log.debug({ reason: restored.reason }, 'mcp session not restored');
        if (restored.refused === 'full')
          fail(reply, 503, RpcCode.ServerError, 'Service Unavailable: too many active sessions, try again later');
        else fail(reply, 404, RpcCode.SessionNotFound, 'Session not found');
        return undefined;
      }
      if (versionError) {
        fail(reply, 400, RpcCode.ServerError, versionError);
        return undefined;
      }
      return restored.session;
    });
  };

  const openSession = async (id: string, expiresAt?: number): Promise<Session | undefined> => {
    const transport = new SessionTransport(id);
    const server = deps.createMcpServer();
    await server.connect(transport);
    transport.direct = directToolCall(server);
    const session: Session = { id, server, transport, lastUsed: Date.now(), active: 0, ...(expiresAt !== undefined && { expiresAt }) };
    if (registry.add(session)) return session;
    await server.close();
    return undefined;
  };
  if (deps.sessionTokens) {
    // Remember as many deleted ids as sessions can be live, ten times over: a client deletes far fewer than it opens.
    restorer = new SessionRestorer({
      tokens: deps.sessionTokens,
      open: openSession,
      discard: (id) => registry.close(id, 'failed'),
      onRestored: () => metrics.observeSessionRestored(),
      maxRevoked: registry.capacity * 10,
    });
  }

  app.post('/mcp', { onRequest: guardHook }, async (request, reply) => {
    const accept = request.headers.accept;
    if (!accept || !accept.includes(JSON_TYPE) || !accept.includes('text/event-stream')) {
      return fail(reply, 406, RpcCode.ServerError, 'Not Acceptable: Client must accept both application/json and text/event-stream');
    }
    const body = request.body;
    if (!JSON_CONTENT.test(request.headers['content-type'] ?? '') || body === undefined) {
      return fail(reply, 415, RpcCode.ServerError, 'Unsupported Media Type: Content-Type must be application/json');
    }
    const batch = Array.isArray(body);
    const raw: unknown[] = batch ? body : [body];
    if (raw.length === 0 || raw.length > MAX_JSONRPC_BATCH) {
      return fail(reply, 400, RpcCode.InvalidRequest, `Invalid Request: a batch must hold 1 to ${MAX_JSONRPC_BATCH} messages`);
    }

    const messages: JSONRPCMessage[] = [];
    const requests: JSONRPCRequest[] = [];
    let initialize = false;
    for (const value of raw) {
      const c = classify(value);
      if (!c) return fail(reply, 400, RpcCode.ParseError, 'Parse error: Invalid JSON-RPC message');
      messages.push(c.message);
      if (c.kind === 'request') {
        const req = c.message as JSONRPCRequest;
        requests.push(req);
        if (req.method === 'initialize') initialize = true;
      }
    }

    let session: Session | undefined;
    if (initialize) {
      const named = headerValue(request, SESSION_HEADER);
      if (named !== undefined && registry.get(named)) {
        return fail(reply, 400, RpcCode.InvalidRequest, 'Invalid Request: Server already initialized');
      }
      if (messages.length > 1) {
        return fail(reply, 400, RpcCode.InvalidRequest, 'Invalid Request: Only one initialization request is allowed');
      }
      // A draining environment finishes what it has; new sessions belong elsewhere.
      if (gate.draining)
        return fail(reply, 503, RpcCode.ServerError, 'Service Unavailable: this server is shutting down; start the session again');
      const fresh = restorer ? restorer.issue(requests[0]!.params) : { id: randomUUID(), expiresAt: undefined };
      session = await openSession(fresh.id, fresh.expiresAt);
      if (!session) return fail(reply, 503, RpcCode.ServerError, 'Service Unavailable: too many active sessions, try again later');
    } else {
      const found = sessionFor(request, reply);
      session = found instanceof Promise ? await found : found;
      if (!session) return reply;
    }

    const ids: RequestId[] = requests.map((r) => r.id);
    if (ids.length > 0 && (session.transport.hasPending(ids) || (ids.length > 1 && new Set(ids).size !== ids.length))) {
      return fail(reply, 400, RpcCode.InvalidRequest, 'Invalid Request: a request id is already in use in this session');
    }
    session.lastUsed = Date.now();
    const extra: MessageExtraInfo = { requestInfo: { headers: request.headers } };

    if (ids.length === 0) {
      session.transport.dispatch(messages, ids, undefined, extra);
      return reply.code(202).send();
    }

    const live = session;
    live.active++;
    const started = process.hrtime.bigint();
    live.transport.dispatch(
      messages,
      ids,
      {
        deliver(json, answers) {
          live.active--;
          live.lastUsed = Date.now();
          reply.code(200).header(SESSION_HEADER, live.id).type(JSON_TYPE).send(json);
          countToolCalls(metrics, requests, answers, started);
          // An initialize the server refused leaves no session behind.
          if (initialize && answers[0] && 'error' in answers[0]) void registry.close(live.id, 'failed');
        },
      },
      extra,
    );
    return reply;
  });

  // No automatic HEAD twin: it would run this handler and open a stream.
  app.get('/mcp', { onRequest: guardHook, exposeHeadRoute: false }, async (request, reply) => {
    if (!request.headers.accept?.includes('text/event-stream')) {
      return fail(reply, 406, RpcCode.ServerError, 'Not Acceptable: Client must accept text/event-stream');
    }
    const found = sessionFor(request, reply);
    const session = found instanceof Promise ? await found : found;
    if (!session) return reply;
    if (session.transport.hasEventStream) {
      return fail(reply, 409, RpcCode.ServerError, 'Conflict: Only one SSE stream is allowed per session');
    }
    // The stream lives as long as the session, so it does not count as in flight for draining.
    reply.hijack();
    const res = reply.raw;
    gate.release(res);
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      [SESSION_HEADER]: session.id,
    });
    res.flushHeaders();
    // A hijacked reply skips fastify's onResponse hook: count the stream's opening here.
    metrics.observeRequest('GET', '/mcp', 200, reply.elapsedTime / 1000);
    session.transport.attachEventStream(res);
    session.lastUsed = Date.now();
    res.once('close', () => {
      session.lastUsed = Date.now();
    });
    return reply;
  });

  app.route({
    method: ['PUT', 'PATCH'],
    url: '/mcp',
    handler: async (_request, reply) => fail(reply.header('allow', 'GET, POST, DELETE'), 405, RpcCode.ServerError, 'Method not allowed.'),
  });

  app.delete('/mcp', { onRequest: guardHook }, async (request, reply) => {
    const id = headerValue(request, SESSION_HEADER);
    // Ending a session this replica does not hold needs no rebuilding: its id is refused here from now on.
    if (restorer && id !== undefined && !registry.get(id) && !protocolVersionError(request)) {
      return restorer.revoke(id) ? reply.code(200).send() : fail(reply, 404, RpcCode.SessionNotFound, 'Session not found');
    }
    const found = sessionFor(request, reply);
    const session = found instanceof Promise ? await found : found;
    if (!session) return reply;
    await registry.close(session.id, 'deleted');
    restorer?.revoke(session.id);
    return reply.code(200).send();
  });
}

function countToolCalls(
  metrics: HttpMetrics,
  requests: readonly JSONRPCRequest[],
  answers: readonly JSONRPCMessage[],
  started: bigint,
): void {
  let seconds: number | undefined;
  for (let i = 0; i < requests.length; i++) {
    const req = requests[i]!;
    if (req.method !== 'tools/call') continue;
    const answer = answers[i];
    const name = typeof req.params?.name === 'string' ? req.params.name : 'other';
    let outcome: ToolOutcome = 'ok';
    if (!answer || 'error' in answer) outcome = 'protocol_error';
    else if ('result' in answer && (answer.result as { isError?: unknown }).isError === true) outcome = 'tool_error';
    seconds ??= Number(process.hrtime.bigint() - started) / 1e9;
    metrics.observeToolCall(name, outcome, seconds);
  }
}
