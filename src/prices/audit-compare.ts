// The audit's comparison: each model of an outside list that our catalog has
// by the same id at the same provider, price by price. A disagreement over
// 0.5% is explained by our own data (the list holds a price we had before a
// dated change, or another time-of-day price), by a reviewed entry of the
// known-differences file, or it is reported as unexplained.
import type { Catalog, ModelEntry, PriceSet } from '../pricing/types.js';
import { parseDecimal } from '../pricing/decimal.js';
import type { ListEntry, PriceList } from './audit-lists.js';

/** Two prices agree when they differ by at most this fraction of the larger. */
export const AGREEMENT = 0.005;

const FIELDS = { input: 'input_mtok', output: 'output_mtok', cache_read: 'cache_read_mtok', cache_write: 'cache_write_mtok' } as const;
type Field = keyof typeof FIELDS;

export interface KnownDifference {
  list: string;
  model: string;
  field: Field;
  /** The list's value this reason was written for; a new value is a new finding. */
  theirs: string;
  reason: string;
  reviewed: string;
}

export interface Finding {
  list: string;
  model: string;
  list_key: string;
  field: Field;
  ours: string;
  theirs: string;
  /** |ours - theirs| / max, 4 decimals. */
  difference: number;
  explained_by: 'our_history' | 'known_difference' | null;
  reason: string | null;
}

export interface AuditResult {
  list: string;
  about: string;
  compared: number;
  agreeing: number;
  findings: Finding[];
}

function differs(a: string, b: string): number {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  const big = x > y ? x : y;
  if (big === 0n) return 0;
  const diff = x > y ? x - y : y - x;
  return Number((diff * 1_000_000n) / big) / 1_000_000;
}

function sameValue(a: string | undefined, b: string): boolean {
  return a !== undefined && differs(a, b) <= AGREEMENT;
}

/** Our own data explains a value when it is a price we had at another date or time of day. */
function fromHistory(m: ModelEntry, key: string, theirs: string, pricedOn: string): string | null {
  for (const s of m.schedule ?? []) {
    if (s.prices === m.prices || !sameValue(s.prices[key]?.rate, theirs)) continue;
    const c = s.constraint;
    if (!c) return `the list holds our earlier price (before ${m.price_since ?? 'the dated change'})`;
    if (c.type === 'start_date') {
      return c.start_date > pricedOn
        ? `the list holds our scheduled price from ${c.start_date} (not in force yet)`
        : `the list holds our price from ${c.start_date}, since superseded`;
    }
    return `the list holds our price for the daily window ${c.start_time}-${c.end_time}`;
  }
  const outside = m.time_of_day?.outside;
  if (outside && outside !== m.prices && sameValue(outside[key]?.rate, theirs)) return 'the list holds the off-window (off-peak) price';
  return null;
}

/**
 * Our entry for a list's model: same provider, same id or a fixed alias of it. A moving alias ("-latest")
 * is not compared: the list and we may each have followed it at a different date.
 */
function ourModel(catalog: Catalog, e: ListEntry): ModelEntry | undefined {
  if (/latest/i.test(e.id)) return undefined;
  const r = catalog.resolve(e.id, { provider: e.provider });
  if (!r.ok || r.model.provider.id !== e.provider || (r.via !== 'exact' && r.via !== 'alias')) return undefined;
  return r.model;
}

export function audit(catalog: Catalog, list: PriceList, known: readonly KnownDifference[]): AuditResult {
  const knownBy = new Map(known.filter((k) => k.list === list.name).map((k) => [`${k.model}\u0000${k.field}\u0000${k.theirs}`, k]));
  const findings: Finding[] = [];
  let compared = 0;
  let agreeing = 0;
  const seen = new Set<string>();
  for (const e of list.entries) {
    const m = ourModel(catalog, e);
    if (!m) continue;
    for (const field of Object.keys(FIELDS) as Field[]) {
      const theirs = e[field];
      const ours: PriceSet[string] | undefined = m.prices[FIELDS[field]];
      if (theirs === undefined || ours === undefined) continue;
      const id = `${m.key}\u0000${field}\u0000${theirs}`;
      if (seen.has(id)) continue; // two list keys for one model and value: one finding
      seen.add(id);
      compared++;
      const difference = differs(ours.rate, theirs);
      if (difference <= AGREEMENT) {
        agreeing++;
        continue;
      }
      const history = fromHistory(m, FIELDS[field], theirs, catalog.priced_on);
      const k = knownBy.get(id);
      findings.push({
        list: list.name,
        model: m.key,
        list_key: e.listKey,
        field,
        ours: ours.rate,
        theirs,
        difference: Math.round(difference * 10_000) / 10_000,
        explained_by: history ? 'our_history' : k ? 'known_difference' : null,
        reason: history ?? k?.reason ?? null,
      });
    }
  }
  findings.sort((a, b) => a.model.localeCompare(b.model) || a.field.localeCompare(b.field));
  return { list: list.name, about: list.about, compared, agreeing, findings };
}
