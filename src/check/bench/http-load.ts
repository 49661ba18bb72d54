import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';

// The HTTP load generator: each connection is one keep-alive socket carrying
// one MCP session (initialized first), sending tool calls back to back.
// Bounded by a call count and a time limit; loopback only.

interface HttpReply {
  status: number;
  sessionId: string | undefined;
  body: string;
}

export class McpHttpConnection {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private sessionId: string | undefined;
  private nextId = 1;

  constructor(private readonly url: URL) {
    if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost' && url.hostname !== '[::1]') {
      throw new Error(`the load generator only targets loopback, not ${url.hostname}`);
    }
  }

  async initialize(timeoutMs: number): Promise<void> {
    const reply = await this.post(
      {
        jsonrpc: '2.0',
        id: this.nextId++,
        method: 'initialize',
        params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'llm-pricing-mcp-bench', version: '0' } },
      },
      timeoutMs,
    );
    if (reply.status !== 200 || !reply.sessionId)
      throw new Error(`initialize answered HTTP ${reply.status} without a session: ${reply.body.slice(0, 200)}`);
    this.sessionId = reply.sessionId;
    await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' }, timeoutMs);
  }

  /** One tools/call; true when it answered 200 with a result that is not an error. */
  async call(name: string, args: Record<string, unknown>, timeoutMs: number): Promise<boolean> {
    const reply = await this.post(
      { jsonrpc: '2.0', id: this.nextId++, method: 'tools/call', params: { name, arguments: args } },
      timeoutMs,
    );
    if (reply.status !== 200) return false;
    const msg = parseReply(reply.body);
    return msg !== undefined && msg.error === undefined && (msg.result as { isError?: boolean } | undefined)?.isError !== true;
  }

  /** Ends the session (DELETE) and closes the socket. */
  async close(timeoutMs = 2000): Promise<void> {
    if (this.sessionId) {
      await this.send('DELETE', undefined, timeoutMs).catch(() => undefined);
      this.sessionId = undefined;
    }
    this.agent.destroy();
  }

  private post(message: unknown, timeoutMs: number): Promise<HttpReply> {
    return this.send('POST', JSON.stringify(message), timeoutMs);
  }

  private send(method: 'POST' | 'DELETE', body: string | undefined, timeoutMs: number): Promise<HttpReply> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
      };
      if (body !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = String(Buffer.byteLength(body));
      }
      if (this.sessionId) headers['mcp-session-id'] = this.sessionId;
      const req = request(this.url, { method, agent: this.agent, headers, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const sid = res.headers['mcp-session-id'];
          resolve({
            status: res.statusCode ?? 0,
            sessionId: typeof sid === 'string' ? sid : undefined,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${this.url.pathname} timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** A JSON body, or the first `data:` event of an SSE body. */
function parseReply(body: string): Record<string, unknown> | undefined {
  let text = body.trim();
  if (text.startsWith('event:') || text.startsWith('data:') || text.startsWith('id:')) {
    const data = text.split('\n').find((l) => l.startsWith('data:'));
    if (!data) return undefined;
    text = data.slice(5).trim();
  }
  try {
    const msg: unknown = JSON.parse(text);
    return typeof msg === 'object' && msg !== null ? (msg as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export interface LoadResult {
  calls: number;
  errors: number;
  elapsedMs: number;
  callsPerSecond: number;
  /** True when the time limit ended the run before the call count. */
  timedOut: boolean;
}

/** Opens `count` connections, each initialized with its own session. */
export async function openConnections(url: string, count: number, timeoutMs: number): Promise<McpHttpConnection[]> {
  const conns = Array.from({ length: count }, () => new McpHttpConnection(new URL(url)));
  try {
    await Promise.all(conns.map((c) => c.initialize(timeoutMs)));
  } catch (err) {
    await closeConnections(conns);
    throw err;
  }
  return conns;
}

export async function closeConnections(conns: McpHttpConnection[]): Promise<void> {
  await Promise.all(conns.map((c) => c.close()));
}

/** Sends `calls` tool calls spread over the connections (each sequential), or stops at the time limit. */
export async function runLoad(
  conns: McpHttpConnection[],
  load: { calls: number; timeLimitMs: number; tool: string; args: Record<string, unknown>; requestTimeoutMs: number },
): Promise<LoadResult> {
  let issued = 0;
  let done = 0;
  let errors = 0;
  const t0 = performance.now();
  const deadline = t0 + load.timeLimitMs;
  let timedOut = false;
  await Promise.all(
    conns.map(async (conn) => {
      while (issued < load.calls) {
        if (performance.now() > deadline) {
          timedOut = true;
          return;
        }
        issued++;
        let ok: boolean;
        try {
          ok = await conn.call(load.tool, load.args, load.requestTimeoutMs);
        } catch {
          ok = false;
        }
        done++;
        if (!ok) errors++;
      }
    }),
  );
  const elapsedMs = performance.now() - t0;
  return { calls: done, errors, elapsedMs, callsPerSecond: elapsedMs > 0 ? (done * 1000) / elapsedMs : 0, timedOut };
}
