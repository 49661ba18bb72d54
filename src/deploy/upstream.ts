import net from 'node:net';

// A minimal HTTP/1.1 client for the router's trips to its own environments: one keep-alive
// socket per request in flight, the request written in one write, the response parsed here.
// node:http's client (ClientRequest, Agent, IncomingMessage, header objects) was about a
// third of the router's CPU per request; the upstreams are our own node:http servers on
// loopback, so the subset of HTTP/1.1 they speak is all this needs to read.

/** What the exchange hears back from one trip. */
export interface UpstreamHandler {
  /** Status and raw headers (name, value, name, value...), before any body byte. */
  onHead(status: number, rawHeaders: string[]): void;
  onBody(chunk: Buffer): void;
  onEnd(): void;
  /**
   * The trip failed; `responded` says whether a response head had arrived, `reused` whether the
   * socket had carried an earlier exchange (an idle keep-alive socket the upstream just closed).
   */
  onFail(err: NodeJS.ErrnoException, responded: boolean, reused: boolean): void;
}

// Idle sockets older than this are not reused: node:http servers close idle keep-alive sockets
// after 5 s by default, and a request written just as the server closes one would be lost.
const maxIdleMs = 4_000;
const maxHeadBytes = 64 * 1024;
const headEnd = Buffer.from('\r\n\r\n');
const crlf = Buffer.from('\r\n');

const enum Body {
  None,
  Length,
  Chunked,
  UntilClose,
}
const enum Chunk {
  Size,
  Data,
  DataEnd,
  Trailer,
}

function failure(message: string, code: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(message);
  err.code = code;
  return err;
}

/** One keep-alive socket to an upstream and the parser of the response it is reading. */
export class UpstreamConnection {
  readonly socket: net.Socket;
  /** Whether the socket has carried a complete exchange before (a reused socket may be stale). */
  reused = false;
  idleSince = 0;
  private handler: UpstreamHandler | null = null;
  private headOnly = false;
  private pending: Buffer | null = null; // unparsed head bytes
  private responded = false;
  private body = Body.None;
  private remaining = 0;
  private chunk = Chunk.Size;
  private keepAlive = true;
  private broken = false;
  private paused = false;

  constructor(
    private readonly pool: UpstreamPool,
    host: string,
    port: number,
  ) {
    this.socket = net.connect({ host, port, noDelay: true });
    this.socket.on('data', this.onData);
    this.socket.on('end', this.onEnd);
    this.socket.on('error', this.onError);
    this.socket.on('close', this.onClose);
  }

  /** Sends one request (head and latin1 body in one write); the answer goes to `handler`. */
  send(head: string, body: string | undefined, handler: UpstreamHandler, headOnly: boolean): void {
    this.handler = handler;
    this.headOnly = headOnly;
    this.responded = false;
    this.pending = null;
    this.socket.write(body === undefined ? head : head + body, 'latin1');
  }

  /** Drops the socket (abort, client gone, drain). Its handler hears nothing more. */
  destroy(): void {
    this.handler = null;
    this.broken = true;
    this.socket.destroy();
  }

