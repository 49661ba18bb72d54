import type { IncomingMessage } from 'node:http';

// Reads a JSON request body on plain node:http, as fastify's parser did for /mcp:
// at most `limit` bytes (413 beyond, told by Content-Length or counted as it
// arrives), UTF-8, parsed with JSON.parse, and refused when it carries a
// "__proto__" key or a "constructor.prototype" (the keys secure-json-parse
// refuses): such a key would turn into an object's prototype wherever the
// parsed value is later copied by assignment.

export interface BodyError {
  status: 400 | 413;
  message: string;
}

export function readJsonBody(req: IncomingMessage, limit: number, done: (err: BodyError | undefined, body?: unknown) => void): void {
  const tooLarge = (): BodyError => ({ status: 413, message: `Payload Too Large: request body must not exceed ${limit} bytes` });
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    req.resume();
    done(tooLarge());
    return;
  }
  let first: Buffer | undefined;
  let rest: Buffer[] | undefined;
  let size = 0;
  let finished = false;
  const finish = (err: BodyError | undefined, body?: unknown): void => {
    if (finished) return;
    finished = true;
    req.off('data', onData);
    req.off('end', onEnd);
    done(err, body);
  };
  const onData = (chunk: Buffer): void => {
    size += chunk.length;
    if (size > limit) {
      req.resume(); // discard the rest; the answer closes the connection
      finish(tooLarge());
      return;
    }
    if (first === undefined) first = chunk;
    else (rest ??= [first]).push(chunk);
  };
  const onEnd = (): void => {
    const buf = rest ? Buffer.concat(rest) : first;
    if (buf === undefined || buf.length === 0) return finish({ status: 400, message: 'Parse error: Invalid JSON (the body is empty)' });
    const text = buf.toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return finish({ status: 400, message: `Parse error: Invalid JSON (${(err as Error).message})` });
    }
    // Both keys can only appear as written or through a \u escape: the full check runs only then.
    if ((text.includes('__proto__') || text.includes('constructor') || text.includes('\\u')) && hasPrototypeKey(value)) {
      return finish({ status: 400, message: 'Parse error: a "__proto__" or "constructor.prototype" key is not allowed' });
    }
    finish(undefined, value);
  };
  req.on('data', onData);
  req.on('end', onEnd);
  // A client that goes away mid-body gets no answer; the response's close ends its tracking.
}

function hasPrototypeKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(hasPrototypeKey);
  for (const key of Object.keys(value)) {
    const child = (value as Record<string, unknown>)[key];
    if (key === '__proto__') return true;
    if (key === 'constructor' && typeof child === 'object' && child !== null && Object.hasOwn(child, 'prototype')) return true;
    if (hasPrototypeKey(child)) return true;
  }
  return false;
}
