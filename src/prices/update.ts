// `prices update`: read new base price data, check it against the data in
// force (schema, a catalog that builds with our overlay, no model gone without
// a note), report every price that moved, and only then write it atomically
// where `serve --prices` reads it. Bad or truncated data changes nothing.
// `deploy --prices` reads and checks its data with the same two steps.
import { existsSync } from 'node:fs';
import {
  checkUpdate,
  describeChange,
  loadCatalog,
  loadOverlay,
  metaPath,
  readSource,
  writeAtomic,
  type Catalog,
  type Overlay,
  type PriceFileMeta,
  type UpdateCheck,
} from '../pricing/index.js';

export interface UpdateRun {
  from: string;
  to: string;
  overlayPath?: string;
  removedNote?: string;
  driftFraction?: number;
  json: boolean;
  out: (line: string) => void;
  now?: Date;
}

const SHOWN_CHANGES = 40;

/** New price data read and checked: what to write, and the record to write beside it. */
export interface CheckedPrices {
  check: UpdateCheck;
  meta: PriceFileMeta;
}

/**
 * Reads new base price data from a file or URL and checks it against the data in force (`current`, built with
 * `overlay`). Refused data comes back as errors; nothing is written either way.
 */
export async function readPriceSource(opts: {
  from: string;
  overlay: Overlay;
  current: Catalog;
  now: Date;
  removedNote?: string;
  driftFraction?: number;
}): Promise<{ ok: true; checked: CheckedPrices } | { ok: false; errors: string[]; check?: UpdateCheck }> {
  const fetchedAt = opts.now.toISOString();
  let text: string;
  try {
    text = await readSource(opts.from);
  } catch (err) {
    return { ok: false, errors: [`cannot read ${opts.from}: ${(err as Error).message}`] };
  }
  const check = checkUpdate(text, opts.from, {
    overlay: opts.overlay,
    current: opts.current,
    now: opts.now,
    label: { date: fetchedAt.slice(0, 10), label: `fetched ${fetchedAt} from ${opts.from}` },
    ...(opts.removedNote ? { removedNote: opts.removedNote } : {}),
    ...(opts.driftFraction !== undefined ? { driftFraction: opts.driftFraction } : {}),
  });
  if (!check.ok) return { ok: false, errors: check.errors, check };
  const meta: PriceFileMeta = { source: opts.from, fetched_at: fetchedAt, models: check.models };
  if (check.removed.length > 0) {
    meta.removed = check.removed;
    meta.removed_note = opts.removedNote!;
  }
  return { ok: true, checked: { check, meta } };
}

/** The data file's text: genai-prices' provider array, as checked. */
export function priceDataText(checked: CheckedPrices): string {
  return JSON.stringify(checked.check.providers);
}

/** Writes the data, then its record, each atomically: a reader that sees the new record also sees the new data. */
export async function writePriceData(to: string, checked: CheckedPrices): Promise<void> {
  await writeAtomic(to, priceDataText(checked));
  await writeAtomic(metaPath(to), `${JSON.stringify(checked.meta, null, 2)}\n`);
}

/** Exit code: 0 written, 1 refused (nothing written). */
export async function runPriceUpdate(run: UpdateRun): Promise<number> {
  const now = run.now ?? new Date();
  const overlay = await loadOverlay(run.overlayPath);
  // The data in force: the target file when there is one, else the bundled copy.
  const current = await loadCatalog({
    now,
    ...(existsSync(run.to) ? { pricesPath: run.to } : {}),
    ...(run.overlayPath ? { overlayPath: run.overlayPath } : {}),
  });
  const read = await readPriceSource({
    from: run.from,
    overlay,
    current,
    now,
    ...(run.removedNote ? { removedNote: run.removedNote } : {}),
    ...(run.driftFraction !== undefined ? { driftFraction: run.driftFraction } : {}),
  });
  if (!read.ok) return refuse(run, read.errors, read.check?.changes.length ?? 0, read.check?.removed ?? []);
  const { check, meta } = read.checked;
  await writePriceData(run.to, read.checked);

  if (run.json) {
    run.out(JSON.stringify({ ok: true, written: run.to, ...meta, added: check.added, changes: check.changes, drift: check.drift }));
    return 0;
  }
  run.out(`[OK] ${run.from}: ${check.models} priced models; written to ${run.to}`);
  run.out(
    `${check.changes.length} price(s) changed, ${check.drift.length} by more than ${((run.driftFraction ?? 0.25) * 100).toFixed(0)}%; ${check.added.length} model(s) added, ${check.removed.length} removed`,
  );
  if (check.removed.length > 0) run.out(`removed (${run.removedNote}): ${check.removed.join(', ')}`);
  for (const c of check.drift.slice(0, SHOWN_CHANGES)) run.out(`[DRIFT]  ${describeChange(c)}`);
  for (const c of check.changes.filter((x) => !check.drift.includes(x)).slice(0, SHOWN_CHANGES)) run.out(`  ${describeChange(c)}`);
  if (check.changes.length > SHOWN_CHANGES) run.out(`  … ${check.changes.length - SHOWN_CHANGES} more (use --json for all)`);
  run.out(`serve it with: llm-pricing-mcp serve --http --prices ${run.to}`);
  return 0;
}

function refuse(run: UpdateRun, errors: string[], changes = 0, removed: string[] = []): number {
  if (run.json) run.out(JSON.stringify({ ok: false, errors, changes, removed, written: null }));
  else {
    for (const e of errors) run.out(`[REFUSED] ${e}`);
    run.out(`nothing written; ${run.to} is unchanged`);
  }
  return 1;
}
