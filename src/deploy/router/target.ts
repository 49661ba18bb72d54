import type { Colour } from '../defaults.js';
import type { RouteState } from '../router-protocol.js';
import type { Address } from '../router-protocol.js';
import type { UpstreamConnection } from './upstream.js';

/** One request in flight to a target; `abort` ends it when a forced drain runs out of time. */
export interface InFlight {
  startedAt: number;
  responded: boolean;
  /** A long-lived GET event stream of an MCP session (it ends with the session). */
  stream: boolean;
  abort(reason: string): void;
}

/** Cumulative counts the post-switch analysis reads (plain numbers: the hot path only increments). */
export interface TargetCounts {
  requests: number;
  serverErrors: number; // 5xx from the upstream, or 502/503/504 the router made for it
  rpcErrors: number; // server-side JSON-RPC errors seen in bodies while inspection is on
  latencyMsSum: number;
}

/**
 * One upstream as the router sees it: the state and address the controller gave it, the
 * requests in flight to it, the MCP sessions it made (for drains and metrics; routing reads
 * the session id's prefix), and every socket open to it (so a stop closes them all).
 */
export class Target {
  state: RouteState = 'stopped';
  address: Address | null = null;
  version: string | null = null;
  readonly inFlight = new Set<InFlight>();
  readonly counts: TargetCounts = { requests: 0, serverErrors: 0, rpcErrors: 0, latencyMsSum: 0 };
  inspectBodies = false;
  /**
   * The MCP sessions this colour made, each with when its last request started (ms since epoch):
   * a drain of a colour kept warm waits only for sessions in use, and a session that ended (or
   * a request outside any session, such as the controller's own checks) does not count as use.
   */
  readonly sessions = new Map<string, number>();
  /** Bumped when the address changes or the colour (re)starts: sockets from before are not used again. */
  addressEpoch = 0;
  readonly sockets = new Set<UpstreamConnection>();

  constructor(readonly colour: Colour | 'controller') {}

  /** What this colour's session ids start with on the client side. */
  get sessionPrefix(): string {
    return this.colour === 'blue' ? 'b.' : 'g.';
  }

  get takesSessions(): boolean {
    return this.state !== 'stopped' && this.state !== 'starting' && this.address !== null;
  }

  get takesPreview(): boolean {
    return (this.state === 'ready' || this.state === 'standby' || this.state === 'active') && this.address !== null;
  }

  /** Never made active in this deploy: only loopback clients or a preview token may reach it. */
  get unpromoted(): boolean {
    return this.state === 'ready' || this.state === 'starting';
  }

  /** Takes the controller's view of this colour; a new address means a new process: old sockets go. */
  update(state: RouteState, address: Address | null, version: string | null): void {
    // A new address, or a colour (re)starting, is a new process: sockets to the old one are useless.
    const moved = !sameAddress(this.address, address) || (state === 'starting' && this.state !== 'starting');
    this.state = state;
    this.address = address;
    this.version = version;
    if (moved) {
      // Requests already on their way finish (or fail and are retried); idle sockets go now, busy ones after their answer.
      this.addressEpoch++;
      for (const c of [...this.sockets]) if (c.idle) c.destroy();
      this.forgetSessions();
    }
  }

  /** A request of session `id` that started at `at` was answered (learnt again after a router restart). */
  sessionUsed(id: string, at: number): void {
    this.sessions.set(id, at);
  }

  forgetSession(id: string): void {
    this.sessions.delete(id);
  }

  forgetSessions(): void {
    this.sessions.clear();
  }

  /** Whether a session's last request started less than `idleMs` ago. */
  sessionUsedWithin(idleMs: number, now = Date.now()): boolean {
    const since = now - idleMs;
    for (const at of this.sessions.values()) if (at > since) return true;
    return false;
  }

  begin(entry: InFlight): void {
    this.inFlight.add(entry);
  }

  end(entry: InFlight): void {
    this.inFlight.delete(entry);
  }

  abortAll(reason: string): number {
    const n = this.inFlight.size;
    for (const entry of [...this.inFlight]) entry.abort(reason);
    return n;
  }

  /** Closes every socket open to this upstream (a request still on one fails, and is retried or answered 502); resolves once they have closed. */
  async closeSockets(): Promise<void> {
    const open = [...this.sockets].map((c) => c.socket);
    this.addressEpoch++;
    for (const c of [...this.sockets]) c.close('the colour was taken out of routing');
    await Promise.all(open.map((s) => (s.closed ? Promise.resolve() : new Promise<void>((r) => s.once('close', () => r())))));
  }
}

function sameAddress(a: Address | null, b: Address | null): boolean {
  if (a === null || b === null) return a === b;
  if ('socketPath' in a) return 'socketPath' in b && a.socketPath === b.socketPath;
  return 'host' in b && a.host === b.host && a.port === b.port;
}
