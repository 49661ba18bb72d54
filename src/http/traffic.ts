import type { ServerResponse } from 'node:http';

export type TrafficState = 'starting' | 'ready' | 'draining' | 'closed';

/**
 * Counts the HTTP requests in progress and holds the environment's state:
 * starting -> ready -> draining -> closed. While draining, every response carries
 * `Connection: close`, so keep-alive clients leave (Node's server.close() alone
 * keeps serving a connection that had a request in flight).
 */
export class TrafficGate {
  private current: TrafficState = 'starting';
  private readonly active = new Set<ServerResponse>();
  private idleWaiters: Array<() => void> = [];

  get state(): TrafficState {
    return this.current;
  }

  get inFlight(): number {
    return this.active.size;
  }

  get draining(): boolean {
    return this.current === 'draining' || this.current === 'closed';
  }

  markReady(): void {
    if (this.current === 'starting') this.current = 'ready';
  }

  /** Counts a response until its connection is done with it. */
  track(res: ServerResponse): void {
    this.active.add(res);
    if (this.draining) res.setHeader('connection', 'close');
    res.once('close', () => this.release(res));
  }

  /** Stops counting a long-lived response (an SSE stream), which ends when its session closes. */
  release(res: ServerResponse): void {
    if (!this.active.delete(res)) return;
    if (this.active.size === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  beginDrain(): void {
    if (this.draining) return;
    this.current = 'draining';
    for (const res of this.active) if (!res.headersSent) res.setHeader('connection', 'close');
  }

  markClosed(): void {
    this.current = 'closed';
  }

  /** Resolves once no request is in progress. */
  whenIdle(): Promise<void> {
    if (this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
