import net from 'node:net';

// One socket from the router to an environment (a Unix socket, or TCP for releases that only
// speak TCP), owned by one client connection, and the parser of the responses it reads. Requests
// are written in one write; responses are parsed just far enough to relay them: the status line,
// the header lines, and where the body ends (Content-Length, chunked, or the socket closing).

import type { Address } from '../router-protocol.js';

/** What an exchange hears back from one trip. */
export interface UpstreamHandler {
  /** Status and the head's lines (the status line first, then "Name: value" lines), before any body byte. */
  onHead(status: number, lines: string[]): void;
  /** Body data (chunked bodies arrive decoded). */
  onBody(chunk: Buffer): void;
  onEnd(): void;
  /** Everything one read brought has been handed over: the exchange may write what it holds. */
  onFlush(): void;
  /** The trip failed; `responded`: a response head had arrived; `reused`: the socket carried an earlier exchange. */
  onFail(err: NodeJS.ErrnoException, responded: boolean, reused: boolean): void;
}

const maxHeadBytes = 64 * 1024;
const readBuffer = Buffer.allocUnsafe(64 * 1024);
// A header line must start with a token and a colon (RFC 9110 5.1): anything else is not relayed.
const headerNameRe = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+:/;
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

export function failure(message: string, code: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(message);
  err.code = code;
  return err;
}

export class UpstreamConnection {
  readonly socket: net.Socket;
  /** Whether the socket has carried a complete exchange (a reused socket may have been closed by the upstream while idle). */
  reused = false;
  private handler: UpstreamHandler | null = null;
  private headOnly = false;
  private pending: Buffer | null = null;
  private responded = false;
  private body = Body.None;
  private remaining = 0;
  private chunk = Chunk.Size;
  private keepAlive = true;
  private broken = false;
  private paused = false;

  constructor(
    address: Address,
    /** The target's address epoch it was opened in (an older one is not reused). */
    readonly epoch: number,
    /** Called once when the socket is gone (for the owner's bookkeeping). */
    private readonly onGone: (c: UpstreamConnection) => void,
  ) {
    // Reads land in one buffer shared by every upstream socket (no stream machinery, no allocation
    // per read): what is kept past the read (a partial head or chunk line) is copied.
    const onread = {
      buffer: readBuffer,
      callback: (n: number, buf: Uint8Array) => {
        this.onData(Buffer.from(buf.buffer, buf.byteOffset, n));
        return true;
      },
    };
    this.socket =
      'socketPath' in address
        ? net.connect({ path: address.socketPath, onread })
        : net.connect({ host: address.host, port: address.port, onread });
    this.socket.setNoDelay(true);
    this.socket.on('end', this.onEndOfStream);
    this.socket.on('error', this.onError);
    this.socket.on('close', this.onClose);
  }

  get usable(): boolean {
    return !this.broken && !this.socket.destroyed && this.handler === null;
  }

  /** No request on it. */
  get idle(): boolean {
    return this.handler === null;
  }

  /** Closes the socket; a request still on it fails (the exchange retries it or answers 502). */
  close(reason: string): void {
    if (this.handler !== null) this.fail(failure(reason, 'ECONNRESET'));
    else this.destroy();
  }

  /** Sends one request; the answer goes to `handler`. */
  send(bytes: Buffer, handler: UpstreamHandler, headOnly: boolean): void {
    this.handler = handler;
    this.headOnly = headOnly;
    this.responded = false;
    this.pending = null;
    this.socket.write(bytes);
  }

  /** Drops the socket (abort, client gone, colour stopped). Its handler hears nothing more. */
  destroy(): void {
    this.handler = null;
    this.broken = true;
    this.socket.destroy();
  }

