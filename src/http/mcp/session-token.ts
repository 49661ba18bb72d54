import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// A signed MCP session id, so that replicas sharing nothing but a key can each serve
// any session (see docs/scaling.md). The id carries what the protocol layer learnt at
// initialize and must know later: the negotiated protocol version, the client's
// capabilities and info, plus the server version that issued it and when. The
// signature (HMAC-SHA256 with a key every replica holds) makes it unforgeable; it is
// not encrypted (it holds nothing the client did not send itself).
//
//   s1.<base64url JSON claims>.<base64url HMAC-SHA256 over "s1.<claims>">
//
// Keys rotate without dropping sessions: the first key signs, every key verifies.
// Roll out [old, new] → [new, old] → [new]: each step verifies what the step before signed.

export const TOKEN_PREFIX = 's1.';
/** Fewer bytes than this is not a key worth having: HMAC-SHA256 is as strong as a 256-bit key. */
export const MIN_KEY_BYTES = 32;
/** Claims are cut down above this size, so the header stays small (proxies limit header lines to 4-8 KiB). */
export const MAX_CLAIMS_BYTES = 1536;
/** Longer ids are not ours and are not looked at. */
const MAX_TOKEN_CHARS = 4096;

export interface SessionClaims {
  /** Server version that issued the session; another version answers 404 so the client re-initializes. */
  server: string;
  protocolVersion: string;
  capabilities: Record<string, unknown>;
  clientInfo: Record<string, unknown>;
  /** Issue time, ms since the epoch. */
  issuedAt: number;
  /** Makes two sessions opened in the same millisecond by the same client distinct. */
  nonce: string;
}

export type TokenCheck = { ok: true; claims: SessionClaims } | { ok: false; reason: string };

export class SessionKeyError extends Error {
  override name = 'SessionKeyError';
}

/**
 * Parses MCP_SESSION_KEYS: comma-separated keys, each at least 32 bytes, written as
 * `base64:<data>` or `hex:<data>` or as plain text. The first one signs.
 */
export function parseSessionKeys(value: string): Buffer[] {
  const keys = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((text, i) => {
      const key = decodeKey(text);
      if (key.length < MIN_KEY_BYTES) {
        throw new SessionKeyError(
          `session key ${i + 1} is ${key.length} bytes; at least ${MIN_KEY_BYTES} are needed (e.g. "base64:$(openssl rand -base64 32)")`,
        );
      }
      return key;
    });
  if (keys.length === 0) throw new SessionKeyError('no session key given');
  return keys;
}

function decodeKey(text: string): Buffer {
  if (text.startsWith('base64:')) return Buffer.from(text.slice(7), 'base64');
  if (text.startsWith('hex:')) {
    const hex = text.slice(4);
    if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) throw new SessionKeyError('a hex: session key must be an even number of hex digits');
    return Buffer.from(hex, 'hex');
  }
  return Buffer.from(text, 'utf8');
}

export class SessionTokens {
  constructor(
    private readonly keys: readonly Buffer[],
    private readonly opts: { serverVersion: string; maxAgeMs: number },
  ) {
    if (keys.length === 0) throw new SessionKeyError('no session key given');
  }

  get maxAgeMs(): number {
    return this.opts.maxAgeMs;
  }

  /** A session id for a client that just sent initialize with these params. */
  issue(init: { protocolVersion: string; capabilities: unknown; clientInfo: unknown }, now = Date.now()): string {
    const claims: SessionClaims = {
      server: this.opts.serverVersion,
      protocolVersion: init.protocolVersion,
      capabilities: asRecord(init.capabilities),
      clientInfo: asRecord(init.clientInfo),
      issuedAt: now,
      nonce: randomBytes(9).toString('base64url'),
    };
    const body = TOKEN_PREFIX + Buffer.from(JSON.stringify(bounded(claims)), 'utf8').toString('base64url');
    return `${body}.${sign(this.keys[0]!, body)}`;
  }

  /** Checks signature, issuing version and age; says why an id is refused. */
  verify(id: string, now = Date.now()): TokenCheck {
    if (!id.startsWith(TOKEN_PREFIX) || id.length > MAX_TOKEN_CHARS) return { ok: false, reason: 'not a session token' };
    const dot = id.lastIndexOf('.');
    if (dot <= TOKEN_PREFIX.length) return { ok: false, reason: 'not a session token' };
    const body = id.slice(0, dot);
    // The signature's text, not its decoded bytes: base64 has several spellings of the same bytes, and one session
    // must have exactly one id (the registry and the list of deleted ids key on it).
    const given = Buffer.from(id.slice(dot + 1), 'latin1');
    if (!this.keys.some((key) => equal(given, Buffer.from(sign(key, body), 'latin1')))) return { ok: false, reason: 'bad signature' };
    let claims: SessionClaims;
    try {
      claims = JSON.parse(Buffer.from(body.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8')) as SessionClaims;
    } catch {
      return { ok: false, reason: 'unreadable claims' };
    }
    if (!isClaims(claims)) return { ok: false, reason: 'unreadable claims' };
    if (claims.server !== this.opts.serverVersion) return { ok: false, reason: `issued by version ${claims.server}` };
    if (now - claims.issuedAt > this.opts.maxAgeMs) return { ok: false, reason: 'expired' };
    return { ok: true, claims };
  }
}

function sign(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url');
}

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function isClaims(c: unknown): c is SessionClaims {
  if (typeof c !== 'object' || c === null) return false;
  const o = c as Record<string, unknown>;
  return (
    typeof o.server === 'string' &&
    typeof o.protocolVersion === 'string' &&
    typeof o.issuedAt === 'number' &&
    typeof o.nonce === 'string' &&
    typeof o.capabilities === 'object' &&
    o.capabilities !== null &&
    typeof o.clientInfo === 'object' &&
    o.clientInfo !== null
  );
}

/**
 * Keeps the claims under MAX_CLAIMS_BYTES. A client that sends very large capabilities or
 * info keeps the parts that matter: its name and version, and which capabilities it has
 * (their details and `experimental` are dropped). Our server asks nothing of the client,
 * so none of it changes an answer.
 */
function bounded(claims: SessionClaims): SessionClaims {
  if (Buffer.byteLength(JSON.stringify(claims)) <= MAX_CLAIMS_BYTES) return claims;
  const clientInfo: Record<string, unknown> = {};
  for (const k of ['name', 'version', 'title']) {
    const v = claims.clientInfo[k];
    if (typeof v === 'string') clientInfo[k] = v.slice(0, 100);
  }
  const capabilities: Record<string, unknown> = {};
  for (const k of Object.keys(claims.capabilities).slice(0, 20)) if (k !== 'experimental' && k.length <= 40) capabilities[k] = {};
  const smaller = { ...claims, protocolVersion: claims.protocolVersion.slice(0, 40), clientInfo, capabilities };
  return smaller;
}
