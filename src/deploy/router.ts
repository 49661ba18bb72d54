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
import { Exchange, hopByHop, sendError } from './exchange.js';
import type { ExchangeHost } from './exchange.js';

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

/**
 * The public router: proxies every path to the active colour over keep-alive connections,
 * keeps MCP sessions on the colour that created them, lets `X-Deployment-Color` preview the
 * standby colour, and retries connection-level failures on the active colour.
 *
 * Session affinity is stateless: the client sees each upstream session id prefixed with its
 * colour (`b.` or `g.`), and the router routes by that prefix and strips it on the way in,
 * so sessions keep their colour across a controller restart without any shared table.
 */
export class Router implements ExchangeHost {
  readonly targets: Record<Colour, Target>;
  readonly metrics: RouterMetrics;
  active: Target | null = null;
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
    this.server = http.createServer(
      { keepAliveTimeout: 5_000, requestTimeout: opts.requestTimeoutMs ?? DefaultRequestTimeoutMs, headersTimeout: 10_000 },
      (req, res) => this.handle(req, res),
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
    for (const t of Object.values(this.targets)) t.pool.destroy();
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
      colours[t.colour] = {
        state: t.state,
        port: t.port,
        in_flight: t.inFlight.size,
        sessions: t.sessions,
        sockets: t.openSockets,
        ...t.counts,
      };
    }
    return { active: this.active?.colour ?? null, port: this.port, colours };
  }

  private forgetSessions(t: Target): void {
    t.sessionIds.clear();
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
    // lines (hop-by-hop dropped, X-Forwarded-* added). req.headers is never built. Names and
    // values come from node's parser, which refuses CR and LF in them.
    const raw = req.rawHeaders;
    let out = '';
    let sid: string | undefined;
    let owner: Target | undefined;
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
        case SessionHeader: {
          // `b.<id>` / `g.<id>`: the colour that created the session; the upstream sees `<id>`.
          const c = value.charCodeAt(0);
          if (value.charCodeAt(1) === 46 /* . */ && (c === 98 /* b */ || c === 103) /* g */) {
            owner = c === 98 ? this.targets.blue : this.targets.green;
            sid = value.slice(2);
          } else sid = value;
          out += `${name}: ${sid}\r\n`;
          continue;
        }
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
      out += `${name}: ${value}\r\n`;
    }
    const remote = req.socket.remoteAddress ?? '';
    out += `x-forwarded-for: ${xff ? `${xff}, ${remote}` : remote}\r\n`;
    if (!hasProto) out += 'x-forwarded-proto: http\r\n';
    if (!hasFwdHost && host !== undefined) out += `x-forwarded-host: ${host}\r\n`;

    let target: Target | undefined;
    if (owner !== undefined && owner.takesSessions) target = owner;
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

    const ex = new Exchange(this, req, res, sid);
    if ((length === undefined || length === '0') && !chunked) {
      // No body (the common GET): nothing to buffer. (node:http dumps the unread request when the response finishes.)
      ex.send(target, out, undefined);
      return;
    }
    if (length !== undefined && Number(length) > this.bodyLimit)
      return sendError(res, url, 413, `request body over ${this.bodyLimit} bytes`);
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
      ex.send(target, chunked ? `${out}content-length: ${body.length}\r\n` : out, body.toString('latin1'));
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
    t.sessionIds.add(id);
  }
  dropSession(id: string, t: Target): void {
    t.sessionIds.delete(id);
  }
  retryTarget(): Target | null {
    return this.active;
  }
  get retryLimit(): number {
    return this.maxRetries;
  }
}
