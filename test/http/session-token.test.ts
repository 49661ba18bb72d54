import { describe, expect, it } from 'vitest';
import {
  MAX_CLAIMS_BYTES,
  MIN_KEY_BYTES,
  SessionKeyError,
  SessionTokens,
  TOKEN_PREFIX,
  parseSessionKeys,
} from '../../src/http/mcp/session-token.js';

const OLD = Buffer.alloc(32, 1);
const NEW = Buffer.alloc(32, 2);
const HOUR = 3600_000;
const init = { protocolVersion: '2025-06-18', capabilities: { roots: { listChanged: true } }, clientInfo: { name: 'c', version: '1' } };

describe('signed session ids', () => {
  it('carries the negotiated version, client capabilities and info, and verifies with the key that signed it', () => {
    const tokens = new SessionTokens([OLD], { serverVersion: '1.0.0', maxAgeMs: HOUR });
    const id = tokens.issue(init, 1_000_000);
    expect(id.startsWith(TOKEN_PREFIX)).toBe(true);
    // Visible ASCII only, as the spec requires of Mcp-Session-Id.
    expect(id).toMatch(/^[\x21-\x7e]+$/);
    const check = tokens.verify(id, 1_000_000 + 1000);
    expect(check).toMatchObject({ ok: true, claims: { server: '1.0.0', ...init, issuedAt: 1_000_000 } });
    // Two sessions of the same client in the same millisecond are distinct.
    expect(tokens.issue(init, 1_000_000)).not.toBe(id);
  });

  it('refuses a changed claim, a changed signature, another key, another server version and an old id', () => {
    const tokens = new SessionTokens([OLD], { serverVersion: '1.0.0', maxAgeMs: HOUR });
    const id = tokens.issue(init, 1_000_000);
    const [prefix, body, sig] = id.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${prefix}.${Buffer.from(JSON.stringify({ ...claims, server: '2.0.0' })).toString('base64url')}.${sig}`;
    expect(tokens.verify(forged, 1_000_000)).toEqual({ ok: false, reason: 'bad signature' });
    expect(tokens.verify(`${prefix}.${body}.${sig.slice(0, 5)}${sig[5] === 'A' ? 'B' : 'A'}${sig.slice(6)}`, 1_000_000)).toEqual({
      ok: false,
      reason: 'bad signature',
    });
    // One session, one id: another spelling of the same signature bytes (the last character's unused bits) is refused.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const respelled = `${sig.slice(0, -1)}${alphabet[alphabet.indexOf(sig.at(-1)!) ^ 1]}`;
    expect(Buffer.from(respelled, 'base64url').equals(Buffer.from(sig, 'base64url'))).toBe(true);
    expect(tokens.verify(`${prefix}.${body}.${respelled}`, 1_000_000).ok).toBe(false);
    expect(new SessionTokens([NEW], { serverVersion: '1.0.0', maxAgeMs: HOUR }).verify(id, 1_000_000).ok).toBe(false);
    expect(new SessionTokens([OLD], { serverVersion: '1.1.0', maxAgeMs: HOUR }).verify(id, 1_000_000)).toEqual({
      ok: false,
      reason: 'issued by version 1.0.0',
    });
    expect(tokens.verify(id, 1_000_000 + HOUR + 1)).toEqual({ ok: false, reason: 'expired' });
    for (const junk of ['', 's1.', 's1..', 'b7c1d2e4-uuid', `s1.${body}`, `${id}x`.repeat(200)]) expect(tokens.verify(junk).ok).toBe(false);
  });

  it('rotates keys in three roll-outs without refusing a live session', () => {
    const opts = { serverVersion: '1.0.0', maxAgeMs: HOUR };
    const before = new SessionTokens([OLD], opts);
    const step1 = new SessionTokens([OLD, NEW], opts); // new key verifies, old still signs
    const step2 = new SessionTokens([NEW, OLD], opts); // new key signs, old still verifies
    const step3 = new SessionTokens([NEW], opts);
    // During each roll-out, replicas of two neighbouring steps serve each other's sessions.
    expect(step1.verify(before.issue(init)).ok).toBe(true);
    expect(before.verify(step1.issue(init)).ok).toBe(true);
    expect(step2.verify(step1.issue(init)).ok).toBe(true);
    expect(step1.verify(step2.issue(init)).ok).toBe(true);
    expect(step3.verify(step2.issue(init)).ok).toBe(true);
    expect(step2.verify(step3.issue(init)).ok).toBe(true);
    // Skipping step 1 would break sessions: the old-only replica cannot check the new key's ids.
    expect(before.verify(step2.issue(init)).ok).toBe(false);
  });

  it('keeps the id small when a client sends very large capabilities or info', () => {
    const tokens = new SessionTokens([OLD], { serverVersion: '1.0.0', maxAgeMs: HOUR });
    const huge = {
      protocolVersion: '2025-06-18',
      capabilities: { roots: { listChanged: true }, sampling: {}, experimental: { blob: 'x'.repeat(10_000) } },
      clientInfo: { name: 'big-client', version: '9', icons: [{ src: `data:image/png;base64,${'A'.repeat(20_000)}` }] },
    };
    const id = tokens.issue(huge);
    expect(id.length).toBeLessThan(Math.ceil((MAX_CLAIMS_BYTES * 4) / 3) + 100);
    const check = tokens.verify(id);
    expect(check.ok && check.claims.clientInfo).toEqual({ name: 'big-client', version: '9' });
    expect(check.ok && check.claims.capabilities).toEqual({ roots: {}, sampling: {} });
  });

  it('reads MCP_SESSION_KEYS as text, base64: or hex:, and refuses short or malformed keys', () => {
    const text = 'k'.repeat(MIN_KEY_BYTES);
    const keys = parseSessionKeys(` ${text} , base64:${NEW.toString('base64')},hex:${OLD.toString('hex')} `);
    expect(keys).toEqual([Buffer.from(text), NEW, OLD]);
    expect(() => parseSessionKeys('short')).toThrow(SessionKeyError);
    expect(() => parseSessionKeys('short')).toThrow(/session key 1 is 5 bytes; at least 32/);
    expect(() => parseSessionKeys(`${text},base64:AAAA`)).toThrow(/session key 2 is 3 bytes/);
    expect(() => parseSessionKeys('hex:abc')).toThrow(/even number of hex digits/);
    expect(() => parseSessionKeys(' , ')).toThrow(/no session key/);
  });
});
