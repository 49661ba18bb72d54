import { chmodSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

// A private request/answer channel over a Unix socket (mode 0600, in the 0700 deploy directory):
// the controller's admin socket and the router's control socket both speak it. One request per
// connection: the client writes one JSON line { op, args }; the server streams JSON lines back
// ({type:'line'} progress for a person, {type:'event'} structured events) and ends with one
// {type:'result'}.

export interface RpcRequest {
  op: string;
  args: unknown;
}

export type RpcMessage =
  | { type: 'line'; text: string }
  | { type: 'event'; event: Record<string, unknown> }
  | { type: 'result'; ok: boolean; exitCode: number; data?: unknown; error?: string };

export type RpcResult = Extract<RpcMessage, { type: 'result' }>;

/** What a handler uses to stream progress to the client. */
export interface RpcOutput {
  line(text: string): void;
  event(event: Record<string, unknown>): void;
}

export type RpcHandler = (req: RpcRequest, out: RpcOutput) => Promise<RpcResult>;

export const ok = (data?: unknown): RpcResult => ({ type: 'result', ok: true, exitCode: 0, data });
export const fail = (error: string, exitCode = 1, data?: unknown): RpcResult => ({ type: 'result', ok: false, exitCode, error, data });

const maxRequestBytes = 1_000_000;

/** A socket path in `dir`, refused when too long for a Unix socket (about 107 bytes on Linux). */
export function socketPathIn(dir: string, name: string): string {
  const path = join(dir, name);
  if (Buffer.byteLength(path) > 100) throw new Error(`the socket path ${path} is too long for a Unix socket: use a shorter --dir`);
  return path;
}

/** Something already answers on the socket: another process owns it. */
export class SocketBusyError extends Error {
  override name = 'SocketBusyError';
}

/** Nothing answers on the socket. */
export class NoServerError extends Error {
  override name = 'NoServerError';
}

/** Resolves whether a server answers on `path`. */
export function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/**
 * Listens on `path`. A socket file left by a dead process is removed; one that still answers
 * belongs to a live server, and that is a SocketBusyError.
 */
export async function listenRpc(path: string, handler: RpcHandler, busyMessage: string): Promise<net.Server> {
  if (await answers(path)) throw new SocketBusyError(busyMessage);
  try {
    unlinkSync(path);
  } catch {
    // none left behind
  }
  const server = net.createServer((conn) => serveConnection(conn, handler));
  // umask around the bind so the socket is never, even briefly, reachable by others.
  const oldMask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(oldMask);
  }
  chmodSync(path, 0o600);
  return server;
}

function serveConnection(conn: net.Socket, handler: RpcHandler): void {
  let buf = '';
  let handled = false;
  conn.setEncoding('utf8');
  conn.on('error', () => {
    // the client went away; the operation goes on
  });
  const send = (m: RpcMessage) => {
    if (!conn.destroyed && conn.writable) conn.write(JSON.stringify(m) + '\n');
  };
  conn.on('data', (chunk: string) => {
    if (handled) return;
    buf += chunk;
    const nl = buf.indexOf('\n');
    if (nl === -1) {
      if (buf.length > maxRequestBytes) conn.destroy();
      return;
    }
    handled = true;
    let req: RpcRequest;
    try {
      const parsed = JSON.parse(buf.slice(0, nl)) as Partial<RpcRequest>;
      if (typeof parsed.op !== 'string') throw new Error('missing op');
      req = { op: parsed.op, args: parsed.args ?? {} };
    } catch (err) {
      send(fail(`bad request: ${(err as Error).message}`, 2));
      conn.end();
      return;
    }
    const out: RpcOutput = { line: (text) => send({ type: 'line', text }), event: (event) => send({ type: 'event', event }) };
    handler(req, out)
      .catch((err: unknown): RpcResult => fail(err instanceof Error ? err.message : String(err)))
      .then((result) => {
        send(result);
        conn.end();
      });
  });
}

/** Sends one request to the server on `path`; streams its messages to onMessage and resolves with the result. */
export function callRpc(path: string, req: RpcRequest, onMessage: (m: RpcMessage) => void = () => {}): Promise<RpcResult> {
  return new Promise((resolve, reject) => {
    const conn = net.connect(path);
    let buf = '';
    let result: RpcResult | undefined;
    conn.setEncoding('utf8');
    conn.once('connect', () => conn.write(JSON.stringify(req) + '\n'));
    conn.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) !== -1) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.trim()) continue;
        const m = JSON.parse(line) as RpcMessage;
        if (m.type === 'result') result = m;
        else onMessage(m);
      }
    });
    conn.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') reject(new NoServerError(`nothing answers on ${path}`));
      else if (err.code === 'EACCES') reject(new NoServerError(`not allowed to connect to ${path} (it belongs to another user)`));
      else reject(err);
    });
    conn.once('close', () => {
      if (result) resolve(result);
      else reject(new Error(`${path} closed the connection without a result (did it stop?)`));
    });
  });
}
