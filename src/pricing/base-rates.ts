// Turns genai-prices' price records into our price sets: every number becomes
// the decimal text it was published as, every unit we can count is kept, and
// the listing rates (ModelRates) are read off a price set.
import type { ModelRates, PriceSet, ScheduledPrices, TierRate, UnitPrice } from './types.js';
import { MAX_RATE_DECIMALS, numberToDecimal } from './decimal.js';
import { CACHE_WRITE_1H_KEY, UNIT_BY_KEY } from './units.js';

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

export type PriceSetOrSkip = { ok: true; prices: PriceSet; unmodelled: string[] } | { ok: false; reason: string };

function unitPrice(v: number | BaseTiered): UnitPrice {
  if (typeof v === 'number') return { rate: rateText(v) };
  const tiers: TierRate[] = [...v.tiers].sort((a, b) => a.start - b.start).map((t) => ({ start: t.start, rate: rateText(t.price) }));
  return tiers.length > 0 ? { rate: rateText(v.base), tiers } : { rate: rateText(v.base) };
}

/**
 * One price set. A model priced only in units no token estimate can count
 * (audio hours, document pages) is skipped with a reason; other such units
 * are listed in `unmodelled`. An empty price set is a free model.
 */
export function toPriceSet(prices: BaseModelPrice): PriceSetOrSkip {
  const keys = Object.keys(prices).filter((k) => prices[k] !== undefined);
  if (keys.length > 0 && prices.input_mtok === undefined) {
    return { ok: false, reason: `priced per ${keys.join(', ')}, not per input token` };
  }
  const out: Record<string, UnitPrice> = {};
  const unmodelled: string[] = [];
  for (const key of keys) {
    const v = prices[key];
    if (v === undefined) continue;
    if (UNIT_BY_KEY.has(key) || key === CACHE_WRITE_1H_KEY) out[key] = unitPrice(v);
    else unmodelled.push(key);
  }
  return { ok: true, prices: out, unmodelled };
}

/** Every price set of a dated or daily schedule; undefined when any set cannot be priced per token. */
export function toSchedule(prices: readonly BaseConditionalPrice[]): { schedule: ScheduledPrices[]; unmodelled: string[] } | undefined {
  const schedule: ScheduledPrices[] = [];
  const unmodelled = new Set<string>();
  for (const entry of prices) {
    const converted = toPriceSet(entry.prices);
    if (!converted.ok) return undefined;
    converted.unmodelled.forEach((k) => unmodelled.add(k));
    const c = entry.constraint;
    const scheduled: ScheduledPrices = { prices: converted.prices };
    if (c?.type === 'start_date') scheduled.constraint = { type: 'start_date', start_date: c.start_date };
    else if (c?.type === 'time_of_date') scheduled.constraint = { type: 'time_of_day', start_time: c.start_time, end_time: c.end_time };
    schedule.push(scheduled);
  }
  return { schedule, unmodelled: [...unmodelled] };
}

/** The listing rates of a price set (free models list 0 in and 0 out). */
export function ratesOf(prices: PriceSet, free: boolean): ModelRates {
  const rates: ModelRates = { input: prices.input_mtok?.rate ?? '0' };
  const set = (field: 'output' | 'cache_read' | 'cache_write' | 'cache_write_1h', key: string, tierField?: keyof ModelRates): void => {
    const p = prices[key];
    if (!p) return;
    rates[field] = p.rate;
    if (tierField && p.tiers) (rates as unknown as Record<string, TierRate[]>)[tierField] = [...p.tiers];
  };
  if (prices.input_mtok?.tiers) rates.input_tiers = [...prices.input_mtok.tiers];
  set('output', 'output_mtok', 'output_tiers');
  set('cache_read', 'cache_read_mtok', 'cache_read_tiers');
  set('cache_write', 'cache_write_mtok', 'cache_write_tiers');
  set('cache_write_1h', CACHE_WRITE_1H_KEY);
  const perReq = prices.requests_kcount;
  if (perReq) rates.per_1k_requests = perReq.rate;
  if (free) rates.output = '0';
  return rates;
}

/** A price set from our overlay's rates (per 1M tokens, and a fee per 1,000 requests). */
export function priceSetFromRates(rates: ModelRates): PriceSet {
  const out: Record<string, UnitPrice> = {};
  const put = (key: string, rate: string | undefined, tiers?: TierRate[]): void => {
    if (rate === undefined) return;
    out[key] = tiers && tiers.length > 0 ? { rate, tiers: [...tiers].sort((a, b) => a.start - b.start) } : { rate };
  };
  put('input_mtok', rates.input, rates.input_tiers);
  put('output_mtok', rates.output, rates.output_tiers);
  put('cache_read_mtok', rates.cache_read, rates.cache_read_tiers);
  put('cache_write_mtok', rates.cache_write, rates.cache_write_tiers);
  put(CACHE_WRITE_1H_KEY, rates.cache_write_1h);
  put('requests_kcount', rates.per_1k_requests);
  return out;
}
