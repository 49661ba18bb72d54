import net from 'node:net';
import { performance } from 'node:perf_hooks';

// A lean HTTP/1.1 load client: raw keep-alive sockets, each request a
// pre-built buffer (only a fixed-width JSON-RPC id is rewritten in place),
// responses parsed just far enough to find their end and status: one write and
// one read per request (and ~0.1 epoll_wait, strace -c), ~20 µs of CPU (user +
// system) per request against the echo, where node:http adds 30–60 µs of its
// own; so the server, not the client, is what a bench measures. It runs in its own process
// (lean-load-child.ts, driven by LeanLoadClient) so that the two do not share
// an event loop. Loopback or Unix sockets only.

export type LeanRequest =
  | { kind: 'get'; path: string; headers?: Record<string, string> }
  | { kind: 'post'; path: string; body: string; headers?: Record<string, string> }
  /** An MCP session per connection (initialize first), then tools/call back to back. */
  | { kind: 'mcp'; path: string; tool: string; args: Record<string, unknown>; headers?: Record<string, string> };

export interface LeanLoadSpec {
  /** TCP on loopback, or a Unix socket path. */
  target: { host: string; port: number } | { socketPath: string };
  /** The Host header (default the target's host:port, or localhost for a socket). */
  hostHeader?: string;
  connections: number;
  /** Requests in flight on one connection (HTTP/1.1 pipelining); default 1. */
  pipeline?: number;
  /** How long to measure, after warm-up. */
  durationMs: number;
  /** Requests sent, unmeasured, before the clock starts (default 0). */
  warmupMs?: number;
  /** Stop after this many measured requests (a bound, whatever the duration). */
  maxRequests?: number;
  /** Record each request's latency (costs a little; meant for low connection counts). */
  latency?: boolean;
  /** Per-request timeout: a connection with no answer for this long fails the run. */
  timeoutMs?: number;
}

export interface LeanLoadResult {
  requests: number;
  errors: number;
  elapsedMs: number;
  rps: number;
  /** CPU the client process used while measuring, in µs, and per request. */
  clientCpuUs: number;
  clientCpuPerRequestUs: number;
  latencyUs?: { p50: number; p90: number; p99: number; max: number };
  /** Status and the start of the body of the first failed answer, to say why. */
  firstError?: string;
}

const CRLF_CRLF = Buffer.from('\r\n\r\n');
const ID_WIDTH = 12;
const MAX_LATENCY_SAMPLES = 1_000_000;

export function assertLocal(spec: LeanLoadSpec): void {
  if ('host' in spec.target) {
    const h = spec.target.host;
    if (h !== '127.0.0.1' && h !== 'localhost' && h !== '::1') throw new Error(`the load client only targets loopback, not ${h}`);
  }
}

function hostHeaderOf(spec: LeanLoadSpec): string {
  if (spec.hostHeader) return spec.hostHeader;
  return 'host' in spec.target ? `${spec.target.host}:${spec.target.port}` : 'localhost';
}

function headerLines(headers: Record<string, string> | undefined): string {
  let out = '';
  for (const [k, v] of Object.entries(headers ?? {})) out += `${k}: ${v}\r\n`;
  return out;
}

/** A request as bytes, with the offset of its fixed-width id digits (or -1). */
interface Template {
  bytes: Buffer;
  idAt: number;
}

function mcpCallTemplate(req: Extract<LeanRequest, { kind: 'mcp' }>, host: string, session: string): Template {
  const marker = '#'.repeat(ID_WIDTH);
  const body = JSON.stringify({ jsonrpc: '2.0', id: marker, method: 'tools/call', params: { name: req.tool, arguments: req.args } });
  const head =
    `POST ${req.path} HTTP/1.1\r\nhost: ${host}\r\ncontent-type: application/json\r\n` +
    `accept: application/json, text/event-stream\r\nmcp-session-id: ${session}\r\n${headerLines(req.headers)}` +
    `content-length: ${Buffer.byteLength(body)}\r\n\r\n`;
  const bytes = Buffer.from(head + body, 'utf8');
  return { bytes, idAt: bytes.indexOf(marker) };
}

function plainTemplate(req: Exclude<LeanRequest, { kind: 'mcp' }>, host: string): Template {
  if (req.kind === 'get') {
    return { bytes: Buffer.from(`GET ${req.path} HTTP/1.1\r\nhost: ${host}\r\n${headerLines(req.headers)}\r\n`), idAt: -1 };
  }
  const head =
    `POST ${req.path} HTTP/1.1\r\nhost: ${host}\r\ncontent-type: application/json\r\n${headerLines(req.headers)}` +
    `content-length: ${Buffer.byteLength(req.body)}\r\n\r\n`;
  return { bytes: Buffer.from(head + req.body, 'utf8'), idAt: -1 };
}