  /** Stops reading while a slow client catches up. */
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
    const h = this.handler;
    if (h === null) {
      // Bytes nobody asked for: this socket cannot be trusted with another request.
      this.destroy();
      return;
    }
    this.consume(data);
    h.onFlush();
  };

  private consume(data: Buffer): void {
    if (!this.responded) {
      const buf = this.pending === null ? data : Buffer.concat([this.pending, data]);
      const end = buf.indexOf(headEnd);
      if (end < 0) {
        if (buf.length > maxHeadBytes) this.fail(failure('upstream response head too large', 'HPE_HEADER_OVERFLOW'));
        else this.pending = Buffer.from(buf); // a copy: the read buffer is reused
        return;
      }
      this.pending = null;
      const interim = this.parseHead(buf.toString('latin1', 0, end));
      if (this.handler === null) return; // failed, or the handler dropped us
      if (interim) {
        if (end + 4 < buf.length) this.consume(buf.subarray(end + 4));
        return;
      }
      if (this.body === Body.None) return this.finish(buf.length > end + 4);
      if (end + 4 === buf.length) return;
      data = buf.subarray(end + 4);
    }
    this.readBody(data);
  }

  /** Parses the status line and header lines; true for an interim (1xx) answer. */
  private parseHead(text: string): boolean {
    const lines = text.split('\r\n');
    const statusLine = lines[0]!;
    const status = Number(statusLine.slice(9, 12));
    if (!statusLine.startsWith('HTTP/1.') || !(status >= 100 && status < 600)) {
      this.fail(failure(`bad upstream status line: ${statusLine.slice(0, 40)}`, 'HPE_INVALID_CONSTANT'));
      return false;
    }
    if (status < 200) return true; // interim: the final answer follows (Upgrade is never forwarded, so no 101)
    let length = -1;
    let chunked = false;
    let keepAlive = statusLine.charCodeAt(7) === 49; /* HTTP/1.1 */
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0 || !headerNameRe.test(line)) {
        this.fail(failure('bad upstream header line', 'HPE_INVALID_HEADER_TOKEN'));
        return false;
      }
      if (colon === 14 || colon === 17 || colon === 10) {
        const name = line.slice(0, colon).toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (name === 'content-length') length = Number(value);
        else if (name === 'transfer-encoding') chunked = value.toLowerCase().endsWith('chunked');
        else if (name === 'connection') {
          const v = value.toLowerCase();
          if (v.includes('close')) keepAlive = false;
          else if (v.includes('keep-alive')) keepAlive = true;
        }
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
    this.handler!.onHead(status, lines);
    return false;
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
        this.pending = Buffer.from(data.subarray(at)); // a copy: the read buffer is reused
        return;
      }
      const line = data.toString('latin1', at, eol);
      at = eol + 2;
      if (this.chunk === Chunk.DataEnd) {
        if (line !== '') return this.fail(failure('bad upstream chunk end', 'HPE_INVALID_CHUNK_SIZE'));
        this.chunk = Chunk.Size;
      } else if (this.chunk === Chunk.Size) {
        const semi = line.indexOf(';');
        const digits = (semi < 0 ? line : line.slice(0, semi)).trim();
        if (!/^[0-9a-fA-F]{1,12}$/.test(digits)) return this.fail(failure('bad upstream chunk size', 'HPE_INVALID_CHUNK_SIZE'));
        const size = parseInt(digits, 16);
        if (size === 0) this.chunk = Chunk.Trailer;
        else {
          this.chunk = Chunk.Data;
          this.remaining = size;
        }
      } else if (line === '') {
        return this.finish(at < data.length); // the empty line after the last chunk (and any trailers)
      }
    }
  }

  /** The response is complete: tell the handler, then keep the socket for the owner's next request or drop it. */
  private finish(extraBytes: boolean): void {
    const h = this.handler!;
    this.handler = null;
    this.reused = true;
    if (extraBytes || !this.keepAlive) this.broken = true;
    if (this.paused) this.resume(); // the next request's answer must be read
    h.onEnd();
    if (this.broken) this.socket.destroy();
  }

  private fail(err: NodeJS.ErrnoException): void {
    const h = this.handler;
    this.destroy();
    h?.onFail(err, this.responded, this.reused);
  }

  private readonly onEndOfStream = (): void => {
    if (this.handler !== null && this.responded && this.body === Body.UntilClose) {
      const h = this.handler;
      this.handler = null;
      this.broken = true;
      h.onEnd();
      h.onFlush();
    }
    this.socket.end();
  };

  private readonly onError = (err: NodeJS.ErrnoException): void => {
    this.fail(err);
  };

  private readonly onClose = (): void => {
    this.broken = true;
    if (this.handler !== null) this.fail(failure('upstream closed the connection', 'ECONNRESET'));
    this.onGone(this);
  };
}
