import type net from 'node:net';
import { ChunkedBody, ChunkedBodyError } from './chunked-body.js';
import { errorResponse } from './error-bodies.js';
import { Exchange } from './exchange.js';
import type { ExchangeOwner, ExchangeRouter } from './exchange.js';
import { HeadError, MaxHeadBytes, parseRequestHead } from './request-head.js';
import type { RequestHead } from './request-head.js';
import type { Target } from './target.js';
import { UpstreamConnection } from './upstream.js';

// One client connection: requests are read one at a time, in order (pipelined requests wait in
// the buffer until the answer before them is written, RFC 9112 9.3.2); each goes out on this
// connection's own upstream socket to the colour it is routed to, in one write, and its answer
// comes back in one write.

const headEnd = Buffer.from('\r\n\r\n');
const continueLine = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n');
/** Pipelined bytes held while a request is answered before the client is paused. */
const maxPendingBytes = 1024 * 1024;

/** What the router answers itself (its own pages, refusals); `close` ends the connection after it. */
export interface OwnAnswer {
  answer: Buffer | Promise<Buffer>;
  close?: boolean;
}

export interface ConnectionRouter extends ExchangeRouter {
  readonly bodyLimit: number;
  readonly headerTimeoutMs: number;
  /** The router is shutting down: answers say `connection: close`. */
  readonly closing: boolean;
  /** Where a complete request goes: an upstream, or an answer the router makes. */
  route(head: RequestHead, conn: ClientConnection): Target | OwnAnswer;
  forget(conn: ClientConnection): void;
}

const enum Phase {
  Head,
  Body,
  Busy,
  Closing,
}

export class ClientConnection implements ExchangeOwner {
  minor = 1;
  /** When the connection last became idle, or the request being read started (ms since epoch). */
  since = Date.now();
  readonly remote: string;
  private phase = Phase.Head;
  private buf: Buffer | null = null;
  private head: RequestHead | null = null;
  private bodyNeed = 0;
  private bodyParts: Buffer[] = [];
  private chunked: ChunkedBody | null = null;
  private exchange: Exchange | null = null;
  private readonly upstreams = new Map<Target, UpstreamConnection>();
  private headerTimer: NodeJS.Timeout | undefined;
  private clientEnded = false;
  private paused = false;

  constructor(
    readonly socket: net.Socket,
    private readonly router: ConnectionRouter,
  ) {
    this.remote = socket.remoteAddress ?? '';
    socket.setNoDelay(true);
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('error', () => undefined); // 'close' follows
    socket.on('close', this.onClose);
  }

  /** Idle between requests (for the keep-alive timeout). */
  get idle(): boolean {
    return this.phase === Phase.Head && this.buf === null;
  }

  /** Reading a request body (for the request timeout). */
  get readingBody(): boolean {
    return this.phase === Phase.Body;
  }

