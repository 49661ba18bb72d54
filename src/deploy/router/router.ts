import { createHash, timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Colour } from '../defaults.js';
import { Colours, RouterMetricsPath, RouterStatusPath, isColour } from '../defaults.js';
import type { DrainResult, RouteTable, RouterStatus } from '../router-protocol.js';
import { describeAddress, emptyRouteTable } from '../router-protocol.js';
import { ClientConnection } from './client-connection.js';
import type { ConnectionRouter, OwnAnswer } from './client-connection.js';
import { errorResponse, plainResponse } from './error-bodies.js';
import { RouterMetrics } from './metrics.js';
import type { RequestHead } from './request-head.js';
import { PreviewHeader } from './request-head.js';
import { Target } from './target.js';

export interface RouterLimits {
  bodyLimitBytes: number;
  /** From a request's first byte to the end of its head (RFC 9112 leaves it to the server; 408 after). */
  headerTimeoutMs: number;
  /** Receiving a request body. */
  requestTimeoutMs: number;
  /** Until the upstream's response head (504 after). */
  upstreamTimeoutMs: number;
  /** An idle client connection is closed after this. */
  keepAliveTimeoutMs: number;
  maxRetries: number;
}

const sweepMs = 250;
const keepAliveGraceMs = 1000;

/**
 * The router: one public port, nothing but the hot path. It proxies each request to the colour the
 * controller's route table names (new traffic to the active colour; an MCP session's requests to the
 * colour its id's `b.`/`g.` prefix names; `X-Deployment-Color` to preview a colour), retries requests
 * that never reached an upstream, keeps per-colour counts for drains and the post-switch analysis,
 * and serves the controller's dashboard API at /deploy/ and its own status and metrics at /router/.
 * Preview of a colour not yet promoted, /deploy/ and /router/ are for loopback clients or holders of
 * a token the controller configured.
 */
