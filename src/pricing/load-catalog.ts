// The I/O part: genai-prices' embedded provider array (read once) and
// data/overlay.json, handed to buildCatalog.
import { readFile, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Catalog } from './types.js';
import { buildCatalog, type BaseProvider } from './build-catalog.js';
import { parseOverlay, type Overlay } from './overlay-schema.js';
import { parseBaseData } from './base-schema.js';
import { metaPath, type PriceFileMeta } from './price-files.js';

/** data/overlay.json, two levels above this file in src/pricing (tests) or dist/pricing (built code). */
export const DEFAULT_OVERLAY_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'overlay.json');

export const BASE_NAME = 'genai-prices';

/** Version of the installed @pydantic/genai-prices (its package.json is not exported, so find it beside the entry). */
export function basePackageVersion(): string {
  try {
    const entry = createRequire(import.meta.url).resolve('@pydantic/genai-prices');
    const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** genai-prices' embedded providers (43 in 0.1.8). */
export async function loadBaseProviders(): Promise<BaseProvider[]> {
  // Imported here, not at the top: its data is most of a start's module loading, and `serve --stdio` answers
  // `initialize` before it loads the catalog (src/mcp/context.ts).
  const { waitForUpdate } = await import('@pydantic/genai-prices');
  const providers = await waitForUpdate();
  if (!providers || providers.length === 0) throw new Error('genai-prices returned no provider data');
  return providers as unknown as BaseProvider[];
}

export async function loadOverlay(path = DEFAULT_OVERLAY_PATH): Promise<Overlay> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read overlay ${path}: ${(err as Error).message}`, { cause: err });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`overlay ${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return parseOverlay(data, `overlay ${path}`);
}

export interface LoadOptions {
  now?: Date;
  overlayPath?: string;
  /** Base price data in genai-prices' published JSON format, instead of the bundled copy (serve --prices). */
  pricesPath?: string;
}

export interface PriceFile {
  providers: BaseProvider[];
  /** When and where the data came from, for data_as_of. */
  asOf: { date: string; label: string };
}

/** A price data file (as `prices update` writes it), schema-checked; throws an Error naming the file and the problem. */
export async function loadPriceFile(path: string): Promise<PriceFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read price data ${path}: ${(err as Error).message}`, { cause: err });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`price data ${path} is not valid JSON (truncated?): ${(err as Error).message}`, { cause: err });
  }
  const providers = parseBaseData(data, `price data ${path}`);
  const meta = await readMeta(path);
  if (meta) return { providers, asOf: { date: meta.fetched_at.slice(0, 10), label: `fetched ${meta.fetched_at} from ${meta.source}` } };
  const modified = (await stat(path)).mtime.toISOString();
  return { providers, asOf: { date: modified.slice(0, 10), label: `file ${path}, modified ${modified}` } };
}

async function readMeta(path: string): Promise<PriceFileMeta | undefined> {
  try {
    const meta = JSON.parse(await readFile(metaPath(path), 'utf8')) as Partial<PriceFileMeta>;
    return typeof meta.source === 'string' && typeof meta.fetched_at === 'string' ? (meta as PriceFileMeta) : undefined;
  } catch {
    return undefined; // no record of where the file came from: its modification time says when
  }
}

/** Base data + overlay -> Catalog. Call once and share the result: building the index is the costly part. */
export async function loadCatalog(opts: LoadOptions = {}): Promise<Catalog> {
  const buildOpts = opts.now ? { now: opts.now } : {};
  if (opts.pricesPath !== undefined) {
    const [file, overlay] = await Promise.all([loadPriceFile(opts.pricesPath), loadOverlay(opts.overlayPath)]);
    return buildCatalog(file.providers, overlay, { ...buildOpts, baseName: BASE_NAME, baseVersion: 'data', baseAsOf: file.asOf });
  }
  const [providers, overlay] = await Promise.all([loadBaseProviders(), loadOverlay(opts.overlayPath)]);
  return buildCatalog(providers, overlay, { ...buildOpts, baseVersion: basePackageVersion(), baseName: BASE_NAME });
}
