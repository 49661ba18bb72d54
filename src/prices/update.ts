// `prices update`: read new base price data, check it against the data in
// force (schema, a catalog that builds with our overlay, no model gone without
// a note), report every price that moved, and only then write it atomically
// where `serve --prices` reads it. Bad or truncated data changes nothing.
import { existsSync } from 'node:fs';
import {
  checkUpdate,
  loadCatalog,
  loadOverlay,
  metaPath,
  readSource,
  writeAtomic,
  type PriceChange,
  type PriceFileMeta,
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

function changeLine(c: PriceChange): string {
  const pct = c.change === null ? '' : ` (${c.change > 0 ? '+' : ''}${(c.change * 100).toFixed(1)}%)`;
  return `  ${c.model} ${c.field}: ${c.old ?? '-'} -> ${c.new ?? '-'}${pct}`;
}

/** Exit code: 0 written, 1 refused (nothing written). */
export async function runPriceUpdate(run: UpdateRun): Promise<number> {
  const now = run.now ?? new Date();
  const fetchedAt = now.toISOString();
  let text: string;
  try {
    text = await readSource(run.from);
  } catch (err) {
    return refuse(run, [`cannot read ${run.from}: ${(err as Error).message}`]);
  }
  const overlay = await loadOverlay(run.overlayPath);
  // The data in force: the target file when there is one, else the bundled copy.
  const current = await loadCatalog({
    now,
    ...(existsSync(run.to) ? { pricesPath: run.to } : {}),
    ...(run.overlayPath ? { overlayPath: run.overlayPath } : {}),
  });
  const check = checkUpdate(text, run.from, {
    overlay,
    current,
    now,
    label: { date: fetchedAt.slice(0, 10), label: `fetched ${fetchedAt} from ${run.from}` },
    ...(run.removedNote ? { removedNote: run.removedNote } : {}),
    ...(run.driftFraction !== undefined ? { driftFraction: run.driftFraction } : {}),
  });
  if (!check.ok) return refuse(run, check.errors, check.changes.length, check.removed);

  const meta: PriceFileMeta = { source: run.from, fetched_at: fetchedAt, models: check.models };
  if (check.removed.length > 0) {
    meta.removed = check.removed;
    meta.removed_note = run.removedNote!;
  }
  // The data first, then its record: a reader that sees the new record also sees the new data.
  await writeAtomic(run.to, JSON.stringify(check.providers));
  await writeAtomic(metaPath(run.to), `${JSON.stringify(meta, null, 2)}\n`);

  if (run.json) {
    run.out(JSON.stringify({ ok: true, written: run.to, ...meta, added: check.added, changes: check.changes, drift: check.drift }));
    return 0;
  }
  run.out(`[OK] ${run.from}: ${check.models} priced models; written to ${run.to}`);
  run.out(
    `${check.changes.length} price(s) changed, ${check.drift.length} by more than ${((run.driftFraction ?? 0.25) * 100).toFixed(0)}%; ${check.added.length} model(s) added, ${check.removed.length} removed`,
  );
  if (check.removed.length > 0) run.out(`removed (${run.removedNote}): ${check.removed.join(', ')}`);
  for (const c of check.drift.slice(0, SHOWN_CHANGES)) run.out(`[DRIFT]${changeLine(c)}`);
  for (const c of check.changes.filter((x) => !check.drift.includes(x)).slice(0, SHOWN_CHANGES)) run.out(changeLine(c));
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
