// Every price that differs between two catalogs, for a refresh's drift report
// and a price release's answer diff. The comparison runs on price tables
// (model -> price key -> rate), so two running environments can each serve
// theirs and a third process can compare them. Pure.
import type { Catalog, PriceSet } from './types.js';
import { parseDecimal } from './decimal.js';

export interface PriceChange {
  /** Catalog key. */
  model: string;
  /** The price key ("input_mtok", "requests_kcount", "input_mtok>200000" for a tier), or "model" for an added or removed model. */
  field: string;
  /** Decimal text, or null when absent on that side. */
  old: string | null;
  new: string | null;
  /** Relative change (0.5 = +50%); null when a side is absent or the old price is 0. */
  change: number | null;
}

/** Every model's default prices, flat: catalog key -> price key (a tier as "key>start") -> decimal rate. */
export type PriceTable = Record<string, Record<string, string>>;

function flatten(p: PriceSet): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, price] of Object.entries(p)) {
    out[key] = price.rate;
    for (const t of price.tiers ?? []) out[`${key}>${t.start}`] = t.rate;
  }
  return out;
}

/** The price table of a catalog: every priced model, listed or not, by key. */
export function priceTable(catalog: Pick<Catalog, 'all_models'>): PriceTable {
  const out: PriceTable = {};
  for (const m of catalog.all_models) out[m.key] = flatten(m.prices);
  return out;
}

function relative(a: string, b: string): number | null {
  const x = parseDecimal(a);
  if (x === 0n) return null;
  return Number(((parseDecimal(b) - x) * 1_000_000n) / x) / 1_000_000;
}

function modelChanges(key: string, a: Record<string, string> | undefined, b: Record<string, string> | undefined): PriceChange[] {
  if (!a || !b) return [{ model: key, field: 'model', old: a ? 'listed' : null, new: b ? 'listed' : null, change: null }];
  const out: PriceChange[] = [];
  for (const field of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const o = a[field] ?? null;
    const n = b[field] ?? null;
    if (o === n) continue;
    out.push({ model: key, field, old: o, new: n, change: o !== null && n !== null ? relative(o, n) : null });
  }
  return out;
}

/** Every price that differs between two tables, by model then field; added and removed models too. */
export function diffPriceTables(before: PriceTable, after: PriceTable): PriceChange[] {
  const has = (t: PriceTable, k: string) => Object.prototype.hasOwnProperty.call(t, k);
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.flatMap((k) => modelChanges(k, has(before, k) ? before[k] : undefined, has(after, k) ? after[k] : undefined));
}

/** Every price (default price set, tiers included) that differs, by model then field; added and removed models too. */
export function diffPrices(before: Catalog, after: Catalog): PriceChange[] {
  return diffPriceTables(priceTable(before), priceTable(after));
}

/** One change in words: "openai:gpt-4o input_mtok: 2.5 -> 3 (+20.0%)". */
export function describeChange(c: PriceChange): string {
  if (c.field === 'model') return `${c.model}: ${c.old === null ? 'added' : 'removed'}`;
  const pct = c.change === null ? '' : ` (${c.change > 0 ? '+' : ''}${(c.change * 100).toFixed(1)}%)`;
  return `${c.model} ${c.field}: ${c.old ?? '-'} -> ${c.new ?? '-'}${pct}`;
}
