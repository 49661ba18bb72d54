// Checks new base price data before it may replace what is in force: the
// schema, a catalog built from it, no model disappearing without a note, and
// a report of every price that moved. Pure: the caller reads and writes files.
import type { Catalog } from './types.js';
import { parseBaseData } from './base-schema.js';
import { buildCatalog, type BaseProvider } from './build-catalog.js';
import type { Overlay } from './overlay-schema.js';
import { diffPrices, type PriceChange } from './price-diff.js';

/** A price moving by more than this fraction (25%) is flagged as drift. */
export const DEFAULT_DRIFT_FRACTION = 0.25;

export interface UpdateCheck {
  ok: boolean;
  /** Why the data is refused (empty when ok). */
  errors: string[];
  /** Base models (catalog keys) in force now and missing from the new data. */
  removed: string[];
  added: string[];
  /** Every price that differs, and those that moved by more than the drift fraction. */
  changes: PriceChange[];
  drift: PriceChange[];
  models: number;
  providers?: BaseProvider[];
  catalog?: Catalog;
}

export interface UpdateOptions {
  overlay: Overlay;
  current: Catalog;
  now: Date;
  /** Accepting removed models needs a reason, recorded with the data. */
  removedNote?: string;
  driftFraction?: number;
  label: { date: string; label: string };
}

export function checkUpdate(text: string, origin: string, opts: UpdateOptions): UpdateCheck {
  const fail = (error: string): UpdateCheck => ({ ok: false, errors: [error], removed: [], added: [], changes: [], drift: [], models: 0 });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return fail(`${origin} is not valid JSON (truncated or not price data): ${(err as Error).message}`);
  }
  let providers: BaseProvider[];
  try {
    providers = parseBaseData(data, `price data from ${origin}`);
  } catch (err) {
    return fail((err as Error).message);
  }
  const catalog = buildCatalog(providers, opts.overlay, {
    now: opts.now,
    baseName: 'genai-prices',
    baseVersion: 'data',
    baseAsOf: opts.label,
  });
  const base = (c: Catalog) => new Set(c.all_models.filter((m) => m.provider.origin === 'genai-prices').map((m) => m.key));
  const before = base(opts.current);
  const after = base(catalog);
  const removed = [...before].filter((k) => !after.has(k)).sort();
  const added = [...after].filter((k) => !before.has(k)).sort();
  const changes = diffPrices(opts.current, catalog).filter((c) => c.field !== 'model');
  const fraction = opts.driftFraction ?? DEFAULT_DRIFT_FRACTION;
  const drift = changes.filter((c) => c.change === null || Math.abs(c.change) > fraction);
  const errors: string[] = [];
  if (removed.length > 0 && !opts.removedNote?.trim()) {
    errors.push(
      `${removed.length} model(s) in force now are missing from the new data (${removed.slice(0, 5).join(', ')}${removed.length > 5 ? ', …' : ''}); ` +
        'if that is right, say why with --removed-note',
    );
  }
  // Overlay entries about a model whose removal was accepted are moot; any other misfit is an error.
  const accepted = opts.removedNote?.trim() ? removed : [];
  for (const w of catalog.warnings) {
    if (!accepted.some((k) => w.includes(`"${k}"`))) errors.push(`the overlay does not fit the new data: ${w}`);
  }
  return { ok: errors.length === 0, errors, removed, added, changes, drift, models: catalog.all_models.length, providers, catalog };
}
