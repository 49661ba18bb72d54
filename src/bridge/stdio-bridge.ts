import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { JSONRPCMessage, JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Readable, Writable } from 'node:stream';
import { UpstreamHealth } from './upstream-health.js';

// A stdio <-> Streamable HTTP bridge for desktop clients that only speak stdio.
// It survives a blue-green switch: when the colour that held our MCP session is
// drained and stopped, the router answers 404 for the old session id; the
// bridge then opens a new session by replaying the client's own initialize
// request and re-sends the message, so the desktop client never notices.

export interface BridgeOptions {
  url: URL;
  /** How long to keep retrying while the endpoint is unreachable (a controller restart). */
  reconnectWindowMs: number;
  headers?: Record<string, string>;
  stdin?: Readable;
  stdout?: Writable;
  log?: (line: string) => void;
}

const REINIT_ID_PREFIX = '__bridge_reinit_';

export class StdioBridge {
  private readonly stdio: StdioServerTransport;
  /** The upstream transport being opened or open; shared by concurrent messages. */
  private http: Promise<StreamableHTTPClientTransport> | undefined;
  private initializeRequest: JSONRPCRequest | undefined;
  private reinitCount = 0;
  /**
   * Every message waits for the last client initialize to be delivered, so no
   * request overtakes the handshake; after that, requests travel concurrently
   * (a slow call does not hold up a cancellation or another call).
   */
  private handshake: Promise<void> = Promise.resolve();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;
  private onClosed: (() => void) | undefined;
  private readonly health: UpstreamHealth;

  constructor(private readonly opts: BridgeOptions) {
    this.stdio = new StdioServerTransport(opts.stdin, opts.stdout);
    this.health = new UpstreamHealth((line) => this.log(line));
  }

  /** Starts relaying; resolves when stdin closes. */
  async run(): Promise<void> {
    const done = new Promise<void>((resolve) => (this.onClosed = resolve));
    this.stdio.onmessage = (message) => {
      const delivery = this.handshake.then(() => this.forward(message));
      if (isInitialize(message)) this.handshake = delivery;
      this.inFlight.add(delivery);
      void delivery.finally(() => this.inFlight.delete(delivery));
    };
    this.stdio.onclose = () => void this.close();
    this.stdio.onerror = (err) => this.log(`stdio error: ${err.message}`);
    await this.stdio.start();
    return done;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    const http = await this.http?.catch(() => undefined);
    await http?.terminateSession().catch(() => undefined);
    await http?.close().catch(() => undefined);
    this.onClosed?.();
  }

  private async forward(message: JSONRPCMessage): Promise<void> {
    const initialize = isInitialize(message);
    if (initialize) {
      // A client-initiated initialize always starts a fresh upstream session.
      this.initializeRequest = message as JSONRPCRequest;
      await this.resetUpstream(this.http);
    }
    const deadline = Date.now() + this.opts.reconnectWindowMs;
    let sessionReopened = false;
    for (;;) {
      const current = this.upstream(!initialize);
      try {
        await (await current).send(message);
        this.health.ok();
        return;
      } catch (err) {
        if (this.closed) return;
        // Another message found the session gone and replaced the transport,
        // aborting this send with it: simply re-send on the new one.
        if (this.http !== current && Date.now() < deadline) continue;
        // 404 means the server no longer knows our session (the colour holding it
        // was stopped): open a new one, once per message, then re-send.
        const sessionGone = err instanceof StreamableHTTPError && err.code === 404 && !initialize && !sessionReopened;
        if (sessionGone) {
          this.log('upstream session ended (404); opening a new session');
          sessionReopened = true;
          await this.resetUpstream(current);
          continue;
        }
        if (isConnectionError(err) && Date.now() < deadline) {
          // Back off (the wait grows while the deployment stays down), but never past this message's window.
          const delay = Math.min(this.health.failed(err instanceof Error ? err.message : String(err)), deadline - Date.now());
          await this.resetUpstream(current);
          await sleep(delay);
          continue;
        }
        return this.fail(message, err);
      }
    }
  }

  /**
   * The current upstream transport; a new one replays the client's initialize
   * (answer swallowed) so that it carries a live session before any other message.
   */
  private upstream(withSession: boolean): Promise<StreamableHTTPClientTransport> {
    this.http ??= this.open(withSession);
    return this.http;
  }

  private async open(withSession: boolean): Promise<StreamableHTTPClientTransport> {
    const http = new StreamableHTTPClientTransport(this.opts.url, {
      requestInit: this.opts.headers ? { headers: this.opts.headers } : undefined,
    });
    http.onmessage = (message) => {
      if ('id' in message && typeof message.id === 'string' && message.id.startsWith(REINIT_ID_PREFIX)) {
        if ('error' in message) this.log(`re-initialize refused: ${JSON.stringify(message.error)}`);
        return;
      }
      void this.stdio.send(message).catch((err: Error) => this.log(`stdout write failed: ${err.message}`));
    };
    // The transport's own errors (its event stream failing) are noted once per change of state.
    http.onerror = (err) => this.health.note(`upstream error: ${err.message}`);
    await http.start();
    if (withSession && this.initializeRequest) {
      try {
        await http.send({ ...this.initializeRequest, id: `${REINIT_ID_PREFIX}${++this.reinitCount}` });
        await http.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      } catch (err) {
        await http.close().catch(() => undefined);
        throw err;
      }
    }
    return http;
  }

  /** Drops `failed` if it is still the current upstream (a concurrent message may have replaced it already). */
  private async resetUpstream(failed: Promise<StreamableHTTPClientTransport> | undefined): Promise<void> {
    if (!failed || this.http !== failed) return;
    this.http = undefined;
    const old = await failed.catch(() => undefined);
    await old?.close().catch(() => undefined);
  }

  /** A request that could not be delivered gets a JSON-RPC error so the client is not left waiting. */
  private async fail(message: JSONRPCMessage, err: unknown): Promise<void> {
    const reason = err instanceof Error ? err.message : String(err);
    this.log(`could not deliver ${describe(message)}${this.health.down ? ` after ${this.health.attempts} attempts` : ''}: ${reason}`);
    if (isRequest(message)) {
      await this.stdio.send({
        jsonrpc: '2.0',
        id: message.id,
        error: { code: -32603, message: `upstream ${this.opts.url.href} unavailable: ${reason}` },
      });
    }
  }

  private log(line: string): void {
    this.opts.log?.(line);
  }
}

function isRequest(m: JSONRPCMessage): m is JSONRPCRequest {
  return 'method' in m && 'id' in m;
}

function isInitialize(m: JSONRPCMessage): boolean {
  return isRequest(m) && m.method === 'initialize';
}

function describe(m: JSONRPCMessage): string {
  return 'method' in m ? m.method : 'response';
}

/** fetch() wraps socket failures in a TypeError whose cause carries the code. */
function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const cause = (err as Error & { cause?: { code?: string } }).cause;
  const code = cause?.code ?? (err as Error & { code?: string }).code;
  return (
    err.name === 'TypeError' ||
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'UND_ERR_SOCKET' ||
    (err instanceof StreamableHTTPError && (err.code === 502 || err.code === 503))
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
