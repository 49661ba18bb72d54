import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import type { JSONRPCMessage, JSONRPCRequest, MessageExtraInfo, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import { RpcCode, directToolCall, errorBody, invalidMessageReason } from '../../mcp/index.js';
import { MAX_JSONRPC_BATCH } from '../defaults.js';
import type { HostGuard } from '../host-guard.js';
import type { HttpMetrics, ToolOutcome } from '../metrics.js';
import type { TrafficGate } from '../traffic.js';
import { readJsonBody } from './body.js';
import { classify } from './jsonrpc.js';
import type { Session, SessionRegistry } from './session-registry.js';
import { SessionRestorer } from './session-restore.js';
import type { SessionTokens } from './session-token.js';
import { SessionTransport } from './session-transport.js';

// Streamable HTTP at /mcp: POST carries client messages (answered with JSON),
// GET opens the session's SSE stream, DELETE ends the session. The rules follow the
// MCP spec and the SDK's own transport: initialize creates a session and returns
// its Mcp-Session-Id; every later request must carry it (400 without, 404 when
// unknown); a POST with only notifications or responses gets 202.
//
// This is the per-call hot path, so it runs on plain node:http (app.ts hands it
// every /mcp request before fastify sees it) with the same guards fastify's
// route had: Host/Origin, body limit, drain (TrafficGate), metrics.

export interface McpRouteDeps {
  registry: SessionRegistry;
  createMcpServer: () => McpServer;
  guard: HostGuard;
  gate: TrafficGate;
  metrics: HttpMetrics;
  bodyLimit: number;
  logger: Logger;
  /** With shared session keys: signed session ids, and sessions other replicas made rebuilt on demand. */
  sessionTokens?: SessionTokens;
}

const SESSION_HEADER = 'mcp-session-id';
const JSON_TYPE = 'application/json';
/** The media type itself, not a substring: "application/jsonx" or "text/plain; x=application/json" do not count. */
const JSON_CONTENT = /^\s*application\/json\s*(;|$)/i;
const ROUTE = '/mcp';

/** The path is /mcp (with or without a query string): the requests handleMcp serves. */
export function isMcpPath(url: string | undefined): boolean {
  return url !== undefined && url.startsWith(ROUTE) && (url.length === ROUTE.length || url.charCodeAt(ROUTE.length) === 63); /* ? */
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** 400 when the client names a protocol version we do not speak; absent means the negotiated one. */
function protocolVersionError(request: IncomingMessage): string | undefined {
  const v = headerValue(request, 'mcp-protocol-version');
  if (v === undefined || SUPPORTED_PROTOCOL_VERSIONS.includes(v)) return undefined;
  return `Bad Request: Unsupported protocol version: ${v} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`;
}

/** Makes the handler of every request to /mcp. */
export function createMcpHandler(deps: McpRouteDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { registry, guard, gate, metrics } = deps;

  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    started: number,
    status: number,
    headers: Record<string, string>,
    body = '',
  ): void => {
    if (res.headersSent || res.destroyed) return;
    // writeHead makes the header at once, so the length must be in it (else node chunks the body).
    headers['content-length'] = String(Buffer.byteLength(body));
    res.writeHead(status, headers);
    res.end(body);
    metrics.observeRequest(req.method ?? 'OTHER', ROUTE, status, (performance.now() - started) / 1000);
  };
  const fail = (req: IncomingMessage, res: ServerResponse, started: number, status: number, code: number, message: string): void =>
    send(req, res, started, status, { 'content-type': JSON_TYPE }, errorBody(code, message));

  let restorer: SessionRestorer | undefined;

  /**
   * Finds the session a non-initialize request names, or answers the error itself. Synchronous when this
   * process holds the session (the hot path); a promise only when it has to be rebuilt from its signed id.
   */
  const sessionFor = (req: IncomingMessage, res: ServerResponse, started: number): Session | undefined | Promise<Session | undefined> => {
    const id = headerValue(req, SESSION_HEADER);
    if (id === undefined) {
      fail(req, res, started, 400, RpcCode.ServerError, 'Bad Request: Mcp-Session-Id header is required');
      return undefined;
    }
    const versionError = protocolVersionError(req);
    const session = registry.get(id);
    if (session && session.expiresAt !== undefined && Date.now() > session.expiresAt) {
      void registry.close(id, 'expired');
    } else if (session) {
      if (!versionError) return session;
      fail(req, res, started, 400, RpcCode.ServerError, versionError);
      return undefined;
    }
    if (!restorer) {
      fail(req, res, started, 404, RpcCode.SessionNotFound, 'Session not found');
      return undefined;
    }
    return restorer.restore(id).then((restored) => {
      if ('refused' in restored) {
        deps.logger.debug({ reason: restored.reason }, 'mcp session not restored');
        if (restored.refused === 'full')
          fail(req, res, started, 503, RpcCode.ServerError, 'Service Unavailable: too many active sessions, try again later');
        else fail(req, res, started, 404, RpcCode.SessionNotFound, 'Session not found');
        return undefined;
      }
      if (versionError) {
        fail(req, res, started, 400, RpcCode.ServerError, versionError);
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

  const post = (req: IncomingMessage, res: ServerResponse, started: number): void => {
    const accept = req.headers.accept;
    if (!accept || !accept.includes(JSON_TYPE) || !accept.includes('text/event-stream')) {
      req.resume();
      return fail(
        req,
        res,
        started,
        406,
        RpcCode.ServerError,
        'Not Acceptable: Client must accept both application/json and text/event-stream',
      );
    }
    if (!JSON_CONTENT.test(req.headers['content-type'] ?? '')) {
      req.resume();
      return fail(req, res, started, 415, RpcCode.ServerError, 'Unsupported Media Type: Content-Type must be application/json');
    }
    readJsonBody(req, deps.bodyLimit, (err, body) => {
      if (err) {
        if (err.status === 413) res.setHeader('connection', 'close'); // the rest of the body is not read
        return fail(req, res, started, err.status, err.status === 413 ? RpcCode.ServerError : RpcCode.ParseError, err.message);
      }
      handleMessages(req, res, started, body).catch((e: unknown) => {
        deps.logger.error({ err: e, url: req.url }, 'request failed');
        fail(req, res, started, 500, RpcCode.InternalError, 'Internal Server Error');
      });
    });
  };

  const handleMessages = async (req: IncomingMessage, res: ServerResponse, started: number, body: unknown): Promise<void> => {
    const batch = Array.isArray(body);
    const raw: unknown[] = batch ? body : [body];
    if (raw.length === 0 || raw.length > MAX_JSONRPC_BATCH) {
      return fail(req, res, started, 400, RpcCode.InvalidRequest, `Invalid Request: a batch must hold 1 to ${MAX_JSONRPC_BATCH} messages`);
    }

    const messages: JSONRPCMessage[] = [];
    const requests: JSONRPCRequest[] = [];
    let initialize = false;
    for (const value of raw) {
      const c = classify(value);
      if (!c) {
        const where = batch ? ` (message ${messages.length + 1} of the batch)` : '';
        return fail(req, res, started, 400, RpcCode.InvalidRequest, `Invalid Request: ${invalidMessageReason(value)}${where}`);
      }
      messages.push(c.message);
      if (c.kind === 'request') {
        const request = c.message as JSONRPCRequest;
        requests.push(request);
        if (request.method === 'initialize') initialize = true;
      }
    }

    let session: Session | undefined;
    if (initialize) {
      const named = headerValue(req, SESSION_HEADER);
      if (named !== undefined && registry.get(named)) {
        return fail(req, res, started, 400, RpcCode.InvalidRequest, 'Invalid Request: Server already initialized');
      }
      if (messages.length > 1) {
        return fail(req, res, started, 400, RpcCode.InvalidRequest, 'Invalid Request: Only one initialization request is allowed');
      }
      // A draining environment finishes what it has; new sessions belong elsewhere.
      if (gate.draining) {
        return fail(
          req,
          res,
          started,
          503,
          RpcCode.ServerError,
          'Service Unavailable: this server is shutting down; start the session again',
        );
      }
      const fresh = restorer ? restorer.issue(requests[0]!.params) : { id: randomUUID(), expiresAt: undefined };
      session = await openSession(fresh.id, fresh.expiresAt);
      if (!session)
        return fail(req, res, started, 503, RpcCode.ServerError, 'Service Unavailable: too many active sessions, try again later');
    } else {
      const found = sessionFor(req, res, started);
      session = found instanceof Promise ? await found : found;
      if (!session) return;
    }

    const ids: RequestId[] = requests.map((r) => r.id);
    if (ids.length > 0 && (session.transport.hasPending(ids) || (ids.length > 1 && new Set(ids).size !== ids.length))) {
      return fail(req, res, started, 400, RpcCode.InvalidRequest, 'Invalid Request: a request id is already in use in this session');
    }
    session.lastUsed = Date.now();
    const extra: MessageExtraInfo = { requestInfo: { headers: req.headers } };

    if (ids.length === 0) {
      session.transport.dispatch(messages, ids, undefined, extra);
      return send(req, res, started, 202, {});
    }

    const live = session;
    live.active++;
    live.transport.dispatch(
      messages,
      ids,
      {
        deliver(json, answers) {
          live.active--;
          live.lastUsed = Date.now();
          send(req, res, started, 200, { 'content-type': JSON_TYPE, [SESSION_HEADER]: live.id }, json);
          countToolCalls(metrics, requests, answers, started);
          // An initialize the server refused leaves no session behind.
          if (initialize && answers[0] && 'error' in answers[0]) void registry.close(live.id, 'failed');
        },
      },
      extra,
    );
  };

  const get = async (req: IncomingMessage, res: ServerResponse, started: number): Promise<void> => {
    if (!req.headers.accept?.includes('text/event-stream')) {
      return fail(req, res, started, 406, RpcCode.ServerError, 'Not Acceptable: Client must accept text/event-stream');
    }
    const found = sessionFor(req, res, started);
    const session = found instanceof Promise ? await found : found;
    if (!session) return;
    if (session.transport.hasEventStream) {
      return fail(req, res, started, 409, RpcCode.ServerError, 'Conflict: Only one SSE stream is allowed per session');
    }
    // The stream lives as long as the session, so it does not count as in flight for draining.
    gate.release(res);
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      [SESSION_HEADER]: session.id,
    });
    res.flushHeaders();
    metrics.observeRequest('GET', ROUTE, 200, (performance.now() - started) / 1000);
    session.transport.attachEventStream(res);
    session.lastUsed = Date.now();
    res.once('close', () => {
      session.lastUsed = Date.now();
    });
  };

  const del = async (req: IncomingMessage, res: ServerResponse, started: number): Promise<void> => {
    const id = headerValue(req, SESSION_HEADER);
    // Ending a session this replica does not hold needs no rebuilding: its id is refused here from now on.
    if (restorer && id !== undefined && !registry.get(id) && !protocolVersionError(req)) {
      if (restorer.revoke(id)) send(req, res, started, 200, {});
      else fail(req, res, started, 404, RpcCode.SessionNotFound, 'Session not found');
      return;
    }
    const found = sessionFor(req, res, started);
    const session = found instanceof Promise ? await found : found;
    if (!session) return;
    await registry.close(session.id, 'deleted');
    restorer?.revoke(session.id);
    send(req, res, started, 200, {});
  };

  const failed =
    (req: IncomingMessage, res: ServerResponse, started: number) =>
    (e: unknown): void => {
      deps.logger.error({ err: e, url: req.url }, 'request failed');
      fail(req, res, started, 500, RpcCode.InternalError, 'Internal Server Error');
    };

  return (req, res) => {
    const started = performance.now();
    gate.track(res);
    const why = guard.refusal(req.headers.host, headerValue(req, 'origin'));
    if (why) {
      req.resume();
      return fail(req, res, started, 403, RpcCode.ServerError, why);
    }
    switch (req.method) {
      case 'POST':
        return post(req, res, started);
      case 'GET':
        req.resume();
        get(req, res, started).catch(failed(req, res, started));
        return;
      case 'DELETE':
        req.resume();
        del(req, res, started).catch(failed(req, res, started));
        return;
      default:
        req.resume();
        res.setHeader('allow', 'GET, POST, DELETE');
        return fail(req, res, started, 405, RpcCode.ServerError, 'Method not allowed.');
    }
  };
}

function countToolCalls(
  metrics: HttpMetrics,
  requests: readonly JSONRPCRequest[],
  answers: readonly JSONRPCMessage[],
  started: number,
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
    seconds ??= (performance.now() - started) / 1000;
    metrics.observeToolCall(name, outcome, seconds);
  }
}
