import type { Colour } from './defaults.js';
import { UpstreamPool } from './upstream.js';

/**
 * Lifecycle of one upstream colour, as the router sees it:
 * starting → ready → active | standby → draining → stopped (and back to starting on a new release).
 * Only `active` takes new traffic; `ready`, `standby` and `active` take preview traffic;
 * every state but `stopped` takes traffic of the MCP sessions it created.
 */
export type TargetState = 'starting' | 'ready' | 'active' | 'standby' | 'draining' | 'stopped';

const transitions: Record<TargetState, readonly TargetState[]> = {
  starting: ['ready', 'stopped'],
  ready: ['active', 'standby', 'draining', 'stopped'],
  active: ['standby', 'draining', 'stopped'],
  standby: ['active', 'draining', 'stopped'],
  draining: ['active', 'standby', 'stopped'],
  stopped: ['starting'],
};

/** One request in flight to a target; `abort` ends it when a forced drain runs out of time. */
export interface InFlight {
  startedAt: number;
  responded: boolean;
  /** A long-lived GET event stream of an MCP session (it ends with the session). */
  stream: boolean;
  abort(reason: string): void;
}

/** Cumulative per-colour counts that the post-switch analysis reads (cheap plain numbers). */
export interface TargetCounts {
  requests: number;
  serverErrors: number; // 5xx from the upstream or 502/503/504 made by the router for it
  rpcErrors: number; // JSON-RPC errors / tool isError seen in bodies while inspection is on
  latencyMsSum: number;
}

export class Target {
  state: TargetState = 'stopped';
  readonly inFlight = new Set<InFlight>();
  readonly counts: TargetCounts = { requests: 0, serverErrors: 0, rpcErrors: 0, latencyMsSum: 0 };
  /** When true the router peeks into JSON bodies for JSON-RPC errors (during post-switch analysis). */
  inspectBodies = false;
  /** MCP sessions known to live on this colour (for drains and metrics; routing reads the id's prefix). */
  readonly sessionIds = new Set<string>();
  /** When the last request was routed here (ms since epoch): a drain can tell idle sessions from busy ones. */
  lastRequestAt = 0;
  /** Keep-alive sockets to the upstream (replaced when the colour gets a fresh process). */
  pool: UpstreamPool;
  private idleWaiters: Array<() => void> = [];

  constructor(
    readonly colour: Colour,
    public host: string,
    public port: number,
  ) {
    this.pool = this.newPool();
  }

  /** Moves to a new state, refusing transitions the state machine does not have. */
  setState(next: TargetState): void {
    if (next === this.state) return;
    if (!transitions[this.state].includes(next)) {
      throw new Error(`${this.colour}: cannot go from ${this.state} to ${next}`);
    }
    if (next === 'starting') {
      // A fresh process: fresh connections (the old agent may hold sockets to a dead port).
      this.pool.destroy();
      this.pool = this.newPool();
    }
    this.state = next;
  }

  get sessions(): number {
    return this.sessionIds.size;
  }

  /** What this colour's session ids start with on the client side: `b.` or `g.`. */
  get sessionPrefix(): string {
    return this.colour === 'blue' ? 'b.' : 'g.';
  }

  get takesSessions(): boolean {
    return this.state !== 'stopped' && this.state !== 'starting';
  }

  get takesPreview(): boolean {
    return this.state === 'ready' || this.state === 'standby' || this.state === 'active';
  }

  begin(entry: InFlight): void {
    this.lastRequestAt = entry.startedAt;
    this.inFlight.add(entry);
  }

  end(entry: InFlight): void {
    if (this.inFlight.delete(entry) && this.inFlight.size === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Resolves when no request is in flight to this target. */
  whenIdle(): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Aborts every request still in flight (a drain that ran out of time). */
  abortAll(reason: string): number {
    const n = this.inFlight.size;
    for (const entry of [...this.inFlight]) entry.abort(reason);
    return n;
  }

  /**
   * Closes every connection to the upstream once nothing is in flight: idle keep-alive
   * sockets are destroyed, and later requests (none should come) would open new ones.
   * Resolves when the sockets have actually closed.
   */
  async closeConnections(): Promise<void> {
    const sockets = [...this.pool.all].map((c) => c.socket);
    this.pool.destroy();
    this.pool = this.newPool();
    await Promise.all(sockets.map((s) => (s.closed ? Promise.resolve() : new Promise<void>((r) => s.once('close', () => r())))));
  }

  get openSockets(): number {
    return this.pool.all.size;
  }

  private newPool(): UpstreamPool {
    return new UpstreamPool(
      () => this.host,
      () => this.port,
    );
  }
}