export class Router implements ConnectionRouter {
  readonly targets: Record<Colour, Target> = { blue: new Target('blue'), green: new Target('green') };
  /** The controller's HTTP socket behind /deploy/. */
  readonly controller = new Target('controller');
  readonly metrics: RouterMetrics;
  active: Target | null = null;
  table: RouteTable = emptyRouteTable();
  closing = false;
  port = 0;
  private readonly server: net.Server;
  private readonly connections = new Set<ClientConnection>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly limits: RouterLimits) {
    this.metrics = new RouterMetrics(this.targets, () => this.active?.colour as Colour | null);
    // allowHalfOpen: a client that ends its side after a request still gets the answer.
    this.server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
      if (this.closing) {
        socket.destroy();
        return;
      }
      this.connections.add(new ClientConnection(socket, this));
    });
  }

  get bodyLimit(): number {
    return this.limits.bodyLimitBytes;
  }
  get headerTimeoutMs(): number {
    return this.limits.headerTimeoutMs;
  }
  get retryLimit(): number {
    return this.limits.maxRetries;
  }
  get keepAliveHeader(): string {
    return `keep-alive: timeout=${Math.max(1, Math.floor(this.limits.keepAliveTimeoutMs / 1000))}\r\n`;
  }

  listen(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as net.AddressInfo).port;
        this.sweeper = setInterval(() => this.sweep(), sweepMs).unref();
        resolve();
      });
    });
  }

  /** Takes the controller's route table; the switch of the active colour is one assignment. */
  apply(table: RouteTable): { generation: number; switchMs: number } {
    const t0 = performance.now();
    for (const c of Colours) {
      const r = table.colours[c];
      this.targets[c].update(r.state, r.address, r.version);
    }
    this.active = table.active !== null ? this.targets[table.active] : null;
    const switchMs = performance.now() - t0;
    this.controller.update('active', table.controllerApi !== null ? { socketPath: table.controllerApi } : null, null);
    this.table = table;
    return { generation: table.generation, switchMs };
  }

  /**
   * Waits until the requests and MCP sessions of `colour` (which the controller has set draining)
   * end, or the timeout. With `sessionIdleMs`, a session whose last request started that long ago
   * does not hold the drain (for a colour kept warm, where sessions keep working anyway).
   */
  async drain(colour: Colour, timeoutMs: number, sessionIdleMs?: number): Promise<DrainResult> {
    const t = this.targets[colour];
    if (t === this.active) throw new Error(`cannot drain ${colour}: it is the active colour`);
    const t0 = performance.now();
    const deadline = Date.now() + timeoutMs;
    const busy = () => {
      if (t.state === 'stopped') return false;
      // Session event streams live as long as their sessions: they count as sessions, not requests.
      for (const e of t.inFlight) if (!e.stream) return true;
      if (sessionIdleMs !== undefined) return t.sessionUsedWithin(sessionIdleMs);
      return t.sessions.size > 0 || t.inFlight.size > 0;
    };
    while (busy() && Date.now() < deadline && !this.closing) await new Promise((r) => setTimeout(r, 10).unref());
    return { ms: performance.now() - t0, inFlightLeft: t.inFlight.size, sessionsLeft: t.sessions.size, timedOut: busy() };
  }

  /**
   * Lets go of a colour the controller has taken out of routing (before its process is stopped):
   * forgets its sessions, lets requests already sent finish (up to graceMs), aborts the rest, and
   * closes every socket to it. Session event streams are cut at once: they never end by themselves.
   */
  async detach(colour: Colour, graceMs: number): Promise<{ aborted: number; ms: number }> {
    const t = this.targets[colour];
    if (t.state !== 'stopped') throw new Error(`cannot detach ${colour}: the route table still has it ${t.state}`);
    const t0 = performance.now();
    t.forgetSessions();
    const deadline = Date.now() + graceMs;
    const requestsLeft = () => [...t.inFlight].some((e) => !e.stream);
    while (requestsLeft() && Date.now() < deadline && !this.closing) await new Promise((r) => setTimeout(r, 10).unref());
    const aborted = t.inFlight.size > 0 ? t.abortAll(`${colour} is stopping`) : 0;
    await t.closeSockets();
    return { aborted, ms: performance.now() - t0 };
  }

  status(): RouterStatus {
    const colours = {} as RouterStatus['colours'];
    for (const c of Colours) {
      const t = this.targets[c];
      colours[c] = {
        state: t.state,
        address: t.address !== null ? describeAddress(t.address) : null,
        inFlight: t.inFlight.size,
        sessions: t.sessions.size,
        sockets: t.sockets.size,
        ...t.counts,
      };
    }
    return { generation: this.table.generation, active: (this.active?.colour as Colour | undefined) ?? null, port: this.port, colours };
  }

  /** Stops taking connections, lets requests in flight finish (up to graceMs), then closes the rest. */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    if (this.sweeper) clearInterval(this.sweeper);
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    for (const c of this.connections) if (!c.busy) c.close();
    const deadline = Date.now() + graceMs;
    while ([...this.connections].some((c) => c.busy) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const c of this.connections) c.socket.destroy();
    for (const t of [...Object.values(this.targets), this.controller]) await t.closeSockets();
    await closed;
  }

  // ---- ConnectionRouter: called for each complete request ----

  route(head: RequestHead, conn: ClientConnection): Target | OwnAnswer {
    const path = head.path;
    if (path.charCodeAt(1) === 114 /* r */ && path.startsWith('/router/')) return this.own(head, conn);
    if (path.charCodeAt(1) === 100 /* d */ && (path === '/deploy' || path.startsWith('/deploy/') || path.startsWith('/deploy?'))) {
      if (!this.trusted(head, conn, true)) return refuse(head, 403, 'the deployment API is for loopback clients or the admin token');
      if (this.controller.address === null) return refuse(head, 503, 'no controller is attached to this router');
      return this.controller;
    }
    if (head.sessionColour !== '') {
      const owner = head.sessionColour === 'b' ? this.targets.blue : this.targets.green;
      if (owner.takesSessions) {
        if (owner.unpromoted && !this.trusted(head, conn, false))
          return refuse(head, 403, 'preview is for loopback clients or the preview token');
        return owner;
      }
    }
    if (head.preview !== undefined) {
      if (!this.trusted(head, conn, false)) return refuse(head, 403, 'preview is for loopback clients or the preview token');
      const want = head.preview.toLowerCase();
      if (!isColour(want)) return refuse(head, 400, `${PreviewHeader} must be blue or green`);
      const t = this.targets[want];
      if (!t.takesPreview) return refuse(head, 503, `${want} environment is not running (${t.state})`);
      return t;
    }
    const active = this.active;
    if (active !== null && active.address !== null) return active;
    return refuse(head, 503, 'no active environment: deploy a version first');
  }

  forget(conn: ClientConnection): void {
    this.connections.delete(conn);
  }

  retryTarget(): Target | null {
    return this.active;
  }

  retried(t: Target): void {
    if (t.colour !== 'controller') this.metrics.retried(t.colour);
  }

  observe(t: Target, status: number, seconds: number): void {
    if (t.colour !== 'controller') this.metrics.observe(t.colour, status, seconds);
  }

  private own(head: RequestHead, conn: ClientConnection): OwnAnswer {
    if (!this.trusted(head, conn, true)) return refuse(head, 403, 'router pages are for loopback clients or the admin token');
    const close = !head.keepAlive || this.closing;
    if (head.path === RouterStatusPath) return { answer: plainResponse(200, 'application/json', JSON.stringify(this.status()), close) };
    if (head.path === RouterMetricsPath) {
      return { answer: this.metrics.text().then((text) => plainResponse(200, this.metrics.registry.contentType, text, close)) };
    }
    return refuse(head, 404, 'unknown router path');
  }

  /**
   * A loopback client, or one that shows a token the controller configured (the admin token opens everything).
   * A request a proxy passed on is not a loopback client even from 127.0.0.1: behind a TLS proxy on this host,
   * every client on the internet connects from loopback, and proxies say so (X-Forwarded-For, Forwarded, X-Real-IP).
   */
  private trusted(head: RequestHead, conn: ClientConnection, admin: boolean): boolean {
    if (isLoopback(conn.remote) && !viaProxy(head)) return true;
    let presented = head.token;
    if (presented === undefined && admin && head.authorization?.startsWith('Bearer ')) presented = head.authorization.slice(7).trim();
    if (presented === undefined || presented === '') return false;
    const hash = tokenHash(presented);
    return sameHash(hash, this.table.adminTokenHash) || (!admin && sameHash(hash, this.table.previewTokenHash));
  }

  private sweep(): void {
    const now = Date.now();
    for (const c of this.connections) {
      // A second past what responses advertise: a client whose own timer runs late does not write into a closing socket.
      if (c.idle && now - c.since > this.limits.keepAliveTimeoutMs + keepAliveGraceMs) c.close();
      else if (c.readingBody && now - c.since > this.limits.requestTimeoutMs) c.refuse(408, 'request body not received in time');
    }
    const limit = now - this.limits.upstreamTimeoutMs;
    for (const t of Object.values(this.targets)) {
      for (const entry of t.inFlight) if (!entry.responded && entry.startedAt < limit) entry.abort('upstream timeout');
    }
  }
}

function refuse(head: RequestHead, status: number, message: string): OwnAnswer {
  return { answer: errorResponse(head.path, status, message, !head.keepAlive) };
}

function viaProxy(head: RequestHead): boolean {
  return head.forwardedFor !== undefined || head.forwardedHost || head.forwardedProto || head.proxied;
}

export function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function sameHash(a: string, b: string | null): boolean {
  if (b === null || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
