// The lines of an itemized cost: one per unit the caller used or the model
// always charges (a per-request fee), each computed exactly and rounded once
// to 1e-10 USD. The total is the sum of the rounded lines, so the lines add up
// to it exactly.
import type { CostLine, PriceSet, UnitPrice } from './types.js';
import { roundUnits, unitCost, unitsToNumber } from './decimal.js';
import { CACHE_WRITE_1H_KEY, UNITS, type UnitSpec, type UsageKey } from './units.js';

export type Usage = Readonly<Record<UsageKey, number>>;

export interface LineOptions {
  /** The model has no price at all (a free model). */
  free: boolean;
  /** Prompt size that picks long-context tiers (genai-prices: the request's input tokens). */
  promptTokens: number;
  requests: number;
  /** Cache-write TTL in force when the data prices one-hour writes apart ("5m" or "1h"). */
  cacheWriteTtl?: string;
  /** search_context option in force: the per-request fee is then a search fee. */
  searchContext?: string;
}

export interface Line extends CostLine {
  /** Exact amount (1e-18 USD) after the one rounding; 0 for unpriced lines. */
  units: bigint;
  /** The rate text applied (after tiers), for rates_used. */
  rateText?: string;
  tierStart?: number;
}

/** The rate in force for a prompt of `promptTokens`: the last tier whose start it exceeds (genai-prices' rule). */
export function tieredRate(price: UnitPrice, promptTokens: number): { rate: string; start?: number } {
  let rate = price.rate;
  let start: number | undefined;
  for (const t of price.tiers ?? []) {
    if (promptTokens > t.start) {
      rate = t.rate;
      start = t.start;
    }
  }
  return start === undefined ? { rate } : { rate, start };
}

/** Which unit prices the cache writes: one-hour writes use their own price when the data has one. */
function priceKeyFor(unit: UnitSpec, prices: PriceSet, opts: LineOptions): string {
  if (unit.key === 'cache_write_mtok' && opts.cacheWriteTtl === '1h' && prices[CACHE_WRITE_1H_KEY]) return CACHE_WRITE_1H_KEY;
  return unit.key;
}

function itemFor(unit: UnitSpec, prices: PriceSet, opts: LineOptions): { item: string; label: string } {
  if (unit.key === 'cache_write_mtok' && prices[CACHE_WRITE_1H_KEY]) {
    return opts.cacheWriteTtl === '1h'
      ? { item: 'cache_write_1h', label: 'Cache writes, one-hour TTL' }
      : { item: 'cache_write_5m', label: 'Cache writes, five-minute TTL' };
  }
  if (unit.key === 'requests_kcount' && opts.searchContext) {
    return { item: 'search_fee', label: `Web search fee, ${opts.searchContext} search context` };
  }
  return { item: unit.item, label: unit.label };
}

/**
 * The quantity of each unit after taking out the more specific parts the
 * model prices apart (genai-prices' leaf rule): cached input, cache writes and
 * audio input leave the input line only when they have a price of their own.
 */
function leafQuantities(prices: PriceSet, usage: Usage): Map<string, number> {
  const q = new Map<string, number>();
  for (const u of UNITS) q.set(u.key, usage[u.usage]);
  for (const u of UNITS) {
    if (!u.parent) continue;
    // A part without a price stays inside its parent; except cached input and cache writes, which always
    // leave the input line (they are priced at the input rate when the model has no cache price).
    const ownLine = prices[u.key] !== undefined || u.key === 'cache_read_mtok' || u.key === 'cache_write_mtok';
    if (!ownLine) continue;
    q.set(u.parent, (q.get(u.parent) ?? 0) - (q.get(u.key) ?? 0));
  }
  return q;
}

/**
 * The itemized lines. Input and output always get a line; every other unit
 * gets one when it has a quantity (a per-request fee always has: one per
 * request). A part priced at its parent's rate (cached input on a model with
 * no cache price) says so in its label.
 */
export function costLines(prices: PriceSet, usage: Usage, opts: LineOptions): Line[] {
  const n = BigInt(opts.requests);
  const quantities = leafQuantities(prices, usage);
  const lines: Line[] = [];
  for (const unit of UNITS) {
    const perRequest = quantities.get(unit.key) ?? 0;
    const always = unit.key === 'input_mtok' || unit.key === 'output_mtok';
    const hasPrice = prices[unit.key] !== undefined;
    // The request count is always there; only a model with a per-request fee gets its line.
    if (unit.key === 'requests_kcount' ? !hasPrice : !always && perRequest === 0) continue;
    // A part without a price of its own stays in its parent's line (see leafQuantities).
    if (unit.parent && !hasPrice && unit.key !== 'cache_read_mtok' && unit.key !== 'cache_write_mtok') continue;
    const { item, label } = itemFor(unit, prices, opts);
    const quantity = perRequest * opts.requests;
    // Cache reads and writes without a price of their own are charged at the input rate (as genai-prices does).
    const fallback = !hasPrice && (unit.key === 'cache_read_mtok' || unit.key === 'cache_write_mtok') ? 'input_mtok' : undefined;
    const price = prices[priceKeyFor(unit, prices, opts)] ?? (fallback ? prices[fallback] : undefined);
    const base = { item, unit: unit.unit, per: unit.per, quantity };
    if (opts.free) {
      lines.push({ ...base, label, rate: 0, cost: 0, pricing: 'free', units: 0n });
      continue;
    }
    if (!price) {
      lines.push({ ...base, label: `${label} (no price in our data)`, rate: null, cost: null, pricing: 'unpriced', units: 0n });
      continue;
    }
    const applied = tieredRate(price, opts.promptTokens);
    const units = roundUnits(unitCost(perRequest, applied.rate, unit.per)) * n;
    const line: Line = {
      ...base,
      label: fallback ? `${label} (no cache price: charged at the input rate)` : label,
      rate: Number(applied.rate),
      cost: unitsToNumber(units),
      pricing: 'priced',
      units,
      rateText: applied.rate,
    };
    if (applied.start !== undefined) line.tierStart = applied.start;
    lines.push(line);
  }
  return lines;
}
