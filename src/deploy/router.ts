import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Colour } from './defaults.js';
import {
  DefaultBodyLimitBytes,
  DefaultMaxRetries,
  DefaultRequestTimeoutMs,
  DefaultUpstreamTimeoutMs,
  PreviewHeader,
  RouterMetricsPath,
  RouterStatusPath,
  SessionHeader,
  isColour,
} from './defaults.js';
import { RouterMetrics } from './router-metrics.js';
import { Target } from './target.js';
import type { InFlight } from './target.js';
import { errorBody } from './error-bodies.js';

export interface RouterOptions {
  host: string;
  port: number;
  bluePort: number;
  greenPort: number;
  upstreamHost?: string;
  bodyLimitBytes?: number;
  upstreamTimeoutMs?: number;
  requestTimeoutMs?: number;
  maxRetries?: number;
}

export interface DrainResult {
  ms: number;
  inFlightLeft: number;
  sessionsLeft: number;
  timedOut: boolean;
}

// Hop-by-hop headers: they describe one connection, never forwarded.
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);
// Failures where the upstream cannot have answered: safe to re-send on the active colour.
const smallBodyBytes = 256 * 1024;
const retryableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH']);
// JSON-RPC errors the server made (internal error -32603, server errors -32000..-32099), not client mistakes.
const serverRpcError = /"error":\{"code":-32(?:603|0\d\d)\b/;

/**
 * The public router: proxies every path to the active colour over keep-alive connections,
 * keeps MCP sessions on the colour that created them, lets `X-Deployment-Color` preview the
 * standby colour, and retries connection-level failures on the active colour.
 */
export class Router {
  readonly targets: Record<Colour, Target>;
  readonly metrics: RouterMetrics;
  active: Target | null = null;
  private readonly sessions = new Map<string, Target>();
  private readonly server: http.Server;
  private readonly bodyLimit: number;
  private readonly upstreamTimeoutMs: number;
  private readonly maxRetries: number;
  private sweeper: NodeJS.Timeout | undefined;
  port: number;

  constructor(readonly opts: RouterOptions) {
    const upstreamHost = opts.upstreamHost ?? '127.0.0.1';
    this.targets = { blue: new Target('blue', upstreamHost, opts.bluePort), green: new Target('green', upstreamHost, opts.greenPort) };
    this.metrics = new RouterMetrics(this.targets, () => this.active?.colour ?? null);
    this.bodyLimit = opts.bodyLimitBytes ?? DefaultBodyLimitBytes;
    this.upstreamTimeoutMs = opts.upstreamTimeoutMs ?? DefaultUpstreamTimeoutMs;
    this.maxRetries = opts.maxRetries ?? DefaultMaxRetries;
    this.port = opts.port;
    this.server = http.createServer({ keepAliveTimeout: 5_000, requestTimeout: opts.requestTimeoutMs ?? DefaultRequestTimeoutMs, headersTimeout: 10_000 }, (req, res) =>
      this.handle(req, res),
    );
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', onError);
        const addr = this.server.address();
        if (addr && typeof addr === 'object') this.port = addr.port;
        resolve();
      });
      this.sweeper = setInterval(() => this.sweepTimeouts(), 1000).unref();
    });
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.active = null;
    for (const t of Object.values(this.targets)) t.state = 'stopped'; // ends any drain loop
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    for (const t of Object.values(this.targets)) t.agent.destroy();
  }

  /** Makes `colour` take all new traffic; the old active colour becomes standby. Atomic: one assignment. */
  switchTo(colour: Colour): { from: Colour | null; to: Colour; ms: number } {
    const t0 = performance.now();
    const next = this.targets[colour];
    if (!(next.state === 'ready' || next.state === 'standby' || next.state === 'active' || next.state === 'draining')) {
      throw new Error(`cannot switch to ${colour}: it is ${next.state}`);
    }
    const prev = this.active;
    next.setState('active');
    this.active = next;
    if (prev && prev !== next && prev.state === 'active') prev.setState('standby');
    return { from: prev?.colour ?? null, to: colour, ms: performance.now() - t0 };
  }

  /**
   * Stops new (non-session) traffic to `colour` and waits until its requests and sessions end,
   * or the timeout. With `sessionIdleMs`, sessions that sent nothing for that long do not hold
   * the drain (for a colour kept warm, where they keep working anyway).
   */
  async drain(colour: Colour, timeoutMs: number, sessionIdleMs?: number): Promise<DrainResult> {
    const t = this.targets[colour];
    if (t === this.active) throw new Error(`cannot drain ${colour}: it is the active colour`);
    if (t.state === 'stopped') return { ms: 0, inFlightLeft: 0, sessionsLeft: 0, timedOut: false };
    t.setState('draining');
    const t0 = performance.now();
    const deadline = Date.now() + timeoutMs;
    const idleSessionsMayStay = () => sessionIdleMs !== undefined && Date.now() - t.lastRequestAt >= sessionIdleMs;
    const busy = () => {
      if (t.inFlight.size === 0) return t.sessions > 0 && !idleSessionsMayStay();
      // Session event streams live as long as their sessions: they count as sessions, not requests.
      for (const e of t.inFlight) if (!e.stream) return true;
      return !idleSessionsMayStay();
    };
    while (busy() && Date.now() < deadline && t.state === 'draining') {
      await new Promise((r) => setTimeout(r, 5).unref());
    }
    const timedOut = busy();
    return { ms: performance.now() - t0, inFlightLeft: t.inFlight.size, sessionsLeft: t.sessions, timedOut };
  }

  /**
   * Takes `colour` out of routing for good (before its process is stopped): forgets its sessions,
   * lets requests already sent finish (up to graceMs), aborts the rest, closes its sockets.
   */
  async detach(colour: Colour, graceMs: number): Promise<{ aborted: number; ms: number }> {
    const t = this.targets[colour];
    const t0 = performance.now();
    if (this.active === t) this.active = null;
    if (t.state !== 'stopped') t.setState('stopped');
    this.forgetSessions(t);
    let aborted = 0;
    if (t.inFlight.size > 0) {
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
      if ((await Promise.race([t.whenIdle(), timer])) === 'timeout') aborted = t.abortAll(`${colour} is stopping`);
    }
    await t.closeConnections();
    return { aborted, ms: performance.now() - t0 };
  }

  /** Points a colour at a (new) port and marks it starting. */
  prepare(colour: Colour, port: number): Target {
    const t = this.targets[colour];
    if (t.state !== 'stopped' && t.state !== 'starting') throw new Error(`${colour} is ${t.state}; stop it first`);
    if (t.state === 'stopped') t.setState('starting');
    t.port = port;
    return t;
  }

  sessionCount(colour: Colour): number {
    return this.targets[colour].sessions;
  }

  statusJson(): Record<string, unknown> {
    const colours: Record<string, unknown> = {};
    for (const t of Object.values(this.targets)) {
      colours[t.colour] = { state: t.state, port: t.port, in_flight: t.inFlight.size, sessions: t.sessions, sockets: t.openSockets, ...t.counts };
    }
    return { active: this.active?.colour ?? null, port: this.port, colours };
  }

  private forgetSessions(t: Target): void {
    for (const [id, owner] of this.sessions) if (owner === t) this.sessions.delete(id);
    t.sessions = 0;
  }

  private forgetSession(id: string): void {
    const owner = this.sessions.get(id);
    if (owner) {
      this.sessions.delete(id);
      owner.sessions--;
    }
  }

  private sweepTimeouts(): void {
    const limit = Date.now() - this.upstreamTimeoutMs;
    for (const t of Object.values(this.targets)) {
      for (const entry of t.inFlight) if (!entry.responded && entry.startedAt < limit) entry.abort('upstream timeout');
    }
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    if (url.charCodeAt(1) === 114 /* r */ && url.startsWith('/router/')) return void this.handleOwn(url, res);

    // One pass over the raw headers: read what routing needs and build the upstream header
    // list (hop-by-hop dropped, X-Forwarded-* added). req.headers is never built, and the
    // list goes to node:http as an array, which it stores without per-header validation.
    const raw = req.rawHeaders;
    const out: string[] = [];
    let sid: string | undefined;
    let preview: string | undefined;
    let length: string | undefined;
    let chunked = false;
    let xff: string | undefined;
    let host: string | undefined;
    let hasProto = false;
    let hasFwdHost = false;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!;
      const value = raw[i + 1]!;
      const lower = name.toLowerCase();
      if (hopByHop.has(lower)) {
        if (lower === 'transfer-encoding') chunked = true;
        continue;
      }
      switch (lower) {
        case SessionHeader:
          sid = value;
          break;
        case PreviewHeader:
          preview = value;
          break;
        case 'content-length':
          length = value;
          break;
        case 'host':
          host = value;
          break;
        case 'x-forwarded-for':
          xff = value;
          continue; // re-added below with the client's address appended
        case 'x-forwarded-proto':
          hasProto = true;
          break;
        case 'x-forwarded-host':
          hasFwdHost = true;
          break;
      }
      out.push(name, value);
    }
    const remote = req.socket.remoteAddress ?? '';
    out.push('x-forwarded-for', xff ? `${xff}, ${remote}` : remote);
    if (!hasProto) out.push('x-forwarded-proto', 'http');
    if (!hasFwdHost && host !== undefined) out.push('x-forwarded-host', host);

    let target: Target | undefined;
    if (sid !== undefined) {
      const owner = this.sessions.get(sid);
      if (owner !== undefined && owner.takesSessions) target = owner;
    }
    if (target === undefined) {
      if (preview !== undefined) {
        const want = preview.toLowerCase();
        if (!isColour(want)) return sendError(res, url, 400, `${PreviewHeader} must be blue or green`);
        const t = this.targets[want];
        if (!t.takesPreview) return sendError(res, url, 503, `${want} environment is not running (${t.state})`);
        target = t;
      } else if (this.active !== null) {
        target = this.active;
      } else {
        return sendError(res, url, 503, 'no active environment: deploy a version first');
      }
    }

    const ex = new Exchange(this, req, res, out, sid);
    if ((length === undefined || length === '0') && !chunked) {
      // No body (the common GET): nothing to buffer. Drain the stream so 'close' fires normally.
      req.resume();
      ex.send(target, undefined);
      return;
    }
    if (length !== undefined && Number(length) > this.bodyLimit) return sendError(res, url, 413, `request body over ${this.bodyLimit} bytes`);
    // Bodies are buffered (small JSON-RPC messages) so a request can be re-sent after a connection failure.
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > this.bodyLimit) {
        sendError(res, url, 413, `request body over ${this.bodyLimit} bytes`);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      if (chunked) out.push('content-length', String(body.length));
      ex.send(target, body.toString('latin1'));
    });
  }

  private async handleOwn(url: string, res: ServerResponse): Promise<void> {
    if (url === RouterMetricsPath) {
      const text = await this.metrics.text();
      res.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(text);
    } else if (url === RouterStatusPath) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.statusJson()));
    } else {
      sendError(res, url, 404, 'unknown router path');
    }
  }

  // Called by Exchange: the routing decisions that need the router's maps.
  learnSession(id: string, t: Target): void {
    if (this.sessions.has(id)) return;
    this.sessions.set(id, t);
    t.sessions++;
  }
  dropSession(id: string): void {
    this.forgetSession(id);
  }
  retryTarget(): Target | null {
    return this.active;
  }
  get retryLimit(): number {
    return this.maxRetries;
  }
}

