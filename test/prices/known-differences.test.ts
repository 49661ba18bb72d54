// The reviewed known differences (data/audit/known-differences.json) against the pinned snapshots: every
// disagreement is explained, every entry is still needed, and every reason is specific (dated where it argues
// from dates), never only "the other list is older".
import { beforeAll, describe, expect, test } from 'vitest';
import { auditLists, DEFAULT_KNOWN, loadKnown } from '../../src/prices/audit.js';
import type { AuditResult, KnownDifference } from '../../src/prices/audit-compare.js';

let results: AuditResult[];
let known: KnownDifference[];
beforeAll(async () => {
  [results, known] = await Promise.all([auditLists({ now: new Date('2026-12-02T12:00:00Z') }), loadKnown(DEFAULT_KNOWN)]);
});

describe('known differences', () => {
  test('the audit of the pinned snapshots leaves nothing unexplained', () => {
    const unexplained = results.flatMap((r) => r.findings.filter((f) => f.explained_by === null));
    expect(unexplained.map((f) => `${f.list} ${f.model} ${f.field}`)).toEqual([]);
  });

  // Entries for lists this run did not audit (LiteLLM's, which needs --against and a network) are checked when an
  // audit against that list runs; the suite audits the pinned models.dev snapshot.
  test('every entry for an audited list explains a disagreement the audit finds today (no stale entries)', () => {
    const audited = new Set(results.map((r) => r.list));
    const used = new Set(
      results.flatMap((r) =>
        r.findings.filter((f) => f.explained_by === 'known_difference').map((f) => `${f.list} ${f.model} ${f.field} ${f.theirs}`),
      ),
    );
    const stale = known
      .filter((k) => audited.has(k.list) && !used.has(`${k.list} ${k.model} ${k.field} ${k.theirs}`))
      .map((k) => `${k.list} ${k.model} ${k.field}`);
    expect(stale).toEqual([]);
  });

  test('every reason is specific: an argument from dates names them, none rests on "the other list is older"', () => {
    for (const k of known) {
      const id = `${k.list} ${k.model} ${k.field}`;
      expect(k.reason, id).not.toMatch(/newer of the two sources/);
      expect(k.reason.length, id).toBeGreaterThan(80);
      if (/\b(since|changed|newer|older|predates|checked)\b/.test(k.reason)) expect(k.reason, id).toMatch(/\d{4}-\d{2}-\d{2}/);
    }
  });
});