  /** Stops reading while the client catches up (a slow reader of a large body). */
  pause(): void {
    this.paused = true;
    this.socket.pause();
  }
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.socket.resume();
  }

  private readonly onData = (data: Buffer): void => {
    if (this.handler === null) {
      // Bytes nobody asked for: the connection cannot be trusted for another request.
      this.destroy();
      return;
    }
    if (!this.responded) {
      const buf = this.pending === null ? data : Buffer.concat([this.pending, data]);
      const end = buf.indexOf(headEnd);
      if (end < 0) {
        if (buf.length > maxHeadBytes) return this.fail(failure('upstream response head too large', 'HPE_HEADER_OVERFLOW'));
        this.pending = buf;
        return;
      }
      this.pending = null;
      if (!this.parseHead(buf.toString('latin1', 0, end))) return;
      if (!this.responded) {
        // An interim 1xx answer: the real one follows.
        if (end + 4 < buf.length) this.onData(buf.subarray(end + 4));
        return;
      }
      if (this.body === Body.None) return this.finish(buf.length > end + 4);
      if (end + 4 === buf.length) return;
      data = buf.subarray(end + 4);
    }
    this.readBody(data);
  };

  /** Parses the status line and headers; false when it failed the trip. */
  private parseHead(text: string): boolean {
    const lines = text.split('\r\n');
    const statusLine = lines[0]!;
    const status = Number(statusLine.slice(9, 12));
    if (!statusLine.startsWith('HTTP/1.') || !(status >= 100 && status < 600)) {
      this.fail(failure(`bad upstream status line: ${statusLine.slice(0, 40)}`, 'HPE_INVALID_CONSTANT'));
      return false;
    }
    if (status < 200 && status !== 101) return true; // 1xx: wait for the final answer
    const raw: string[] = [];
    let length = -1;
    let chunked = false;
    let keepAlive = statusLine.charCodeAt(7) === 49; /* HTTP/1.1 */
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0) {
        this.fail(failure('bad upstream header line', 'HPE_INVALID_HEADER_TOKEN'));
        return false;
      }
      const name = line.slice(0, colon);
      const value = line.slice(colon + 1).trim();
      raw.push(name, value);
      if (name.length === 14 && name.toLowerCase() === 'content-length') length = Number(value);
      else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') chunked = value.toLowerCase().endsWith('chunked');
      else if (name.length === 10 && name.toLowerCase() === 'connection') {
        const v = value.toLowerCase();
        if (v.includes('close')) keepAlive = false;
        else if (v.includes('keep-alive')) keepAlive = true;
      }
    }
    this.keepAlive = keepAlive;
    if (this.headOnly || status === 204 || status === 304) this.body = Body.None;
    else if (chunked) {
      this.body = Body.Chunked;
      this.chunk = Chunk.Size;
    } else if (length >= 0 && Number.isInteger(length)) {
      this.body = length === 0 ? Body.None : Body.Length;
      this.remaining = length;
    } else {
      this.body = Body.UntilClose;
      this.keepAlive = false;
    }
    this.responded = true;
    this.handler!.onHead(status, raw);
    return this.handler !== null; // the handler may have dropped us
  }

  private readBody(data: Buffer): void {
    const h = this.handler!;
    if (this.body === Body.Length) {
      if (data.length < this.remaining) {
        this.remaining -= data.length;
        h.onBody(data);
        return;
      }
      const extra = data.length > this.remaining;
      h.onBody(extra ? data.subarray(0, this.remaining) : data);
      this.remaining = 0;
      if (this.handler !== null) this.finish(extra);
      return;
    }
    if (this.body === Body.UntilClose) {
      h.onBody(data);
      return;
    }
    this.readChunked(data);
  }

  /** Decodes chunked transfer coding, handing each piece of data on as it arrives. */
  private readChunked(data: Buffer): void {
    let at = 0;
    if (this.pending !== null) {
      data = Buffer.concat([this.pending, data]);
      this.pending = null;
    }
    while (at < data.length && this.handler !== null) {
      if (this.chunk === Chunk.Data) {
        const n = Math.min(this.remaining, data.length - at);
        this.handler.onBody(data.subarray(at, at + n));
        at += n;
        this.remaining -= n;
        if (this.remaining === 0) this.chunk = Chunk.DataEnd;
        continue;
      }
      const eol = data.indexOf(crlf, at);
      if (eol < 0) {
        if (data.length - at > 1024) return this.fail(failure('bad upstream chunk', 'HPE_INVALID_CHUNK_SIZE'));
        this.pending = data.subarray(at);
        return;
      }
      const line = data.toString('latin1', at, eol);
      at = eol + 2;
      if (this.chunk === Chunk.DataEnd) {
        if (line !== '') return this.fail(failure('bad upstream chunk end', 'HPE_INVALID_CHUNK_SIZE'));
        this.chunk = Chunk.Size;
      } else if (this.chunk === Chunk.Size) {
        const semi = line.indexOf(';');
        const size = parseInt(semi < 0 ? line : line.slice(0, semi), 16);
        if (!Number.isFinite(size) || size < 0) return this.fail(failure('bad upstream chunk size', 'HPE_INVALID_CHUNK_SIZE'));
        if (size === 0) this.chunk = Chunk.Trailer;
        else {
          this.chunk = Chunk.Data;
          this.remaining = size;
        }
      } else if (line === '') {
        return this.finish(at < data.length); // the empty line after the last chunk (and trailers)
      }
    }
  }

  /** The response is complete: tell the handler, then keep the socket for the next request or drop it. */
  private finish(extraBytes: boolean): void {
    const h = this.handler!;
    this.handler = null;
    this.reused = true;
    if (extraBytes || !this.keepAlive) this.broken = true;
    h.onEnd();
    if (this.broken) this.socket.destroy();
    else {
      this.resume(); // the last chunk may have paused it; the next request must be read
      this.pool.release(this);
    }
  }

  private fail(err: NodeJS.ErrnoException): void {
    const h = this.handler;
    this.destroy();
    h?.onFail(err, this.responded, this.reused);
  }

  private readonly onEnd = (): void => {
    if (this.handler !== null && this.responded && this.body === Body.UntilClose) {
      const h = this.handler;
      this.handler = null;
      this.broken = true;
      h.onEnd();
    }
    this.socket.end();
  };

  private readonly onError = (err: NodeJS.ErrnoException): void => {
    this.fail(err);
  };

  private readonly onClose = (): void => {
    this.broken = true;
    this.pool.forget(this);
    // Closed before the answer was complete (a stale keep-alive socket, or the upstream died).
    if (this.handler !== null) this.fail(failure('upstream closed the connection', 'ECONNRESET'));
  };

  get usable(): boolean {
    return !this.broken && !this.socket.destroyed;
  }
}

/** The keep-alive sockets to one upstream (most recently used first). */
export class UpstreamPool {
  readonly all = new Set<UpstreamConnection>();
  private readonly idle: UpstreamConnection[] = [];
  private closed = false;

  constructor(
    private readonly host: () => string,
    private readonly port: () => number,
  ) {}

  acquire(now: number): UpstreamConnection {
    for (;;) {
      const c = this.idle.pop();
      if (c === undefined) break;
      if (c.usable && now - c.idleSince < maxIdleMs) return c;
      c.destroy();
    }
    const c = new UpstreamConnection(this, this.host(), this.port());
    this.all.add(c);
    return c;
  }

  release(c: UpstreamConnection): void {
    if (this.closed || !c.usable) {
      c.destroy();
      return;
    }
    c.idleSince = Date.now();
    this.idle.push(c);
  }

  forget(c: UpstreamConnection): void {
    this.all.delete(c);
    const i = this.idle.indexOf(c);
    if (i >= 0) this.idle.splice(i, 1);
  }

  /** Closes every socket (idle and busy); sockets it hands out later are not kept after their request. */
  destroy(): void {
    this.closed = true;
    for (const c of [...this.all]) c.destroy();
    this.idle.length = 0;
  }
}
