// Phase 2's view of the checks (src/check): the quick suite against one colour, and the
// canonical answers of two colours compared. Both reach the colours through the router's
// preview (the headers say which colour), so phase 2 sees what clients will see.
import { runValidation } from '../check/validate/run.js';
import { describeChange, diffPriceTables, type PriceChange, type PriceTable } from '../pricing/price-diff.js';
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

/** What GET /deployment/prices answers: every price an environment serves. */
interface ServedPrices {
  data_as_of: string;
  source: string;
  prices: PriceTable;
}

export const PricesPath = '/deployment/prices';

async function servedPrices(base: string, headers: Record<string, string>, timeoutMs: number): Promise<ServedPrices> {
  const res = await fetch(`${base}${PricesPath}`, { headers, signal: AbortSignal.timeout(timeoutMs) });
  if (res.status === 404) throw new Error(`it does not serve ${PricesPath} (a build from before price releases)`);
  if (!res.ok) throw new Error(`${PricesPath}: HTTP ${res.status}`);
  const body = (await res.json()) as Partial<ServedPrices>;
  if (typeof body.prices !== 'object' || body.prices === null) throw new Error(`${PricesPath}: no price table in the answer`);
  return body as ServedPrices;
}

/**
 * Every price that differs between what two colours serve: each colour's own table (GET /deployment/prices,
 * through the router's preview), so the comparison sees the data each process really loaded.
 */
export async function comparePrices(
  base: string,
  before: Record<string, string>,
  after: Record<string, string>,
  timeoutMs: number,
): Promise<{ changes: PriceChange[]; before: ServedPrices; after: ServedPrices }> {
  const [a, b] = await Promise.all([servedPrices(base, before, timeoutMs), servedPrices(base, after, timeoutMs)]);
  return { changes: diffPriceTables(a.prices, b.prices), before: a, after: b };
}

/** The phase 2 lines of a price comparison: a summary, then every change. */
export function priceChangeLines(changes: PriceChange[]): string[] {
  if (changes.length === 0) return [];
  const prices = changes.filter((c) => c.field !== 'model');
  const added = changes.filter((c) => c.field === 'model' && c.old === null).length;
  const removed = changes.filter((c) => c.field === 'model' && c.new === null).length;
  const models = new Set(prices.map((c) => c.model)).size;
  return [
    `${prices.length} price(s) of ${models} model(s) changed; ${added} model(s) added, ${removed} removed:`,
    ...changes.map((c) => `  ${describeChange(c)}`),
  ];
}