function writeId(t: Template, n: number): void {
  if (t.idAt < 0) return;
  let v = n;
  for (let i = ID_WIDTH - 1; i >= 0; i--) {
    t.bytes[t.idAt + i] = 48 + (v % 10);
    v = Math.floor(v / 10);
  }
}

interface Answer {
  status: number;
  head: string;
  body: Buffer;
}

/**
 * Splits a byte stream into HTTP/1.1 responses: Content-Length and chunked bodies
 * (a response to HEAD or a 1xx/204/304 has none). Enough for servers under test.
 */
class ResponseParser {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer, onAnswer: (a: Answer) => void): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      const end = this.buf.indexOf(CRLF_CRLF);
      if (end < 0) return;
      const head = this.buf.toString('latin1', 0, end);
      const status = Number(head.slice(9, 12));
      const lower = head.toLowerCase();
      let bodyStart = end + 4;
      let body: Buffer;
      const cl = /\r\ncontent-length:\s*(\d+)/.exec(lower);
      if (cl) {
        const len = Number(cl[1]);
        if (this.buf.length < bodyStart + len) return;
        body = this.buf.subarray(bodyStart, bodyStart + len);
        bodyStart += len;
      } else if (/\r\ntransfer-encoding:[^\r]*chunked/.test(lower)) {
        const parts: Buffer[] = [];
        let at = bodyStart;
        for (;;) {
          const lineEnd = this.buf.indexOf('\r\n', at);
          if (lineEnd < 0) return;
          const size = parseInt(this.buf.toString('latin1', at, lineEnd), 16);
          if (Number.isNaN(size)) throw new Error('bad chunk size in response');
          if (size === 0) {
            // The last chunk: "0\r\n", then trailers (rare), then an empty line.
            if (this.buf.length < lineEnd + 4) return;
            if (this.buf[lineEnd + 2] === 13 && this.buf[lineEnd + 3] === 10) {
              at = lineEnd + 4;
              break;
            }
            const trailerEnd = this.buf.indexOf(CRLF_CRLF, lineEnd + 2);
            if (trailerEnd < 0) return;
            at = trailerEnd + 4;
            break;
          }
          if (this.buf.length < lineEnd + 2 + size + 2) return;
          parts.push(this.buf.subarray(lineEnd + 2, lineEnd + 2 + size));
          at = lineEnd + 2 + size + 2;
        }
        body = Buffer.concat(parts);
        bodyStart = at;
      } else {
        body = Buffer.alloc(0); // no length and not chunked: 204/304 or a bodiless answer
      }
      this.buf = this.buf.subarray(bodyStart);
      onAnswer({ status, head, body });
    }
  }
}

const IS_ERROR = Buffer.from('"isError":true');
const RPC_ERROR = Buffer.from('"error":{');

function failed(a: Answer, mcp: boolean): boolean {
  if (a.status < 200 || a.status >= 300) return true;
  return mcp && (a.body.indexOf(RPC_ERROR) >= 0 || a.body.indexOf(IS_ERROR) >= 0);
}

function describe(a: Answer): string {
  return `HTTP ${a.status}: ${a.body.toString('utf8', 0, Math.min(a.body.length, 200))}`;
}

function connect(spec: LeanLoadSpec): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = 'host' in spec.target ? net.connect(spec.target.port, spec.target.host) : net.connect(spec.target.socketPath);
    s.setNoDelay(true);
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** One request/answer on a fresh parser, for the MCP handshake. */
function exchange(sock: net.Socket, bytes: Buffer, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const parser = new ResponseParser();
    const timer = setTimeout(() => done(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const onData = (c: Buffer): void => {
      try {
        parser.push(c, (a) => done(undefined, a));
      } catch (err) {
        done(err as Error);
      }
    };
    const onClose = (): void => done(new Error('connection closed during the handshake'));
    const done = (err?: Error, a?: Answer): void => {
      clearTimeout(timer);
      sock.off('data', onData);
      sock.off('close', onClose);
      if (err) reject(err);
      else resolve(a!);
    };
    sock.on('data', onData);
    sock.once('close', onClose);
    sock.write(bytes);
  });
}

