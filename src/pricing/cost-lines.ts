// The lines of an itemized cost: one per unit the caller used or the model
// always charges (a per-request fee), each computed exactly and rounded once
// to 1e-10 USD. The total is the sum of the rounded lines, so the lines add up
// to it exactly.
import type { CostLine, PriceSet, UnitPrice } from './types.js';
import { parseDecimal, roundUnits, unitsToNumber } from './decimal.js';
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

/** A rate as the data gives it, with what a line needs of it, worked out on first use and kept with the plan. */
interface StepRate {
  text: string;
  /** 1e-18 USD per `per` units (parsed on first use: a rate that is never applied is never parsed). */
  units?: bigint;
  /** The rate as a number, for the line's `rate`. */
  value: number;
  /** The tier's first token, for a long-context tier. */
  start?: number;
}

/** One unit's line for a given price set and options, worked out once (a price set is shared by every call). */
interface PlanStep {
  index: number;
  unit: UnitSpec;
  item: string;
  label: string;
  price: UnitPrice | undefined;
  /** The price's base rate and its tiers (in the data's order), when it has a price. */
  base?: StepRate;
  tiers?: StepRate[];
  /** `unit.per` as a bigint. */
  per: bigint;
  /** Shown even with no quantity (input, output, a per-request fee). */
  always: boolean;
  /** Skipped: a part without a price of its own stays in its parent's line. */
  skip: boolean;
}

interface Plan {
  steps: PlanStep[];
  /** For each unit (by index): the index of the parent it is taken out of, or -1. */
  takeFrom: Int8Array;
}

const UNIT_INDEX = new Map(UNITS.map((u, i) => [u.key, i]));
const plans = new WeakMap<PriceSet, Map<string, Plan>>();

function planFor(prices: PriceSet, opts: LineOptions): Plan {
  const variant = `${opts.cacheWriteTtl ?? ''}|${opts.searchContext ?? ''}`;
  let byVariant = plans.get(prices);
  if (!byVariant) plans.set(prices, (byVariant = new Map()));
  let plan = byVariant.get(variant);
  if (plan) return plan;
  const takeFrom = new Int8Array(UNITS.length).fill(-1);
  const steps: PlanStep[] = [];
  UNITS.forEach((unit, index) => {
    const hasPrice = prices[unit.key] !== undefined;
    const cacheUnit = unit.key === 'cache_read_mtok' || unit.key === 'cache_write_mtok';
    // Cached input and cache writes always leave the input line (charged at the input rate when the model has
    // no cache price, as genai-prices does); other parts only when priced apart.
    if (unit.parent && (hasPrice || cacheUnit)) takeFrom[index] = UNIT_INDEX.get(unit.parent) ?? -1;
    let { item, label } = unit;
    let price = prices[unit.key];
    if (unit.key === 'cache_write_mtok' && prices[CACHE_WRITE_1H_KEY]) {
      const oneHour = opts.cacheWriteTtl === '1h';
      item = oneHour ? 'cache_write_1h' : 'cache_write_5m';
      label = oneHour ? 'Cache writes, one-hour TTL' : 'Cache writes, five-minute TTL';
      if (oneHour) price = prices[CACHE_WRITE_1H_KEY];
    } else if (unit.key === 'requests_kcount' && opts.searchContext) {
      item = 'search_fee';
      label = `Web search fee, ${opts.searchContext} search context`;
    }
    if (!price && cacheUnit) {
      price = prices.input_mtok;
      if (price) label = `${label} (no cache price: charged at the input rate)`;
    }
    if (!price && !opts.free) label = `${label} (no price in our data)`;
    steps.push({
      index,
      unit,
      item,
      label,
      price,
      ...(price && { base: { text: price.rate, value: Number(price.rate) } }),
      ...(price?.tiers && { tiers: price.tiers.map((t) => ({ text: t.rate, value: Number(t.rate), start: t.start })) }),
      per: BigInt(unit.per),
      always: unit.key === 'input_mtok' || unit.key === 'output_mtok' || (unit.key === 'requests_kcount' && hasPrice),
      // The request count is always there; only a model with a per-request fee gets its line.
      skip: (unit.parent !== undefined && !hasPrice && !cacheUnit) || (unit.key === 'requests_kcount' && !hasPrice),
    });
  });
  plan = { steps: steps.filter((s) => !s.skip), takeFrom };
  byVariant.set(variant, plan);
  return plan;
}

/**
 * The itemized lines. Input and output always get a line; every other unit
 * gets one when it has a quantity (a per-request fee always has: one per
 * request). A part priced at its parent's rate (cached input on a model with
 * no cache price) says so in its label.
 */
export function costLines(prices: PriceSet, usage: Usage, opts: LineOptions): Line[] {
  const plan = planFor(prices, opts);
  // The quantity of each unit after taking out the more specific parts the model prices apart.
  const q = UNITS.map((u) => usage[u.usage]);
  for (let i = 0; i < q.length; i++) {
    const parent = plan.takeFrom[i]!;
    if (parent >= 0) q[parent]! -= q[i]!;
  }
  const n = BigInt(opts.requests);
  const lines: Line[] = [];
  for (const step of plan.steps) {
    const perRequest = q[step.index]!;
    if (!step.always && perRequest === 0) continue;
    const quantity = perRequest * opts.requests;
    const { unit } = step;
    if (opts.free) {
      lines.push({
        item: step.item,
        label: step.label,
        quantity,
        unit: unit.unit,
        rate: 0,
        per: unit.per,
        cost: 0,
        pricing: 'free',
        units: 0n,
      });
      continue;
    }
    if (!step.price) {
      lines.push({
        item: step.item,
        label: step.label,
        quantity,
        unit: unit.unit,
        rate: null,
        per: unit.per,
        cost: null,
        pricing: 'unpriced',
        units: 0n,
      });
      continue;
    }
    const applied = appliedRate(step, opts.promptTokens);
    applied.units ??= parseDecimal(applied.text);
    const units = roundUnits((BigInt(perRequest) * applied.units) / step.per) * n;
    const line: Line = {
      item: step.item,
      label: step.label,
      quantity,
      unit: unit.unit,
      rate: applied.value,
      per: unit.per,
      cost: unitsToNumber(units),
      pricing: 'priced',
      units,
      rateText: applied.text,
    };
    if (applied.start !== undefined) line.tierStart = applied.start;
    lines.push(line);
  }
  return lines;
}

/** tieredRate() over a plan step's rates: the last tier whose start the prompt exceeds, else the base rate. */
function appliedRate(step: PlanStep, promptTokens: number): StepRate {
  let rate = step.base!;
  if (step.tiers) for (const t of step.tiers) if (promptTokens > t.start!) rate = t;
  return rate;
}
