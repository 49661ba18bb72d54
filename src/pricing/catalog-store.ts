// Holds the current Catalog and refreshes its base data at run time from a
// URL or a file in genai-prices' published JSON format. A refresh is
// validated by schema, built into a complete new Catalog, then swapped in by
// one reference assignment (readers see the old or the new catalog, never a
// mix). The last good data is kept when a refresh fails, the good data is
// cached on disk (written atomically) for the next start, and prices that
// move by more than a set fraction are reported as drift.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Catalog, ModelEntry } from './types.js';
import { buildCatalog, type BaseProvider } from './build-catalog.js';
import { parseBaseData } from './base-schema.js';
import { basePackageVersion, BASE_NAME, loadBaseProviders, loadOverlay } from './load-catalog.js';
import type { Overlay } from './overlay-schema.js';
import { parseDecimal } from './decimal.js';

/** A price moving by more than this fraction (25%) is reported as drift. */
export const DEFAULT_DRIFT_FRACTION = 0.25;
export const DEFAULT_REFRESH_TIMEOUT_MS = 15_000;
/** genai-prices' full data is ~0.7 MB; refuse anything far beyond that. */
export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
/** A refresh that would lose more than half of the current base models is refused as broken data. */
const MIN_KEPT_FRACTION = 0.5;

export interface DriftItem {
  key: string;
  field: 'input' | 'output';
  from: string;
  to: string;
  /** Relative change, e.g. 0.5 for +50%, -0.4 for -40% (Infinity from a zero price). */
  change: number;
}

export interface RefreshResult {
  ok: boolean;
  source: string;
  at: string;
  /** The version in force after the call (unchanged when ok is false). */
  version: string;
  previous_version: string;
  models: number;
  drift: DriftItem[];
  error?: string;
  warning?: string;
}

export interface StoreOptions {
  now?: () => Date;
  overlayPath?: string;
  /** Where refreshed data is cached between runs; no caching when absent. */
  cacheFile?: string;
  driftFraction?: number;
  timeoutMs?: number;
  maxBytes?: number;
}

interface CachedData {
  source: string;
  fetched_at: string;
  providers: unknown;
}

export class CatalogStore {
  private current: Catalog;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    catalog: Catalog,
    private readonly overlay: Overlay,
    private readonly opts: StoreOptions,
  ) {
    this.current = catalog;
  }

  /**
   * The catalog from the disk cache of an earlier refresh when one is there
   * and valid, else from the installed genai-prices package.
   */
  static async open(opts: StoreOptions = {}): Promise<CatalogStore> {
    const overlay = await loadOverlay(opts.overlayPath);
    const now = (opts.now ?? (() => new Date()))();
    const cached = opts.cacheFile ? await readCache(opts.cacheFile) : undefined;
    const catalog = cached
      ? buildFromFetched(cached.providers, overlay, now, cached.source, cached.fetched_at)
      : buildCatalog(await loadBaseProviders(), overlay, { now, baseVersion: basePackageVersion(), baseName: BASE_NAME });
    return new CatalogStore(catalog, overlay, opts);
  }

  /** The catalog in force. Hold on to it for one request; ask again for the next. */
  get catalog(): Catalog {
    return this.current;
  }

  /** Fetch, validate, build and swap in new base data. Never throws; failures keep the current catalog. */
  refresh(source: string): Promise<RefreshResult> {
    const run = this.queue.then(() => this.refreshNow(source));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async refreshNow(source: string): Promise<RefreshResult> {
    const now = (this.opts.now ?? (() => new Date()))();
    const before = this.current;
    const base = { source, at: now.toISOString(), previous_version: before.version };
    try {
      const text = await readSource(source, this.opts.timeoutMs ?? DEFAULT_REFRESH_TIMEOUT_MS, this.opts.maxBytes ?? DEFAULT_MAX_BYTES);
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch (err) {
        throw new Error(`not valid JSON: ${(err as Error).message}`, { cause: err });
      }
      const providers = parseBaseData(data, `provider data from ${source}`);
      const next = buildFromFetched(providers, this.overlay, now, source, base.at);
      const keptBase = next.all_models.filter((m) => m.provider.origin === 'genai-prices').length;
      const hadBase = before.all_models.filter((m) => m.provider.origin === 'genai-prices').length;
      if (keptBase < hadBase * MIN_KEPT_FRACTION) {
        throw new Error(`refused: the new data has ${keptBase} priced models where the current has ${hadBase}`);
      }
      const drift = findDrift(before.all_models, next.all_models, this.opts.driftFraction ?? DEFAULT_DRIFT_FRACTION);
      this.current = next; // the swap: one assignment
      const result: RefreshResult = { ...base, ok: true, version: next.version, models: next.all_models.length, drift };
      if (this.opts.cacheFile) {
        try {
          await writeCache(this.opts.cacheFile, { source, fetched_at: base.at, providers: data });
        } catch (err) {
          result.warning = `new data is in use but could not be cached at ${this.opts.cacheFile}: ${(err as Error).message}`;
        }
      }
      return result;
    } catch (err) {
      return {
        ...base,
        ok: false,
        version: before.version,
        models: before.all_models.length,
        drift: [],
        error: `refresh from ${source} failed, keeping data version ${before.version}: ${(err as Error).message}`,
      };
    }
  }
}

