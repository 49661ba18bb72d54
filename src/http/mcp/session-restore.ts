import { LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import type { JSONRPCMessage, JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Session } from './session-registry.js';
import type { SessionClaims, SessionTokens } from './session-token.js';

// Sessions that outlive the replica holding them. With shared session keys (MCP_SESSION_KEYS)
// the session id is a signed token (session-token.ts); a replica that does not hold the
// session a request names rebuilds it from the id: a fresh protocol server, told the same
// initialize the client once sent (so it knows the negotiated version, the client's
// capabilities and info exactly as the first replica did), then serves the request.
//
// What stays per replica: the log level a client set with logging/setLevel (the id cannot
// change after initialize), and the GET stream (one long connection to one replica), which
// is where server-initiated messages go. DELETE revokes the id on the replica that got it;
// other replicas refuse it only once it is older than the maximum age.

export interface SessionRestoreDeps {
  tokens: SessionTokens;
  /** Builds and registers a session under this id (the route's own openSession); undefined when the cap is full. */
  open: (id: string, expiresAt?: number) => Promise<Session | undefined>;
  /** Drops a session open() registered (when its initialize fails again). */
  discard: (id: string) => Promise<void>;
  /** How many revoked ids to remember (oldest forgotten first). */
  maxRevoked: number;
  /** Called once per session rebuilt (for the mcp_sessions_restored_total metric). */
  onRestored?: () => void;
}

/** A rebuilt session; or why not: `unknown` means 404 (the client re-initializes), `full` means 503 (try again later). */
export type RestoreResult = { session: Session } | { refused: 'unknown' | 'full'; reason: string };

export class SessionRestorer {
  private readonly restoring = new Map<string, Promise<RestoreResult>>();
  /** Deleted ids and when their token would have expired anyway. */
  private readonly revoked = new Map<string, number>();
  constructor(private readonly deps: SessionRestoreDeps) {}

  /** The id of a new session, from the params of its initialize request. */
  issue(params: JSONRPCRequest['params']): { id: string; expiresAt: number } {
    const p = params ?? {};
    const requested = typeof p.protocolVersion === 'string' ? p.protocolVersion : '';
    // The SDK's own negotiation: the client's version when we speak it, else our latest.
    const protocolVersion = SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION;
    const now = Date.now();
    return {
      id: this.deps.tokens.issue({ protocolVersion, capabilities: p.capabilities, clientInfo: p.clientInfo }, now),
      expiresAt: now + this.deps.tokens.maxAgeMs,
    };
  }

  /**
   * Rebuilds the session an id names, or says why not (the route answers 404 then, and the
   * client starts a new session). Concurrent requests for the same id share one rebuild.
   */
  restore(id: string): Promise<RestoreResult> {
    let pending = this.restoring.get(id);
    if (!pending) {
      pending = this.rebuild(id).finally(() => this.restoring.delete(id));
      this.restoring.set(id, pending);
    }
    return pending;
  }

  /** A deleted session must not come back on this replica. False when the id is not a live session's. */
  revoke(id: string): boolean {
    const check = this.deps.tokens.verify(id);
    if (!check.ok || this.revoked.has(id)) return false;
    this.revoked.set(id, check.claims.issuedAt + this.deps.tokens.maxAgeMs);
    if (this.revoked.size > this.deps.maxRevoked) this.forgetRevoked();
    return true;
  }

  private async rebuild(id: string): Promise<RestoreResult> {
    const check = this.deps.tokens.verify(id);
    if (!check.ok) return { refused: 'unknown', reason: check.reason };
    if (this.revoked.has(id)) return { refused: 'unknown', reason: 'deleted' };
    const expiresAt = check.claims.issuedAt + this.deps.tokens.maxAgeMs;
    const session = await this.deps.open(id, expiresAt);
    if (!session) return { refused: 'full', reason: 'too many active sessions' };
    const failure = await replayInitialize(session, check.claims);
    if (failure !== undefined) {
      await this.deps.discard(id);
      return { refused: 'unknown', reason: `initialize failed again: ${failure}` };
    }
    this.deps.onRestored?.();
    return { session };
  }

  private forgetRevoked(): void {
    const now = Date.now();
    for (const [id, expiresAt] of this.revoked) if (expiresAt <= now) this.revoked.delete(id);
    // Still too many live ones: the oldest entries go (Map keeps insertion order).
    for (const id of this.revoked.keys()) {
      if (this.revoked.size <= this.deps.maxRevoked) break;
      this.revoked.delete(id);
    }
  }
}

/**
 * Tells a fresh protocol server the client's initialize, then `notifications/initialized`, as the client once did.
 * Resolves to the error message when the server refuses it (it accepted the same params before, so this is rare).
 */
async function replayInitialize(session: Session, claims: SessionClaims): Promise<string | undefined> {
  const id = `restore-${claims.nonce}`;
  const request: JSONRPCRequest = {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion: claims.protocolVersion, capabilities: claims.capabilities, clientInfo: claims.clientInfo },
  };
  const answer = await new Promise<JSONRPCMessage | undefined>((resolve) => {
    session.transport.dispatch([request], [id], { deliver: (_json, answers) => resolve(answers[0]) }, {});
  });
  if (!answer || 'error' in answer) return answer && 'error' in answer ? answer.error.message : 'no answer';
  session.transport.dispatch([{ jsonrpc: '2.0', method: 'notifications/initialized' }], [], undefined, {});
  return undefined;
}
