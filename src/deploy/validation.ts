// Phase 2's view of the checks (src/check): the quick suite against one colour, and the
// canonical answers of two colours compared. Both reach the colours through the router's
// preview (the headers say which colour), so phase 2 sees what clients will see.
import { runValidation } from '../check/validate/run.js';
import { collectCanonicalAnswers, diffAnswers } from '../check/validate/canonical.js';

export interface QuickValidation {
  ok: boolean;
  reason: string | undefined;
  serverVersion: string | undefined;
}

export async function validateColour(
  url: string,
  opts: {
    expectVersion: string;
    specFile?: string;
    timeoutMs: number;
    maxAvgMs?: number;
    maxMaxMs?: number;
    headers: Record<string, string>;
  },
  onLine: (line: string) => void,
): Promise<QuickValidation> {
  const result = await runValidation(
    {
      url,
      suite: 'quick',
      expectVersion: opts.expectVersion,
      specFile: opts.specFile,
      timeoutMs: opts.timeoutMs,
      maxAvgMs: opts.maxAvgMs,
      maxMaxMs: opts.maxMaxMs,
      headers: opts.headers,
    },
    onLine,
  );
  const failed = result.checks.filter((c) => !c.ok);
  const reason = result.ok
    ? undefined
    : failed.length > 0
      ? failed.map((c) => (c.detail ? `${c.name}: ${c.detail}` : c.name)).join('; ')
      : 'validation failed';
  return { ok: result.ok, reason, serverVersion: result.serverVersion };
}

/** Lines saying how the canonical answers changed from `before` to `after` (empty: unchanged). */
export async function compareAnswers(
  before: { url: string; headers: Record<string, string> },
  after: { url: string; headers: Record<string, string> },
  specFile?: string,
): Promise<string[]> {
  const [a, b] = await Promise.all([collectCanonicalAnswers(before, specFile), collectCanonicalAnswers(after, specFile)]);
  return diffAnswers(a, b);
}
