// Newline-delimited JSON-RPC over a pair of streams (stdin/stdout for `serve
// --stdio`). Unlike the SDK's StdioServerTransport (1.32), which drops a line it
// cannot parse without a reply and closes the connection when a line grows past
// its buffer limit, this one answers every bad line with a JSON-RPC error
// (-32700 parse error, -32600 invalid request) and keeps serving.

import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { DirectToolCall } from './dispatch.js';
import {
  INVALID_REQUEST,
  PARSE_ERROR,
  RpcCode,
  clarifyParamsError,
  errorReply,
  invalidMessageReason,
  requestIdOf,
} from './protocol-errors.js';

/** A line longer than this is discarded with an error reply (MCP messages are small). */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;
/** After end of input, close even if some request (e.g. one the client cancelled) is never answered. */
export const END_OF_INPUT_GRACE_MS = 5000;
/** With a load gate: start loading this long after start if the client has not spoken yet (it is idle time). */
export const QUIET_START_LOAD_MS = 50;

/**
 * Something the server needs before it can answer most requests (the price
 * catalog), loaded after start so that `initialize` is answered first.
 */
export interface LoadGate {
  readonly ready: boolean;
  /** Starts loading (once) and resolves when ready. */
  load(): Promise<void>;
}

/**
 * Requests answered at once while the gate is closed: they need nothing the gate
 * guards (resources/list does: it lists providers). Notifications and responses
 * pass too. A client that connects and lists what we offer is not kept waiting.
 */
const ANSWERED_BEFORE_LOAD = new Set(['initialize', 'ping', 'tools/list', 'prompts/list', 'resources/templates/list', 'logging/setLevel']);