async function openMcpSession(
  sock: net.Socket,
  req: Extract<LeanRequest, { kind: 'mcp' }>,
  host: string,
  timeoutMs: number,
): Promise<string> {
  const post = (body: string, session?: string): Buffer =>
    Buffer.from(
      `POST ${req.path} HTTP/1.1\r\nhost: ${host}\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\n` +
        `${session ? `mcp-session-id: ${session}\r\n` : ''}${headerLines(req.headers)}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  const init = JSON.stringify({
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'lean-load', version: '1' } },
  });
  const a = await exchange(sock, post(init), timeoutMs);
  const sid = /\r\nmcp-session-id:\s*([^\r]+)/i.exec(a.head)?.[1]?.trim();
  if (a.status !== 200 || !sid) throw new Error(`initialize failed: ${describe(a)}`);
  const b = await exchange(sock, post(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), sid), timeoutMs);
  if (b.status !== 202 && b.status !== 200) throw new Error(`notifications/initialized failed: ${describe(b)}`);
  return sid;
}

/** Runs one measurement in this process. */
export async function runLeanLoad(spec: LeanLoadSpec, request: LeanRequest): Promise<LeanLoadResult> {
  assertLocal(spec);
  const host = hostHeaderOf(spec);
  const depth = Math.max(1, spec.pipeline ?? 1);
  const timeoutMs = spec.timeoutMs ?? 10_000;
  const mcp = request.kind === 'mcp';
  const sockets = await Promise.all(Array.from({ length: spec.connections }, () => connect(spec)));
  const templates: Template[] = [];
  try {
    for (const s of sockets) {
      templates.push(
        mcp ? mcpCallTemplate(request, host, await openMcpSession(s, request, host, timeoutMs)) : plainTemplate(request, host),
      );
    }
  } catch (err) {
    for (const s of sockets) s.destroy();
    throw err;
  }

  let measuring = false;
  let stopping = false;
  let requests = 0;
  let errors = 0;
  let firstError: string | undefined;
  let nextId = 1;
  const samples: number[] = [];
  const maxRequests = spec.maxRequests ?? Number.MAX_SAFE_INTEGER;

  const result = new Promise<void>((resolveAll, rejectAll) => {
    let open = sockets.length;
    let lastProgress = performance.now();
    const watchdog = setInterval(
      () => {
        if (performance.now() - lastProgress > timeoutMs) {
          clearInterval(watchdog);
          for (const s of sockets) s.destroy();
          rejectAll(new Error(`no answer for ${timeoutMs} ms (${requests} requests done)`));
        }
      },
      Math.min(1000, timeoutMs),
    );
    sockets.forEach((sock, i) => {
      const t = templates[i]!;
      const parser = new ResponseParser();
      const sentAt: number[] = [];
      let inFlight = 0;
      const send = (): void => {
        writeId(t, nextId++);
        if (spec.latency) sentAt.push(performance.now());
        inFlight++;
        // The template is rewritten for the next request: copy only when pipelining keeps several queued.
        sock.write(depth > 1 ? Buffer.from(t.bytes) : t.bytes);
      };
      const finish = (): void => {
        if (--open === 0) {
          clearInterval(watchdog);
          resolveAll();
        }
      };
      sock.on('data', (chunk: Buffer) => {
        try {
          parser.push(chunk, (a) => {
            inFlight--;
            lastProgress = performance.now();
            const started = spec.latency ? sentAt.shift() : undefined;
            if (measuring) {
              requests++;
              if (failed(a, mcp)) {
                errors++;
                firstError ??= describe(a);
              } else if (started !== undefined && samples.length < MAX_LATENCY_SAMPLES) {
                samples.push((lastProgress - started) * 1000);
              }
              if (requests >= maxRequests) stopping = true;
            }
            if (!stopping) send();
            else if (inFlight === 0) finish();
          });
        } catch (err) {
          clearInterval(watchdog);
          rejectAll(err as Error);
        }
      });
      sock.once('close', () => {
        if (!stopping) {
          clearInterval(watchdog);
          rejectAll(new Error(`the server closed a connection after ${requests} requests`));
        }
      });
      sock.on('error', () => undefined); // reported through 'close'
      for (let k = 0; k < depth; k++) send();
    });
  });

  const warmup = spec.warmupMs ?? 0;
  let cpu0 = process.cpuUsage();
  let t0 = performance.now();
  const begin = (): void => {
    measuring = true;
    cpu0 = process.cpuUsage();
    t0 = performance.now();
  };
  const timers: NodeJS.Timeout[] = [];
  if (warmup > 0) timers.push(setTimeout(begin, warmup));
  else begin();
  timers.push(setTimeout(() => (stopping = true), warmup + spec.durationMs));
  try {
    await result;
  } finally {
    for (const t of timers) clearTimeout(t);
    for (const s of sockets) s.destroy();
  }
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const clientCpuUs = cpu.user + cpu.system;
  const out: LeanLoadResult = {
    requests,
    errors,
    elapsedMs,
    rps: requests / (elapsedMs / 1000),
    clientCpuUs,
    clientCpuPerRequestUs: requests > 0 ? clientCpuUs / requests : 0,
  };
  if (firstError) out.firstError = firstError;
  if (spec.latency && samples.length > 0) {
    samples.sort((a, b) => a - b);
    const q = (p: number): number => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!;
    out.latencyUs = { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: samples[samples.length - 1]! };
  }
  return out;
}