/** One client request and its trip to an upstream (possibly more than one trip, on retry). */
class Exchange implements InFlight {
  readonly startedAt = Date.now();
  private readonly t0 = performance.now();
  responded = false;
  stream = false;
  private target!: Target;
  private body: string | undefined; // latin1: sent with the headers in one write
  private upstream: http.ClientRequest | undefined;
  private upstreamRes: IncomingMessage | undefined;
  private attempt = 0;
  private done = false;
  private rpcError = false;

  constructor(
    private readonly router: Router,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly headers: string[],
    private readonly sid: string | undefined,
  ) {
    res.once('close', this.onClientClose);
  }

  send(target: Target, body: string | undefined): void {
    this.target = target;
    this.body = body;
    target.begin(this);
    this.dispatch();
  }

  private dispatch(): void {
    const t = this.target;
    const up = http.request({
      host: t.host,
      port: t.port,
      method: this.req.method,
      path: this.req.url,
      headers: this.headers,
      agent: t.agent,
    });
    this.upstream = up;
    up.on('response', this.onResponse);
    up.on('error', this.onUpstreamError);
    if (this.body === undefined) up.end();
    else up.end(this.body, 'latin1');
  }

  private readonly onResponse = (ures: IncomingMessage): void => {
    if (this.done) {
      ures.resume();
      return;
    }
    this.responded = true;
    this.upstreamRes = ures;
    const status = ures.statusCode ?? 502;
    const router = this.router;
    if (this.sid !== undefined) {
      if (status === 404 || (this.req.method === 'DELETE' && status < 300)) router.dropSession(this.sid);
    } else {
      const created = ures.headers[SessionHeader];
      if (typeof created === 'string' && status < 300) router.learnSession(created, this.target);
    }
    const raw = ures.rawHeaders;
    const out: string[] = [];
    let sse = false;
    let length = -1;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!;
      const lower = name.toLowerCase();
      if (hopByHop.has(lower)) continue;
      if (lower === 'content-type' && raw[i + 1]!.startsWith('text/event-stream')) sse = true;
      else if (lower === 'content-length') length = Number(raw[i + 1]);
      out.push(name, raw[i + 1]!);
    }
    const res = this.res;
    res.writeHead(status, out);
    ures.on('error', this.onUpstreamResError);
    if (!sse && length >= 0 && length <= smallBodyBytes) {
      // A small body of known length goes out with the headers in one write (a latin1 string
      // is concatenated to the header by node:http; a Buffer would cost a writev and an extra write).
      ures.on('data', this.onSmallChunk);
      ures.on('end', this.onSmallEnd);
      return;
    }
    if (sse) {
      res.flushHeaders(); // SSE passes through unbuffered
      this.stream = this.req.method === 'GET';
    }
    if (this.target.inspectBodies) this.inspect(ures);
    ures.pipe(res);
  };

  private chunks: Buffer[] | undefined;
  private readonly onSmallChunk = (c: Buffer): void => {
    if (this.chunks === undefined) this.chunks = [c];
    else this.chunks.push(c);
  };
  private readonly onSmallEnd = (): void => {
    const chunks = this.chunks;
    const body = chunks === undefined ? '' : (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('latin1');
    if (this.target.inspectBodies && serverRpcError.test(body.slice(0, 512))) this.rpcError = true;
    this.res.end(body, 'latin1');
  };

  private inspect(ures: IncomingMessage): void {
    let seen = false;
    ures.on('data', (chunk: Buffer) => {
      if (seen) return;
      seen = true;
      if (serverRpcError.test(chunk.toString('latin1', 0, Math.min(chunk.length, 512)))) this.rpcError = true;
    });
  }

  private readonly onUpstreamResError = (): void => {
    this.res.destroy();
  };

  private readonly onUpstreamError = (err: NodeJS.ErrnoException): void => {
    if (this.done) return;
    if (this.responded) {
      // Mid-response failure: nothing can be re-sent; cut the client connection so it sees the truncation.
      this.res.destroy();
      return;
    }
    // No response byte arrived and the body is buffered: re-send on the active colour.
    const code = err.code ?? '';
    const retryable = retryableCodes.has(code);
    const next = this.router.retryTarget();
    if (retryable && this.attempt < this.router.retryLimit && next !== null && !this.res.destroyed) {
      this.attempt++;
      this.router.metrics.retried(next.colour);
      this.target.end(this);
      this.target = next;
      next.begin(this);
      this.dispatch();
      return;
    }
    this.fail(502, `upstream ${this.target.colour} failed: ${code || err.message}`);
  };

  abort(reason: string): void {
    if (this.done) return;
    if (!this.responded) {
      this.upstream?.destroy();
      this.fail(reason === 'upstream timeout' ? 504 : 503, `${reason} (${this.target.colour})`);
    } else {
      this.upstreamRes?.destroy();
      this.upstream?.destroy();
      this.res.destroy();
    }
  }

  private fail(status: number, message: string): void {
    if (this.res.headersSent) {
      this.res.destroy();
      return;
    }
    sendError(this.res, this.req.url ?? '/', status, message);
  }

  private readonly onClientClose = (): void => {
    if (this.done) return;
    this.done = true;
    const t = this.target;
    if (t === undefined) return; // rejected before routing
    const res = this.res;
    const status = res.writableFinished ? res.statusCode : 499;
    if (!res.writableFinished) {
      // Client went away (or we cut it): stop the upstream side too, e.g. an SSE stream.
      this.upstreamRes?.destroy();
      this.upstream?.destroy();
    }
    t.counts.requests++;
    if (status >= 500) t.counts.serverErrors++;
    else if (this.rpcError) t.counts.rpcErrors++;
    const ms = performance.now() - this.t0;
    t.counts.latencyMsSum += ms;
    this.router.metrics.observe(t.colour, status, ms / 1000);
    t.end(this);
  };
}

function sendError(res: ServerResponse, url: string, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorBody(url, status, message);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}
