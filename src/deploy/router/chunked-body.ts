// Decodes a chunked request body (RFC 9112 7.1) as its bytes arrive, up to a size limit. The
// router forwards the body it decoded with a Content-Length, so the upstream reads one framing.

const crlf = Buffer.from('\r\n');
const maxLineBytes = 4096;

export class ChunkedBodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const enum Part {
  Size,
  Data,
  DataEnd,
  Trailer,
}

export class ChunkedBody {
  readonly parts: Buffer[] = [];
  size = 0;
  private part = Part.Size;
  private remaining = 0;
  private carry: Buffer | null = null;

  constructor(private readonly limit: number) {}

  /**
   * Takes the next bytes; returns the bytes after the body's end (possibly empty) once the body
   * is complete, or undefined while more are needed. Throws a ChunkedBodyError for bad framing (400)
   * or a body over the limit (413).
   */
  push(data: Buffer): Buffer | undefined {
    if (this.carry !== null) {
      data = Buffer.concat([this.carry, data]);
      this.carry = null;
    }
    let at = 0;
    while (at < data.length) {
      if (this.part === Part.Data) {
        const n = Math.min(this.remaining, data.length - at);
        this.parts.push(data.subarray(at, at + n));
        at += n;
        this.remaining -= n;
        if (this.remaining === 0) this.part = Part.DataEnd;
        continue;
      }
      const eol = data.indexOf(crlf, at);
      if (eol < 0) {
        if (data.length - at > maxLineBytes) throw new ChunkedBodyError(400, 'malformed chunked body');
        this.carry = data.subarray(at);
        return undefined;
      }
      const line = data.toString('latin1', at, eol);
      at = eol + 2;
      if (this.part === Part.DataEnd) {
        if (line !== '') throw new ChunkedBodyError(400, 'malformed chunked body: no CRLF after chunk data');
        this.part = Part.Size;
      } else if (this.part === Part.Size) {
        const semi = line.indexOf(';');
        const digits = (semi < 0 ? line : line.slice(0, semi)).trim();
        if (!/^[0-9a-fA-F]{1,8}$/.test(digits)) throw new ChunkedBodyError(400, 'malformed chunk size');
        const n = parseInt(digits, 16);
        if (this.size + n > this.limit) throw new ChunkedBodyError(413, `request body over ${this.limit} bytes`);
        this.size += n;
        if (n === 0) this.part = Part.Trailer;
        else {
          this.part = Part.Data;
          this.remaining = n;
        }
      } else if (line === '') {
        return data.subarray(at); // the empty line after the last chunk (trailer fields are dropped)
      }
    }
    return undefined;
  }

  body(): Buffer {
    return this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size);
  }
}
