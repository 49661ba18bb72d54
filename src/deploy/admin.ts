import { chmodSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

// The controller's private admin interface: a Unix socket D/admin.sock, mode 0600, in a
// 0700 directory. One request per connection: the client writes one JSON line
// { cmd, args }; the controller streams JSON lines back ({type:'line'} for progress,
// {type:'event'} for structured events) and ends with one {type:'result'}.

export interface AdminRequest {
  cmd: string;
  args: Record<string, unknown>;
}

export type AdminMessage =
  | { type: 'line'; text: string }
  | { type: 'event'; event: Record<string, unknown> }
  | { type: 'result'; ok: boolean; exitCode: number; data?: unknown; error?: string };

export type AdminResult = Extract<AdminMessage, { type: 'result' }>;

/** What a handler uses to stream progress to the client (lines are also what a human sees). */
export interface AdminOutput {
  line(text: string): void;
  event(event: Record<string, unknown>): void;
}

export type AdminHandler = (req: AdminRequest, out: AdminOutput) => Promise<AdminResult>;

export function adminSocketPath(dir: string): string {
  const path = join(dir, 'admin.sock');
  // Unix socket paths are limited to about 107 bytes on Linux.
  if (Buffer.byteLength(path) > 100) throw new Error(`the admin socket path ${path} is too long for a Unix socket: use a shorter --dir`);
  return path;
}

export class ControllerRunningError extends Error {}

/**
 * Listens on D/admin.sock. A socket file left by a dead controller is removed; one that still
 * answers means another controller owns this directory, and that is an error.
 */
export async function startAdminServer(dir: string, handler: AdminHandler): Promise<net.Server> {
  const path = adminSocketPath(dir);
  if (await answers(path)) throw new ControllerRunningError(`another controller is already running on ${path}`);
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

function serveConnection(conn: net.Socket, handler: AdminHandler): void {
  let buf = '';
  let handled = false;
  conn.setEncoding('utf8');
  conn.on('error', () => {
    // the client went away; the operation goes on
  });
  const send = (m: AdminMessage) => {
    if (!conn.destroyed && conn.writable) conn.write(JSON.stringify(m) + '\n');
  };
  conn.on('data', (chunk: string) => {
    if (handled) return;
    buf += chunk;
    const nl = buf.indexOf('\n');
    if (nl === -1) {
      if (buf.length > 1_000_000) conn.destroy();
      return;
    }
    handled = true;
    let req: AdminRequest;
    try {
      req = JSON.parse(buf.slice(0, nl)) as AdminRequest;
      if (typeof req.cmd !== 'string') throw new Error('missing cmd');
      req.args ??= {};
    } catch (err) {
      send({ type: 'result', ok: false, exitCode: 2, error: `bad admin request: ${(err as Error).message}` });
      conn.end();
      return;
    }
    const out: AdminOutput = {
      line: (text) => send({ type: 'line', text }),
      event: (event) => send({ type: 'event', event }),
    };
    handler(req, out)
      .catch((err: unknown): AdminResult => ({
        type: 'result',
        ok: false,
        exitCode: 1,
        error: err instanceof Error ? err.message : String(err),
      }))
      .then((result) => {
        send(result);
        conn.end();
      });
  });
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

export class NoControllerError extends Error {
  override name = 'NoControllerError';
}

/** Sends one request to the controller in `dir` and streams its messages to onMessage. */
export function adminCall(dir: string, req: AdminRequest, onMessage: (m: AdminMessage) => void = () => {}): Promise<AdminResult> {
  const path = adminSocketPath(dir);
  return new Promise((resolve, reject) => {
    const conn = net.connect(path);
    let buf = '';
    let result: AdminResult | undefined;
    conn.setEncoding('utf8');
    conn.once('connect', () => conn.write(JSON.stringify(req) + '\n'));
    conn.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) !== -1) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.trim()) continue;
        const m = JSON.parse(line) as AdminMessage;
        if (m.type === 'result') result = m;
        else onMessage(m);
      }
    });
    conn.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') {
        reject(new NoControllerError(`no controller at ${path}: start it with \`llm-pricing-mcp controller --dir ${dir}\``));
      } else if (err.code === 'EACCES') {
        reject(new NoControllerError(`not allowed to talk to the controller at ${path} (it belongs to another user)`));
      } else {
        reject(err);
      }
    });
    conn.once('close', () => {
      if (result) resolve(result);
      else reject(new Error(`the controller closed the connection without a result (did it stop?)`));
    });
  });
}
