import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { SessionTransport } from './session-transport.js';

/** One live MCP session: its protocol server and the transport it speaks over. */
export interface Session {
  readonly id: string;
  readonly server: McpServer;
  readonly transport: SessionTransport;
  /** Date.now() of the last request that used the session. */
  lastUsed: number;
  /** HTTP requests of this session being handled right now (body still arriving, or awaiting answers). */
  active: number;
  /** With signed session ids: Date.now() after which the id is refused everywhere (see session-token.ts). */
  readonly expiresAt?: number;
}

export interface SessionRegistryOptions {
  idleTtlMs: number;
  maxSessions: number;
  onClosed?: (session: Session, reason: 'deleted' | 'expired' | 'evicted' | 'shutdown' | 'failed') => void;
}

/**
 * The sessions of one environment, bounded in time and number: a session unused
 * for `idleTtlMs` (no request, no open GET stream) is closed by `sweep()`, and when `maxSessions` are live the least
 * recently used idle one makes room for a new one. Clients that never DELETE
 * therefore cannot grow memory without bound.
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly opts: SessionRegistryOptions) {}

  get size(): number {
    return this.sessions.size;
  }

  /** The most sessions held at once. */
  get capacity(): number {
    return this.opts.maxSessions;
  }

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  /** Adds a session, making room if needed; false when every slot is busy. */
  add(session: Session): boolean {
    if (this.sessions.size >= this.opts.maxSessions) {
      this.sweep(Date.now());
      if (this.sessions.size >= this.opts.maxSessions && !this.evictLeastRecentlyUsed()) return false;
    }
    this.sessions.set(session.id, session);
    return true;
  }

  /** Closes one session and forgets it. */
  async close(id: string, reason: 'deleted' | 'expired' | 'evicted' | 'shutdown' | 'failed'): Promise<void> {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    this.opts.onClosed?.(session, reason);
    await session.server.close();
  }

  /** Closes the sessions idle for longer than the TTL. */
  sweep(now: number): void {
    for (const session of this.sessions.values()) {
      const listening = session.transport.hasEventStream;
      if (!isBusy(session) && !listening && now - session.lastUsed > this.opts.idleTtlMs) void this.close(session.id, 'expired');
    }
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id, 'shutdown')));
  }

  private evictLeastRecentlyUsed(): boolean {
    let oldest: Session | undefined;
    for (const session of this.sessions.values()) {
      if (!isBusy(session) && (!oldest || session.lastUsed < oldest.lastUsed)) oldest = session;
    }
    if (!oldest) return false;
    void this.close(oldest.id, 'evicted');
    return true;
  }
}

/** Busy: a request of the session is in progress, so closing it would cut an answer. */
function isBusy(session: Session): boolean {
  return session.active > 0 || session.transport.pendingCount > 0;
}
