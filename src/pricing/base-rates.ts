// Turns genai-prices' price records into our ModelRates: picks the price set
// in force at a given date and converts every number to the decimal text it
// was published as.
import type { ModelRates, TierRate } from './types.js';
import { MAX_RATE_DECIMALS, numberToDecimal } from './decimal.js';

/**
 * The decimal text of a published rate. A few entries carry float artefacts
 * (0.18000000000000002, or 1/12 as 0.08333333333333334); exact math needs a
 * finite decimal, so anything beyond 12 decimals is rounded to 12.
 */
export function rateText(v: number): string {
  const text = numberToDecimal(v);
  const decimals = text.split('.')[1]?.length ?? 0;
  return decimals <= MAX_RATE_DECIMALS ? text : numberToDecimal(Number(v.toFixed(MAX_RATE_DECIMALS)));
}

/** The shapes of genai-prices' data we read (structurally typed, so a refreshed JSON fits too). */
export interface BaseTiered {
  base: number;
  tiers: Array<{ start: number; price: number }>;
}
export type BasePriceValue = number | BaseTiered | undefined;
export type BaseModelPrice = Record<string, BasePriceValue>;
export interface BaseConditionalPrice {
  constraint?: { type: 'start_date'; start_date: string } | { type: 'time_of_date'; start_time: string; end_time: string };
  prices: BaseModelPrice;
}

export interface PickedPrices {
  prices: BaseModelPrice;
  /** Set when the model also has time-of-day prices that the list rate cannot show. */
  timeOfDay: boolean;
  /** The start_date of the price set in force, if a dated one. */
  since?: string;
}

/**
 * The price set in force at `now`. Later entries override earlier ones (as in
 * genai-prices). Time-of-day windows are not applied to the list rate: a
 * catalog lives longer than a window, so the rate shown is the date-based one
 * and the entry is flagged.
 */
export function pickPrices(prices: BaseModelPrice | BaseConditionalPrice[], now: Date): PickedPrices {
  if (!Array.isArray(prices)) return { prices, timeOfDay: false };
  let picked: BaseConditionalPrice | undefined;
  let timeOfDay = false;
  for (const entry of prices) {
    const c = entry.constraint;
    if (c === undefined) picked = entry;
    else if (c.type === 'start_date') {
      if (now.getTime() >= Date.parse(c.start_date)) picked = entry;
    } else timeOfDay = true;
  }
  picked ??= prices[0];
  if (!picked) return { prices: {}, timeOfDay };
  const since = picked.constraint?.type === 'start_date' ? picked.constraint.start_date : undefined;
  return since ? { prices: picked.prices, timeOfDay, since } : { prices: picked.prices, timeOfDay };
}

/** Keys we price in tokens; anything else (audio hours, pages, searches) is outside this catalog. */
const TOKEN_KEYS = new Set(['input_mtok', 'output_mtok', 'cache_read_mtok', 'cache_write_mtok', 'requests_kcount']);

export type RatesOrSkip = { ok: true; rates: ModelRates; extraUnits: string[] } | { ok: false; reason: string };

/**
 * ModelRates from one price set. A model priced only in other units (audio
 * hours, document pages) is skipped with a reason. An empty price set is a
 * free model (rates "0").
 */
export function toModelRates(prices: BaseModelPrice): RatesOrSkip {
  const keys = Object.keys(prices).filter((k) => prices[k] !== undefined);
  const extraUnits = keys.filter((k) => !TOKEN_KEYS.has(k));
  if (keys.length > 0 && prices.input_mtok === undefined) {
    return { ok: false, reason: `priced per ${extraUnits.join(', ') || keys.join(', ')}, not per token` };
  }
  const rates: ModelRates = { input: '0' };
  const assign = (key: string, flat: 'input' | 'output' | 'cache_read' | 'cache_write', tierField?: keyof ModelRates): void => {
    const v = prices[key];
    if (v === undefined) return;
    if (typeof v === 'number') {
      rates[flat] = rateText(v);
      return;
    }
    rates[flat] = rateText(v.base);
    const tiers: TierRate[] = [...v.tiers].sort((a, b) => a.start - b.start).map((t) => ({ start: t.start, rate: rateText(t.price) }));
    if (tierField && tiers.length > 0) (rates as unknown as Record<string, TierRate[]>)[tierField] = tiers;
  };
  assign('input_mtok', 'input', 'input_tiers');
  assign('output_mtok', 'output', 'output_tiers');
  assign('cache_read_mtok', 'cache_read', 'cache_read_tiers');
  assign('cache_write_mtok', 'cache_write', 'cache_write_tiers');
  const perReq = prices.requests_kcount;
  if (typeof perReq === 'number') rates.per_1k_requests = rateText(perReq);
  if (keys.length === 0) rates.output = '0';
  return { ok: true, rates, extraUnits };
}
