// Phase 2's view of the checks (src/check): the quick suite against one colour, and the
// canonical answers of two colours compared. Kept in one place so the deploy flow reads simply.
import { runValidation } from '../check/validate/run.js';
import { collectCanonicalAnswers, diffAnswers } from '../check/validate/canonical.js';

export interface QuickValidation {
  ok: boolean;
  reason: string | undefined;
  serverVersion: string | undefined;
}

export async function validateColour(
  url: string,
  opts: { expectVersion: string; specFile?: string; timeoutMs: number; maxAvgMs?: number; maxMaxMs?: number },
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
export async function compareAnswers(beforeUrl: string, afterUrl: string, specFile?: string): Promise<string[]> {
  const [before, after] = await Promise.all([
    collectCanonicalAnswers({ url: beforeUrl }, specFile),
    collectCanonicalAnswers({ url: afterUrl }, specFile),
  ]);
  return diffAnswers(before, after);
}
