import { performance } from 'node:perf_hooks';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { spawnServer } from './processes.js';
import type { ChildServer } from './processes.js';

// A minimal JSON-RPC client over a child's stdin/stdout, one request at a
// time. The bench times servers, so the client side is kept as thin as the
// guide's own probe (write a line, read a line), identical for ours and the floor.

export class StdioRpc {
  private buffer = '';
  private waiting: { id: number; resolve(msg: Record<string, unknown>): void; reject(err: Error): void } | undefined;
  private nextId = 1;
  /** Set when the server has exited: later requests fail at once instead of waiting out their timeout. */
  private exited: Error | undefined;

  private constructor(readonly server: ChildServer) {
    const { child } = server;
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => this.onData(chunk));
    child.once('exit', (code) => {
      this.exited = new Error(`server exited with code ${code}: ${server.stderrTail()}`);
      this.waiting?.reject(this.exited);
    });
  }

  /**
   * Spawns the server, optionally lets it settle (the guide's baseline sleeps
   * 2 s), completes the MCP handshake and lists the tools, as a client does
   * before its first call.
   */
  static async start(argv: string[], env: Record<string, string>, timeoutMs: number, settleMs = 0): Promise<StdioRpc> {
    const rpc = new StdioRpc(spawnServer(argv, env, 'pipe-all'));
    try {
      if (settleMs > 0) await new Promise((r) => setTimeout(r, settleMs));
      await rpc.request(
        'initialize',
        { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'llm-pricing-mcp-bench', version: '0' } },
        timeoutMs,
      );
      rpc.notify('notifications/initialized');
      await rpc.request('tools/list', {}, timeoutMs);
    } catch (err) {
      await rpc.close();
      throw err;
    }
    return rpc;
  }

  get pid(): number {
    return this.server.pid;
  }

  /** One tools/call; resolves with its round-trip time in ms, rejects on a JSON-RPC or tool error. */
  async timeCall(name: string, args: Record<string, unknown>, timeoutMs: number): Promise<number> {
    const t0 = performance.now();
    const msg = await this.request('tools/call', { name, arguments: args }, timeoutMs);
    const ms = performance.now() - t0;
    const result = msg.result as { isError?: boolean } | undefined;
    if (result?.isError) throw new Error(`${name} returned an error result: ${JSON.stringify(result).slice(0, 200)}`);
    return ms;
  }

  request(method: string, params: unknown, timeoutMs: number): Promise<Record<string, unknown>> {
    if (this.waiting) throw new Error('StdioRpc sends one request at a time');
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        reject(new Error(`${method} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting = {
        id,
        resolve: (msg) => {
          clearTimeout(timer);
          if (msg.error) reject(new Error(`${method}: ${JSON.stringify(msg.error)}`));
          else resolve(msg);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.server.child.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  }

  private notify(method: string): void {
    this.server.child.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', method })}\n`);
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (!line) continue;
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue; // not ours to judge here: validate does that
      }
      const w = this.waiting;
      if (w && msg.id === w.id) {
        this.waiting = undefined;
        w.resolve(msg);
      }
    }
  }

  async close(): Promise<void> {
    this.server.child.stdin?.end();
    await this.server.stop();
  }
}