function buildFromFetched(providers: unknown, overlay: Overlay, now: Date, source: string, fetchedAt: string): Catalog {
  const parsed: BaseProvider[] = parseBaseData(providers, `provider data from ${source}`);
  return buildCatalog(parsed, overlay, {
    now,
    baseName: BASE_NAME,
    baseVersion: 'data',
    baseAsOf: { date: fetchedAt.slice(0, 10), label: `fetched ${fetchedAt} from ${source}` },
  });
}

/** Read a URL (http, https, file) or a path, within a time and size limit. */
async function readSource(source: string, timeoutMs: number, maxBytes: number): Promise<string> {
  if (/^https?:\/\//i.test(source)) {
    const res = await fetch(source, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > maxBytes) throw new Error(`response of ${declared} bytes exceeds the ${maxBytes}-byte limit`);
    const body = Buffer.from(await res.arrayBuffer());
    if (body.length > maxBytes) throw new Error(`response of ${body.length} bytes exceeds the ${maxBytes}-byte limit`);
    return body.toString('utf8');
  }
  const path = source.startsWith('file:') ? fileURLToPath(source) : source;
  const body = await readFile(path);
  if (body.length > maxBytes) throw new Error(`file of ${body.length} bytes exceeds the ${maxBytes}-byte limit`);
  return body.toString('utf8');
}

/** Input/output rates of models present in both catalogs that moved by more than `fraction`. */
export function findDrift(before: readonly ModelEntry[], after: readonly ModelEntry[], fraction: number): DriftItem[] {
  const old = new Map(before.map((m) => [m.key, m]));
  const out: DriftItem[] = [];
  for (const m of after) {
    const prev = old.get(m.key);
    if (!prev) continue;
    for (const field of ['input', 'output'] as const) {
      const from = prev.rates[field];
      const to = m.rates[field];
      if (from === undefined || to === undefined || from === to) continue;
      const a = parseDecimal(from);
      const b = parseDecimal(to);
      const change = a === 0n ? Infinity : Number(((b - a) * 1_000_000n) / a) / 1_000_000;
      if (Math.abs(change) > fraction) out.push({ key: m.key, field, from, to, change });
    }
  }
  return out;
}

async function readCache(file: string): Promise<CachedData | undefined> {
  try {
    const data = JSON.parse(await readFile(file, 'utf8')) as Partial<CachedData>;
    if (typeof data.source !== 'string' || typeof data.fetched_at !== 'string' || !Array.isArray(data.providers)) return undefined;
    parseBaseData(data.providers); // a corrupt cache is ignored, not fatal
    return data as CachedData;
  } catch {
    return undefined;
  }
}

async function writeCache(file: string, data: CachedData): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, JSON.stringify(data), { mode: 0o644 });
  await rename(tmp, file); // atomic on one filesystem: readers see the old file or the new one
}