export class LineTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /** Answers a plain tools/call without the SDK's protocol layer (see dispatch.ts); set once connected. */
  direct: DirectToolCall | undefined;

  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private discarding = false;
  private closed = false;
  /** Requests received and not yet answered: at end of input we answer them before closing. */
  private readonly unanswered = new Set<string | number>();
  private inputEnded = false;
  private endTimer: NodeJS.Timeout | undefined;
  private gate: LoadGate | undefined;
  /** Messages received while the gate was closed, in order. */
  private held: JSONRPCMessage[] = [];
  private quietTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
  ) {}

  /**
   * Until the gate is ready, hold the requests that need what it guards (in
   * order; once one is held, every message after it waits behind it too) and
   * answer them once it is. Loading starts after the first answer is
   * written, when a held message arrives, or after a quiet start.
   */
  holdUntilLoaded(gate: LoadGate): void {
    this.gate = gate;
  }

  async start(): Promise<void> {
    if (this.gate && !this.gate.ready) {
      this.quietTimer = setTimeout(() => void this.openGate(), QUIET_START_LOAD_MS);
      this.quietTimer.unref();
    }
    this.input.on('data', this.onData);
    this.input.on('end', this.onEnd);
    this.input.on('error', this.onInputError);
    this.output.on('error', this.onOutputError);
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) return Promise.resolve();
    const line = `${JSON.stringify(clarifyParamsError(message))}\n`;
    const written = new Promise<void>((resolve) => {
      if (this.output.write(line)) resolve();
      else this.output.once('drain', resolve);
    });
    if ('result' in message || 'error' in message) {
      if (this.unanswered.delete(message.id as string | number) && this.inputEnded) void written.then(() => this.closeIfDone());
      // The answer (initialize, as a rule) is out: now is the time to load.
      if (this.gate && !this.gate.ready) setImmediate(() => void this.openGate());
    }
    return written;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.endTimer) clearTimeout(this.endTimer);
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.held = [];
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.off('error', this.onInputError);
    this.input.pause();
    this.pending = [];
    this.onclose?.();
  }

  private readonly onData = (chunk: Buffer | string): void => {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (;;) {
      const nl = buf.indexOf(0x0a);
      if (nl === -1) {
        this.keep(buf);
        return;
      }
      const head = buf.subarray(0, nl);
      buf = buf.subarray(nl + 1);
      if (this.discarding) {
        this.discarding = false; // the end of an over-long line: start fresh after it
        continue;
      }
      let line: Buffer = head;
      if (this.pending.length > 0) {
        line = Buffer.concat([...this.pending, head]);
        this.pending = [];
        this.pendingBytes = 0;
      }
      this.handleLine(line);
      if (this.closed) return;
    }
  };

  private keep(part: Buffer): void {
    if (this.discarding || part.length === 0) return;
    this.pendingBytes += part.length;
    if (this.pendingBytes > MAX_LINE_BYTES) {
      this.pending = [];
      this.pendingBytes = 0;
      this.discarding = true;
      void this.send(errorReply(null, INVALID_REQUEST, `Message longer than ${MAX_LINE_BYTES} bytes; discarded`));
      return;
    }
    this.pending.push(part);
  }

  private handleLine(raw: Buffer): void {
    const text = raw.toString('utf8').replace(/\r$/, '');
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      void this.send(errorReply(null, PARSE_ERROR, `Parse error: ${(err as Error).message}`));
      return;
    }
    if (Array.isArray(value)) {
      void this.send(
        errorReply(null, INVALID_REQUEST, 'Invalid Request: JSON-RPC batches are not supported by MCP; send one message per line'),
      );
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(value);
    if (!parsed.success) {
      void this.send(errorReply(requestIdOf(value), INVALID_REQUEST, `Invalid Request: ${invalidMessageReason(value)}`));
      return;
    }
    const message = parsed.data;
    if ('method' in message && 'id' in message) this.unanswered.add(message.id);
    // Once something waits, everything after it waits too: answers keep the order of the requests.
    const passes = this.held.length === 0 && (!('id' in message && 'method' in message) || ANSWERED_BEFORE_LOAD.has(message.method));
    if (this.gate && !this.gate.ready && !passes) {
      this.held.push(message);
      void this.openGate();
      return;
    }
    this.deliver(message);
  }

  private deliver(message: JSONRPCMessage): void {
    if ('method' in message) {
      if ('id' in message) {
        const answer = this.direct?.(message);
        if (answer) {
          void this.send(answer);
          return;
        }
      }
      // A cancelled request gets no reply (MCP): stop waiting for one.
      else if (message.method === 'notifications/cancelled') this.unanswered.delete(message.params?.requestId as string | number);
    }
    try {
      this.onmessage?.(message);
    } catch (err) {
      this.onerror?.(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Loads what the gate guards, then hands over the held messages; if loading fails, each held request gets an error. */
  private async openGate(): Promise<void> {
    const gate = this.gate;
    if (!gate) return;
    if (this.quietTimer) clearTimeout(this.quietTimer);
    let failure: string | undefined;
    try {
      await gate.load();
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
    }
    const held = this.held;
    this.held = [];
    for (const message of held) {
      if (this.closed) return;
      if (failure === undefined) this.deliver(message);
      else if ('method' in message && 'id' in message) {
        void this.send(errorReply(message.id, RpcCode.InternalError, `The server could not load its price data: ${failure}`));
      }
    }
  }

  // The client closed its side: answer what it already asked (e.g. `echo … | serve --stdio`), then close.
  private readonly onEnd = (): void => {
    this.inputEnded = true;
    this.endTimer = setTimeout(() => void this.close(), END_OF_INPUT_GRACE_MS);
    this.closeIfDone();
  };

  private closeIfDone(): void {
    if (this.inputEnded && this.unanswered.size === 0) void this.close();
  }

  private readonly onInputError = (err: Error): void => {
    this.onerror?.(err);
    void this.close();
  };

  private readonly onOutputError = (err: Error): void => {
    // EPIPE: the client went away; nothing more can be said to it.
    this.onerror?.(err);
    void this.close();
  };
}
