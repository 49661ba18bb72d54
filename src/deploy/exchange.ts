import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { SessionHeader } from './defaults.js';
import { errorBody } from './error-bodies.js';
import type { RouterMetrics } from './router-metrics.js';
import type { InFlight, Target } from './target.js';
import type { UpstreamConnection, UpstreamHandler } from './upstream.js';

// Hop-by-hop headers: they describe one connection, never forwarded.
export const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);
// Responses up to this size with a known length are sent in one write with their headers.
const smallBodyBytes = 256 * 1024;
// Failures where no response byte arrived: the (buffered) request is re-sent on the active colour.
const retryableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH']);
// JSON-RPC errors the server made (internal error -32603, server errors -32000..-32099), not client mistakes.
const serverRpcError = /"error":\{"code":-32(?:603|0\d\d)\b/;

/** What an exchange needs from the router: the session map, the retry target, the metrics. */
export interface ExchangeHost {
  readonly metrics: RouterMetrics;
  readonly retryLimit: number;
  learnSession(id: string, t: Target): void;
  dropSession(id: string, t: Target): void;
  retryTarget(): Target | null;
}

/** How the response body is relayed to the client. */
const enum Relay {
  Collect, // small and of known length: sent with the head in one write
  Stream, // unknown length, large, or SSE: written through as it arrives
}

/** One client request and its trip to an upstream (possibly more than one trip, on retry). */
export class Exchange implements InFlight, UpstreamHandler {
  readonly startedAt = Date.now();
  private readonly t0 = performance.now();
  responded = false;
  stream = false;
  private target!: Target;
  private head = ''; // request line and headers, latin1
  private body: string | undefined; // latin1: sent with the head in one write
  private conn: UpstreamConnection | undefined; // while the upstream is still answering
  private attempt = 0;
  private done = false;
  private rpcError = false;
  private relay = Relay.Collect;
  private chunks: Buffer[] | undefined;
  private inspectNext = false;

  constructor(
    private readonly router: ExchangeHost,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly sid: string | undefined,
  ) {
    res.on('close', this.onClientClose);
  }

  /** Starts the trip: `headers` are the request's header lines (each ending CRLF), `body` latin1. */
  send(target: Target, headers: string, body: string | undefined): void {
    this.target = target;
    this.head = `${this.req.method!} ${this.req.url!} HTTP/1.1\r\n${headers}\r\n`;
    this.body = body;
    target.begin(this);
    this.dispatch();
  }

  private dispatch(): void {
    const conn = this.target.pool.acquire(this.startedAt);
    this.conn = conn;
    conn.send(this.head, this.body, this, this.req.method === 'HEAD');
  }

  onHead(status: number, raw: string[]): void {
    if (this.done) {
      this.dropUpstream();
      return;
    }
    this.responded = true;
    const router = this.router;
    const sid = this.sid; // as the upstream knows it (prefix stripped)
    if (sid !== undefined) {
      if (status === 404 || (this.req.method === 'DELETE' && status < 300)) router.dropSession(sid, this.target);
      else if (status < 300) router.learnSession(sid, this.target); // re-learnt after a controller restart
    }
    const out: string[] = [];
    let sse = false;
    let length = -1;
    let created: string | undefined;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!;
      const value = raw[i + 1]!;
      const lower = name.toLowerCase();
      if (hopByHop.has(lower)) continue;
      if (lower === 'content-type') sse = value.startsWith('text/event-stream');
      else if (lower === 'content-length') length = Number(value);
      else if (lower === SessionHeader) {
        // The client gets the id prefixed with the colour, which routes its next requests.
        created = value;
        out.push(name, this.target.sessionPrefix + value);
        continue;
      }
      out.push(name, value);
    }
    if (sid === undefined && created !== undefined && status < 300) router.learnSession(created, this.target);
    // Which colour answered: handy for A/B comparisons through the preview header.
    out.push('x-deployment-color', this.target.colour);
    const res = this.res;
    try {
      res.writeHead(status, out);
    } catch {
      // A header node:http refuses (our parser does not validate tokens): the client gets a 502.
      this.dropUpstream();
      this.fail(502, `upstream ${this.target.colour} sent an invalid response header`);
      return;
    }
    if (!sse && length >= 0 && length <= smallBodyBytes) {
      // A small body of known length goes out with the headers in one write (a latin1 string
      // is concatenated to the header by node:http; a Buffer would cost a writev and an extra write).
      this.relay = Relay.Collect;
      return;
    }
    this.relay = Relay.Stream;
    if (sse) {
      res.flushHeaders(); // SSE passes through unbuffered
      this.stream = this.req.method === 'GET';
    }
    this.inspectNext = this.target.inspectBodies;
  }

  onBody(chunk: Buffer): void {
    if (this.relay === Relay.Collect) {
      if (this.chunks === undefined) this.chunks = [chunk];
      else this.chunks.push(chunk);
      return;
    }
    if (this.inspectNext) {
      this.inspectNext = false;
      if (serverRpcError.test(chunk.toString('latin1', 0, Math.min(chunk.length, 512)))) this.rpcError = true;
    }
    // Buffers from the socket are handed to the client socket; a slow client pauses the upstream.
    if (!this.res.write(chunk) && this.conn !== undefined) {
      this.conn.pause();
      // Once the response ended the socket is back in the pool: only a conn still ours is resumed.
      this.res.once('drain', () => this.conn?.resume());
    }
  }

  onEnd(): void {
    this.conn = undefined; // the socket went back to the pool: never touch it again
    if (this.done) return;
    if (this.relay === Relay.Stream) {
      this.res.end();
      return;
    }
    const chunks = this.chunks;
    const body = chunks === undefined ? '' : chunks.length === 1 ? chunks[0]!.toString('latin1') : Buffer.concat(chunks).toString('latin1');
    if (this.target.inspectBodies && serverRpcError.test(body.slice(0, 512))) this.rpcError = true;
    this.res.end(body, 'latin1');
  }

  onFail(err: NodeJS.ErrnoException, responded: boolean, reused: boolean): void {
    this.conn = undefined;
    if (this.done) return;
    if (responded) {
      // Mid-response failure: nothing can be re-sent; cut the client connection so it sees the truncation.
      this.res.destroy();
      return;
    }
    // No response byte arrived and the body is buffered: re-send on the active colour, or on the
    // same colour when a reused keep-alive socket was reset (the upstream closed it while idle:
    // the colour is fine, and a session request must stay on it).
    const code = err.code ?? '';
    const sameColour = reused && (code === 'ECONNRESET' || code === 'EPIPE') && this.target.takesSessions;
    const next = sameColour ? this.target : this.router.retryTarget();
    if (retryableCodes.has(code) && this.attempt < this.router.retryLimit && next !== null && !this.res.destroyed) {
      this.attempt++;
      this.router.metrics.retried(next.colour);
      this.target.end(this);
      this.target = next;
      next.begin(this);
      this.dispatch();
      return;
    }
    this.fail(502, `upstream ${this.target.colour} failed: ${code || err.message}`);
  }

  abort(reason: string): void {
    if (this.done) return;
    this.dropUpstream();
    if (!this.responded) this.fail(reason === 'upstream timeout' ? 504 : 503, `${reason} (${this.target.colour})`);
    else this.res.destroy();
  }

  private dropUpstream(): void {
    const conn = this.conn;
    this.conn = undefined;
    conn?.destroy();
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
    // Client went away (or we cut it) while the upstream was still answering, e.g. an SSE stream.
    this.dropUpstream();
    t.counts.requests++;
    if (status >= 500) t.counts.serverErrors++;
    else if (this.rpcError) t.counts.rpcErrors++;
    const ms = performance.now() - this.t0;
    t.counts.latencyMsSum += ms;
    this.router.metrics.observe(t.colour, status, ms / 1000);
    t.end(this);
  };
}

export function sendError(res: ServerResponse, url: string, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorBody(url, status, message);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}
