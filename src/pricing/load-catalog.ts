// The I/O part: genai-prices' embedded provider array (read once) and
// data/overlay.json, handed to buildCatalog.
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Catalog } from './types.js';
import { buildCatalog, type BaseProvider } from './build-catalog.js';
import { parseOverlay, type Overlay } from './overlay-schema.js';

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
}

/** Base data + overlay -> Catalog. Call once and share the result: building the index is the costly part. */
export async function loadCatalog(opts: LoadOptions = {}): Promise<Catalog> {
  const [providers, overlay] = await Promise.all([loadBaseProviders(), loadOverlay(opts.overlayPath)]);
  const buildOpts = opts.now ? { now: opts.now } : {};
  return buildCatalog(providers, overlay, { ...buildOpts, baseVersion: basePackageVersion(), baseName: BASE_NAME });
}
