import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { SessionHeader } from './defaults.js';
import { errorBody } from './error-bodies.js';
import type { RouterMetrics } from './router-metrics.js';
import type { InFlight, Target } from './target.js';

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
  dropSession(id: string): void;
  retryTarget(): Target | null;
}

/** One client request and its trip to an upstream (possibly more than one trip, on retry). */
export class Exchange implements InFlight {
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
    private readonly router: ExchangeHost,
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
    // Which colour answered: handy for A/B comparisons through the preview header.
    out.push('x-deployment-color', this.target.colour);
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

export function sendError(res: ServerResponse, url: string, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorBody(url, status, message);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}
