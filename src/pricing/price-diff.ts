// Every price that differs between two catalogs, for a refresh's drift report
// and a price release's answer diff. Pure.
import type { Catalog, ModelEntry, PriceSet } from './types.js';
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

function flatten(p: PriceSet): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, price] of Object.entries(p)) {
    out.set(key, price.rate);
    for (const t of price.tiers ?? []) out.set(`${key}>${t.start}`, t.rate);
  }
  return out;
}

function relative(a: string, b: string): number | null {
  const x = parseDecimal(a);
  if (x === 0n) return null;
  return Number(((parseDecimal(b) - x) * 1_000_000n) / x) / 1_000_000;
}

function modelChanges(key: string, before: ModelEntry | undefined, after: ModelEntry | undefined): PriceChange[] {
  if (!before || !after) {
    return [{ model: key, field: 'model', old: before ? 'listed' : null, new: after ? 'listed' : null, change: null }];
  }
  const a = flatten(before.prices);
  const b = flatten(after.prices);
  const out: PriceChange[] = [];
  for (const field of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const o = a.get(field) ?? null;
    const n = b.get(field) ?? null;
    if (o === n) continue;
    out.push({ model: key, field, old: o, new: n, change: o !== null && n !== null ? relative(o, n) : null });
  }
  return out;
}

/** Every price (default price set, tiers included) that differs, by model then field; added and removed models too. */
export function diffPrices(before: Catalog, after: Catalog): PriceChange[] {
  const keys = [...new Set([...before.all_models.map((m) => m.key), ...after.all_models.map((m) => m.key)])].sort();
  return keys.flatMap((k) => modelChanges(k, before.model(k), after.model(k)));
}
