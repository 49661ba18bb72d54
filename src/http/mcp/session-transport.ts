import type { ServerResponse } from 'node:http';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, JSONRPCRequest, MessageExtraInfo, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { RpcCode, clarifyParamsError, type DirectToolCall } from '../../mcp/index.js';
import { isResponse } from './jsonrpc.js';
import { SSE_KEEPALIVE_MS } from '../defaults.js';

/** Where the answer to one POST goes once every request in it has its response. */
export interface PostSink {
  /** Called once with the JSON body (one response, or an array for a batch). */
  deliver(body: string, answers: readonly JSONRPCMessage[]): void;
}

/** One POST waiting for its responses. A single request (the common case) needs no arrays. */
interface PendingPost {
  sink: PostSink;
  /** Request ids in order (a batch may hold several). */
  ids: RequestId[];
  /** Responses so far, at the index of their request id. */
  answers: JSONRPCMessage[];
  remaining: number;
}

/**
 * The MCP `Transport` of one Streamable HTTP session, written over plain Node
 * responses instead of the SDK's web-standard Request/Response objects.
 *
 * POSTs are answered with JSON (no per-request stream); a GET opens the session's
 * one SSE stream for server-initiated messages. Every map entry made for a request
 * is removed when its response is delivered, so a long session holds nothing per
 * past call (the stock transport keeps one entry per call in JSON mode).
 */
export class SessionTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;
  protocolVersion: string | undefined;

  private readonly pending = new Map<RequestId, PendingPost>();
  private eventStream: ServerResponse | undefined;
  private keepAlive: NodeJS.Timeout | undefined;
  private closed = false;

  /** Answers a plain tools/call without the SDK's protocol layer (see src/mcp/dispatch.ts); set once connected. */
  direct: DirectToolCall | undefined;

  constructor(readonly sessionId: string) {}

  async start(): Promise<void> {
    // Nothing to set up: each HTTP request brings its own connection.
  }

  setProtocolVersion(version: string): void {
    this.protocolVersion = version;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Requests of this session still waiting for their response. */
  get pendingCount(): number {
    return this.pending.size;
  }

  get hasEventStream(): boolean {
    return this.eventStream !== undefined;
  }

  /** True when one of these request ids is already waiting in this session (ids must be unique while pending). */
  hasPending(ids: readonly RequestId[]): boolean {
    for (const id of ids) if (this.pending.has(id)) return true;
    return false;
  }

  /**
   * Hands the messages of one POST to the server. `requestIds` lists the requests among
   * them (in order); the sink gets their responses once all have arrived.
   */
  dispatch(
    messages: readonly JSONRPCMessage[],
    requestIds: readonly RequestId[],
    sink: PostSink | undefined,
    extra: MessageExtraInfo,
  ): void {
    // A lone request the direct path can answer is answered now, synchronously: nothing can come between it and its response.
    if (sink && messages.length === 1 && requestIds.length === 1 && this.direct && this.onmessage && !this.closed) {
      const answer = this.direct(messages[0] as JSONRPCRequest);
      if (answer) {
        sink.deliver(JSON.stringify(answer), [answer]);
        return;
      }
    }
    if (this.closed || !this.onmessage) {
      // No server behind this transport any more: nothing would ever answer.
      if (sink && requestIds.length > 0) {
        const answers = requestIds.map(sessionClosedError);
        sink.deliver(JSON.stringify(answers.length === 1 ? answers[0] : answers), answers);
      }
      return;
    }
    if (sink && requestIds.length > 0) {
      const post: PendingPost = {
        sink,
        ids: [...requestIds],
        answers: [],
        remaining: requestIds.length,
      };
      for (const id of requestIds) this.pending.set(id, post);
    }
    for (const message of messages) {
      if ('method' in message && message.method === 'notifications/cancelled' && !('id' in message)) this.cancelled(message.params);
      this.onmessage?.(message, extra);
    }
  }

  /**
   * MCP: a cancelled request gets no response. Its POST still has to end, so a
   * request of ours that is still waiting is answered now with RequestCancelled
   * (whatever the server sends for it later is dropped).
   */
  private cancelled(params: Record<string, unknown> | undefined): void {
    const id = params?.requestId;
    if ((typeof id !== 'string' && typeof id !== 'number') || !this.pending.has(id)) return;
    const reason = typeof params?.reason === 'string' ? `: ${params.reason.slice(0, 200)}` : '';
    this.answer({ jsonrpc: '2.0', id, error: { code: RpcCode.RequestCancelled, message: `Request cancelled by the client${reason}` } });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (isResponse(message)) {
      this.answer(clarifyParamsError(message) as JSONRPCMessage & { id: RequestId });
      return;
    }
    // A JSON answer cannot carry what the server sends while a request runs
    // (progress, log lines, requests to the client). They go on the session's GET
    // stream when the client keeps one open; otherwise notifications are dropped,
    // as in the SDK's JSON mode, and a request fails at once instead of hanging.
    if (this.eventStream) {
      this.eventStream.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
      return;
    }
    if ('id' in message) throw new Error('no open GET stream to carry a server request to the client');
    // A notification with no stream to carry it is dropped, as the spec allows.
  }

  private answer(message: JSONRPCMessage & { id: RequestId }): void {
    const post = this.pending.get(message.id);
    if (!post) return; // the request was abandoned (session closed); nothing to deliver
    this.pending.delete(message.id);
    if (post.ids.length === 1) {
      post.answers[0] = message;
      post.sink.deliver(JSON.stringify(message), post.answers);
      return;
    }
    post.answers[post.ids.indexOf(message.id)] = message;
    if (--post.remaining === 0) post.sink.deliver(JSON.stringify(post.answers), post.answers);
  }

  /** Attaches the session's GET stream (the caller checked there is none yet). */
  attachEventStream(res: ServerResponse): void {
    this.eventStream = res;
    this.keepAlive = setInterval(() => res.write(': keepalive\n\n'), SSE_KEEPALIVE_MS);
    this.keepAlive.unref();
    res.once('close', () => {
      if (this.eventStream === res) this.detachEventStream();
    });
  }

  private detachEventStream(): void {
    clearInterval(this.keepAlive);
    this.keepAlive = undefined;
    const res = this.eventStream;
    this.eventStream = undefined;
    if (res && !res.writableEnded) res.end();
  }

  /**
   * Ends the session: requests still waiting get a JSON-RPC error (so no HTTP
   * response hangs), the GET stream ends, and the server is told.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const posts = new Set(this.pending.values());
    this.pending.clear();
    for (const post of posts) {
      const answers = post.ids.map((id, i) => post.answers[i] ?? sessionClosedError(id));
      post.sink.deliver(JSON.stringify(answers.length === 1 ? answers[0] : answers), answers);
    }
    this.detachEventStream();
    this.onclose?.();
  }
}

function sessionClosedError(id: RequestId): JSONRPCMessage {
  return { jsonrpc: '2.0', id, error: { code: RpcCode.ServerError, message: 'Session closed before the request completed' } };
}