  get busy(): boolean {
    return this.phase === Phase.Busy;
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.phase === Phase.Closing) return;
    if (this.buf === null) {
      this.buf = chunk;
      if (this.phase === Phase.Head) this.since = Date.now();
    } else this.buf = Buffer.concat([this.buf, chunk]);
    if (this.phase === Phase.Busy) {
      // Pipelined: held until the answer before it is written.
      if (this.buf.length > maxPendingBytes) this.pause();
      return;
    }
    this.drive();
  };

  /** Reads what the buffer holds: heads, bodies, as far as it goes. */
  private drive(): void {
    for (;;) {
      if (this.phase === Phase.Head) {
        const buf = this.buf;
        if (buf === null) return;
        const end = buf.indexOf(headEnd);
        if (end < 0) {
          if (buf.length > MaxHeadBytes) return this.refuse(431, 'request head too large');
          // A head that did not come in one piece: the header timeout runs from its first byte.
          this.headerTimer ??= setTimeout(() => this.refuse(408, 'request head not received in time'), this.router.headerTimeoutMs);
          return;
        }
        this.clearHeaderTimer();
        if (end > MaxHeadBytes) return this.refuse(431, 'request head too large');
        let head: RequestHead;
        try {
          head = parseRequestHead(buf.toString('latin1', 0, end));
        } catch (err) {
          if (err instanceof HeadError) return this.refuse(err.status, err.message);
          throw err;
        }
        this.minor = head.minor;
        this.head = head;
        this.buf = end + 4 < buf.length ? buf.subarray(end + 4) : null;
        if (head.bodyLength === 0) {
          this.start(head, undefined);
          continue;
        }
        if (head.bodyLength > this.router.bodyLimit) return this.refuse(413, `request body over ${this.router.bodyLimit} bytes`, head);
        this.phase = Phase.Body;
        this.since = Date.now();
        this.bodyNeed = head.bodyLength;
        this.bodyParts = [];
        this.chunked = head.bodyLength < 0 ? new ChunkedBody(this.router.bodyLimit) : null;
        if (head.expectContinue && this.buf === null) this.socket.write(continueLine);
      }
      if (this.phase === Phase.Body) {
        const buf = this.buf;
        if (buf === null) return;
        const head = this.head!;
        if (this.chunked !== null) {
          let rest: Buffer | undefined;
          try {
            rest = this.chunked.push(buf);
          } catch (err) {
            if (err instanceof ChunkedBodyError) return this.refuse(err.status, err.message, head);
            throw err;
          }
          if (rest === undefined) {
            this.buf = null;
            return;
          }
          this.buf = rest.length > 0 ? rest : null;
          this.start(head, this.chunked.body());
          this.chunked = null;
          continue;
        }
        if (buf.length < this.bodyNeed) {
          this.bodyParts.push(buf);
          this.bodyNeed -= buf.length;
          this.buf = null;
          return;
        }
        this.bodyParts.push(buf.subarray(0, this.bodyNeed));
        this.buf = buf.length > this.bodyNeed ? buf.subarray(this.bodyNeed) : null;
        const body = this.bodyParts.length === 1 ? this.bodyParts[0]! : Buffer.concat(this.bodyParts);
        this.bodyParts = [];
        this.start(head, body);
        continue;
      }
      return; // Busy or Closing
    }
  }

  /** A complete request: routed, then sent upstream or answered here. */
  private start(head: RequestHead, body: Buffer | undefined): void {
    this.phase = Phase.Busy;
    const where = this.router.route(head, this);
    if (!('state' in where)) {
      const close = where.close === true || !head.keepAlive || this.router.closing;
      const send = (bytes: Buffer) => {
        if (this.phase === Phase.Closing) return;
        this.socket.write(bytes);
        this.exchangeDone(!close);
      };
      if (Buffer.isBuffer(where.answer)) send(where.answer);
      else where.answer.then(send, () => this.refuse(500, 'internal error'));
      return;
    }
    let up = `${head.method} ${head.target} HTTP/1.1\r\n${head.forward}x-forwarded-for: ${
      head.forwardedFor !== undefined ? `${head.forwardedFor}, ${this.remote}` : this.remote
    }\r\n`;
    if (!head.forwardedProto) up += 'x-forwarded-proto: http\r\n';
    if (!head.forwardedHost && head.host !== undefined) up += `x-forwarded-host: ${head.host}\r\n`;
    let bytes: Buffer;
    if (body === undefined) bytes = Buffer.from(`${up}\r\n`, 'latin1');
    else {
      up += `content-length: ${body.length}\r\n\r\n`;
      bytes = Buffer.allocUnsafe(up.length + body.length);
      bytes.write(up, 0, 'latin1');
      body.copy(bytes, up.length);
    }
    this.exchange = new Exchange(this, this.router, head, where, bytes);
    this.exchange.start();
  }

  upstreamFor(t: Target): UpstreamConnection {
    const c = this.upstreams.get(t);
    if (c !== undefined) {
      if (c.usable && c.epoch === t.addressEpoch) return c;
      c.destroy(); // idle (exchanges run one at a time here), to an old process or broken
    }
    const fresh = new UpstreamConnection(t.address!, t.addressEpoch, (gone) => {
      t.sockets.delete(gone);
      if (this.upstreams.get(t) === gone) this.upstreams.delete(t);
    });
    t.sockets.add(fresh);
    this.upstreams.set(t, fresh);
    return fresh;
  }

  write(bytes: Buffer): boolean {
    return this.socket.write(bytes);
  }

  onDrain(resume: () => void): void {
    this.socket.once('drain', resume);
  }

  exchangeDone(keepAlive: boolean): void {
    this.exchange = null;
    this.head = null;
    if (!keepAlive || this.router.closing || (this.clientEnded && this.buf === null)) {
      this.close();
      return;
    }
    this.phase = Phase.Head;
    this.since = Date.now();
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
    this.drive();
  }

  cut(): void {
    this.exchange = null;
    this.phase = Phase.Closing;
    this.socket.destroy();
  }

  fail(status: number, message: string): void {
    const head = this.head;
    const close = head === null || !head.keepAlive || this.router.closing;
    this.socket.write(errorResponse(head?.path ?? '/', status, message, close));
    this.exchangeDone(!close);
  }

  /** Answers a request the router will not take, then closes: where the next request starts is no longer known. */
  refuse(status: number, message: string, head: RequestHead | null = this.head): void {
    if (this.phase === Phase.Closing) return;
    this.clearHeaderTimer();
    this.exchange?.clientGone();
    this.exchange = null;
    this.socket.write(errorResponse(head?.path ?? '/', status, message, true));
    this.close();
  }

  /** Ends the connection once what was written has gone (or at once if the client is gone). */
  close(): void {
    if (this.phase === Phase.Closing) return;
    this.phase = Phase.Closing;
    this.clearHeaderTimer();
    this.socket.end();
    // A client that never closes its side does not keep the socket.
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  private pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.socket.pause();
  }

  private clearHeaderTimer(): void {
    if (this.headerTimer !== undefined) {
      clearTimeout(this.headerTimer);
      this.headerTimer = undefined;
    }
  }

  private readonly onEnd = (): void => {
    this.clientEnded = true;
    if (this.phase === Phase.Head && this.buf === null) this.close();
    else if (this.phase === Phase.Head || this.phase === Phase.Body) this.refuse(400, 'the client closed its side mid-request');
  };

  private readonly onClose = (): void => {
    this.clearHeaderTimer();
    this.exchange?.clientGone();
    this.exchange = null;
    this.phase = Phase.Closing;
    for (const c of this.upstreams.values()) c.destroy();
    this.upstreams.clear();
    this.router.forget(this);
  };
}
