import { performance } from 'node:perf_hooks';
import type { RequestHead } from './request-head.js';
import { SessionHeader, hopByHop } from './request-head.js';
import type { InFlight, Target } from './target.js';
import type { UpstreamConnection, UpstreamHandler } from './upstream.js';

// Failures where no response byte arrived: the (buffered) request is sent again.
const retryableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ENOENT', 'EHOSTUNREACH', 'ENETUNREACH']);
// JSON-RPC errors the server made (internal error -32603, server errors -32000..-32099), not client mistakes.
const serverRpcError = /"error":\{"code":-32(?:603|0\d\d)\b/;
const lastChunk = Buffer.from('0\r\n\r\n');
// Lengths of the response header names looked at; others are relayed without lowercasing.
const watchedResponse = new Uint8Array(32);
for (const n of [...hopByHop, SessionHeader, 'content-type', 'content-length']) watchedResponse[n.length] = 1;

/** What an exchange needs from the client connection it belongs to. */
export interface ExchangeOwner {
  readonly minor: number;
  /** An upstream socket to `t` for this client connection (its own, reused while it lasts). */
  upstreamFor(t: Target): UpstreamConnection;
  /** Writes to the client; false when the client's buffer is full. */
  write(bytes: Buffer): boolean;
  onDrain(resume: () => void): void;
  /** The exchange is over; `keepAlive`: the connection may carry the next request. */
  exchangeDone(keepAlive: boolean): void;
  /** The response cannot be completed: the client connection is cut. */
  cut(): void;
  fail(status: number, message: string): void;
}

/** What an exchange needs from the router. */
export interface ExchangeRouter {
  readonly retryLimit: number;
  /** `keep-alive: timeout=N` and CRLF, sent on every response that keeps the connection. */
  readonly keepAliveHeader: string;
  retryTarget(): Target | null;
  retried(t: Target): void;
  observe(t: Target, status: number, seconds: number): void;
}

/** One client request and its trip to an upstream (more than one trip when it is retried). */
export class Exchange implements InFlight, UpstreamHandler {
  readonly startedAt = Date.now();
  private readonly t0 = performance.now();
  responded = false;
  stream = false;
  private conn: UpstreamConnection | undefined;
  private attempt = 0;
  private done = false;
  private status = 0;
  private rpcError = false;
  private inspectNext = false;
  /** What is waiting to be written to the client, written at the end of each upstream read (one write). */
  private headText: string | undefined; // the response head, written with the first body bytes
  private out: Buffer[] = [];
  private outBytes = 0;
  private rechunk = false;
  private keepAlive: boolean;

  constructor(
    private readonly owner: ExchangeOwner,
    private readonly router: ExchangeRouter,
    private readonly head: RequestHead,
    private target: Target,
    /** The request as the upstream gets it, in one buffer (sent again on a retry). */
    private readonly bytes: Buffer,
  ) {
    this.keepAlive = head.keepAlive;
  }

  start(): void {
    this.target.begin(this);
    this.dispatch();
  }

  private dispatch(): void {
    const conn = this.owner.upstreamFor(this.target);
    this.conn = conn;
    conn.send(this.bytes, this, this.head.method === 'HEAD');
  }

  onHead(status: number, lines: string[]): void {
    if (this.done) return;
    this.responded = true;
    this.status = status;
    const t = this.target;
    const sid = this.head.sessionId; // as the upstream knows it (prefix stripped)
    if (sid !== undefined) {
      if (status === 404 || (this.head.method === 'DELETE' && status < 300)) t.forgetSession(sid);
      else if (status < 300) t.sessionUsed(sid, this.startedAt); // also re-learns it after a router restart
    }
    let out = `HTTP/1.1${lines[0]!.slice(8)}\r\n`;
    let named: string[] | undefined;
    let sse = false;
    let hasLength = false;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon >= 32 || watchedResponse[colon] === 0) {
        out += `${line}\r\n`;
        continue;
      }
      const name = line.slice(0, colon);
      const lower = name.toLowerCase();
      if (hopByHop.has(lower)) {
        if (lower === 'connection') {
          for (const raw of line.slice(colon + 1).split(',')) {
            const option = raw.trim().toLowerCase();
            if (option !== 'close' && option !== 'keep-alive' && option !== '') (named ??= []).push(option);
          }
        }
        continue;
      }
      if (lower === 'content-type') sse = line.includes('text/event-stream', colon);
      else if (lower === 'content-length') hasLength = true;
      else if (lower === SessionHeader) {
        // The client gets the id with the colour in front: that routes its next requests.
        const created = line.slice(colon + 1).trim();
        if (sid === undefined && status < 300) t.sessionUsed(created, this.startedAt);
        out += `${name}: ${t.sessionPrefix}${created}\r\n`;
        continue;
      }
      out += `${line}\r\n`;
    }
    if (named !== undefined) out = dropNamed(out, named);
    const bodiless = this.head.method === 'HEAD' || status === 204 || status === 304;
    if (!bodiless && !hasLength) {
      // Chunked or close-delimited upstream body: chunked again for an HTTP/1.1 client, close-delimited for 1.0.
      if (this.owner.minor === 1) {
        out += 'transfer-encoding: chunked\r\n';
        this.rechunk = true;
      } else this.keepAlive = false;
    }
    out += `x-deployment-color: ${t.colour}\r\n`;
    if (!this.keepAlive) out += 'connection: close\r\n';
    else {
      // Says how long an idle connection is kept, so a client stops reusing it before the router closes it.
      if (this.owner.minor === 0) out += 'connection: keep-alive\r\n';
      out += this.router.keepAliveHeader;
    }
    this.headText = `${out}\r\n`;
    if (sse && this.head.method === 'GET') this.stream = true;
    this.inspectNext = t.inspectBodies;
  }

  onBody(chunk: Buffer): void {
    if (this.done) return;
    if (this.inspectNext) {
      this.inspectNext = false;
      if (serverRpcError.test(chunk.toString('latin1', 0, Math.min(chunk.length, 512)))) this.rpcError = true;
    }
    if (this.rechunk) this.push(Buffer.from(`${chunk.length.toString(16)}\r\n`, 'latin1'));
    this.push(chunk);
    if (this.rechunk) this.push(crlf);
  }

  onEnd(): void {
    this.conn = undefined; // the socket stays with the client connection for its next request, or is gone
    if (this.done) return;
    if (this.rechunk) this.push(lastChunk);
    this.flush();
    this.complete(this.status);
    this.owner.exchangeDone(this.keepAlive);
  }

  onFlush(): void {
    if (!this.done) this.flush();
  }

  onFail(err: NodeJS.ErrnoException, responded: boolean, reused: boolean): void {
    this.conn = undefined;
    if (this.done) return;
    if (responded) {
      // Mid-response: nothing can be sent again; cutting the client connection shows the truncation.
      this.flush();
      this.complete(502);
      this.owner.cut();
      return;
    }
    // No response byte arrived and the request is buffered: send it again on the active colour,
    // or on the same colour when a reused keep-alive socket was reset (the upstream closed it
    // while idle: the colour is fine, and a session's request must stay on it).
    const code = err.code ?? '';
    const sameColour = reused && (code === 'ECONNRESET' || code === 'EPIPE') && this.target.takesSessions;
    const next = sameColour ? this.target : this.target.colour === 'controller' ? null : this.router.retryTarget();
    if (retryableCodes.has(code) && this.attempt < this.router.retryLimit && next !== null) {
      this.attempt++;
      this.router.retried(next);
      this.target.end(this);
      this.target = next;
      next.begin(this);
      this.dispatch();
      return;
    }
    const what = this.target.colour === 'controller' ? 'the controller is not answering' : `upstream ${this.target.colour} failed`;
    this.finishWithError(502, `${what}: ${code || err.message}`);
  }

  /** Ends the exchange early: a drain ran out of time, or the upstream stayed silent too long. */
  abort(reason: string): void {
    if (this.done) return;
    this.dropUpstream();
    if (!this.responded) this.finishWithError(reason === 'upstream timeout' ? 504 : 503, `${reason} (${this.target.colour})`);
    else {
      this.complete(this.status);
      this.owner.cut();
    }
  }

  /** The client went away first. */
  clientGone(): void {
    if (this.done) return;
    this.dropUpstream();
    this.complete(499);
  }

  private finishWithError(status: number, message: string): void {
    this.complete(status);
    this.owner.fail(status, message);
  }

  private push(b: Buffer): void {
    this.out.push(b);
    this.outBytes += b.length;
  }

  private flush(): void {
    const head = this.headText;
    if (this.outBytes === 0 && head === undefined) return;
    let bytes: Buffer;
    {
      // One buffer of our own (body bytes point into the upstream's reused read buffer): head and body, one write.
      const headBytes = head?.length ?? 0;
      bytes = Buffer.allocUnsafe(headBytes + this.outBytes);
      if (head !== undefined) bytes.write(head, 0, 'latin1');
      let at = headBytes;
      for (const b of this.out) at += b.copy(bytes, at);
    }
    this.headText = undefined;
    this.out = [];
    this.outBytes = 0;
    if (!this.owner.write(bytes) && this.conn !== undefined) {
      // A slow reader: stop reading the upstream until the client catches up.
      const conn = this.conn;
      conn.pause();
      this.owner.onDrain(() => conn.resume());
    }
  }

  private dropUpstream(): void {
    const conn = this.conn;
    this.conn = undefined;
    conn?.destroy();
  }

  private complete(status: number): void {
    this.done = true;
    const t = this.target;
    t.counts.requests++;
    if (status >= 500) t.counts.serverErrors++;
    else if (this.rpcError) t.counts.rpcErrors++;
    const ms = performance.now() - this.t0;
    t.counts.latencyMsSum += ms;
    this.router.observe(t, status, ms / 1000);
    t.end(this);
  }
}

const crlf = Buffer.from('\r\n');

function dropNamed(head: string, names: string[]): string {
  const lines = head.split('\r\n');
  let out = `${lines[0]}\r\n`;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    if (!names.includes(line.slice(0, line.indexOf(':')).toLowerCase())) out += `${line}\r\n`;
  }
  return out;
}
