// The data of a price release (`deploy --prices FILE|URL`, `--overlay FILE|URL`): read, checked the way
// `prices update` checks (schema, a catalog that builds with the overlay, no model gone without a note), and
// copied into D/prices/ under its digest, so a colour restarted after a crash or a rollback months later finds
// exactly the data it served. Refused data writes nothing: the deploy stops before phase 1.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  buildCatalog,
  DEFAULT_OVERLAY_PATH,
  loadBaseProviders,
  loadCatalog,
  loadOverlay,
  loadPriceFile,
  parseOverlay,
  readSource,
  writeAtomic,
  type Catalog,
  type Overlay,
} from '../pricing/index.js';
import { priceDataText, readPriceSource, writePriceData } from '../prices/update.js';
import { ReleaseError } from './release.js';
import type { DataFile, ReleaseData, ReleaseSpec } from './state.js';

/** What the deploy verb asked for about data (paths relative to the CLI's working directory, or URLs). */
export interface DataRequest {
  prices?: string;
  overlay?: string;
  /** Accept models in force now that the new data lacks, and record why (as `prices update --removed-note`). */
  removedNote?: string;
  cwd: string;
}

export const PricesDirName = 'prices';

const isUrl = (s: string) => /^https?:\/\//i.test(s);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The overlay a release reads when it carries none: its build's data/overlay.json (ours, for a --command release). */
function bundledOverlay(release: Pick<ReleaseSpec, 'dir'> | null): string {
  const own = release?.dir !== undefined ? join(release.dir, 'data', 'overlay.json') : undefined;
  return own !== undefined && existsSync(own) ? own : DEFAULT_OVERLAY_PATH;
}

/** The catalog a release serves, built from its data files (the bundled base data is the controller's copy). */
async function catalogOf(release: ReleaseSpec | null, now: Date): Promise<Catalog> {
  return loadCatalog({
    now,
    ...(release?.data?.prices ? { pricesPath: release.data.prices.file } : {}),
    overlayPath: release?.data?.overlay?.file ?? bundledOverlay(release),
  });
}

/**
 * Reads and checks the requested data for a release of `code` (the data `code` already carries stays where the
 * request gives none), against what `active` serves now, and copies it into D/prices/. Throws ReleaseError naming
 * every problem; nothing is written then.
 */
export async function preparePriceData(
  req: DataRequest,
  code: Pick<ReleaseSpec, 'dir' | 'data'>,
  active: ReleaseSpec | null,
  deployDir: string,
  onLine: (line: string) => void,
  now = new Date(),
): Promise<ReleaseData> {
  const where = (s: string) => (isUrl(s) ? s : resolve(req.cwd, s));
  const refuse = (errors: string[]) =>
    new ReleaseError(`the price data was refused, nothing changed:\n${errors.map((e) => `  ${e}`).join('\n')}`);

  // The overlay the new release will read, parsed (a new one is read first: the base data is checked against it).
  let overlay: Overlay;
  let overlayText: string | undefined;
  if (req.overlay !== undefined) {
    try {
      overlayText = await readSource(where(req.overlay));
      overlay = parseOverlay(JSON.parse(overlayText), `overlay ${req.overlay}`);
    } catch (err) {
      throw refuse([`overlay ${req.overlay}: ${(err as Error).message}`]);
    }
  } else {
    overlay = await loadOverlay(code.data?.overlay?.file ?? bundledOverlay(code));
  }

  const current = await catalogOf(active, now);
  const dir = join(resolve(deployDir), PricesDirName);
  const data: ReleaseData = { ...code.data };
  const readAt = now.toISOString();

  if (req.prices !== undefined) {
    const from = where(req.prices);
    const read = await readPriceSource({ from, overlay, current, now, ...(req.removedNote ? { removedNote: req.removedNote } : {}) });
    if (!read.ok) throw refuse(read.errors);
    const digest = sha256(priceDataText(read.checked));
    const file = join(dir, `prices-${digest.slice(0, 16)}.json`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Named by its digest: the same data read again is the same file (a colour running it is not touched).
    if (!existsSync(file)) await writePriceData(file, read.checked);
    const c = read.checked.check;
    onLine(
      `  [INFO] Price data ${from}: ${c.models} priced models, ${c.changes.length} price(s) differ from the active data; copied to ${file}`,
    );
    data.prices = { file, source: from, sha256: digest, readAt };
  } else if (req.overlay !== undefined) {
    // A new overlay over the data in force: it must fit that base data.
    const providers = code.data?.prices ? (await loadPriceFile(code.data.prices.file)).providers : await loadBaseProviders();
    const built = buildCatalog(providers, overlay, { now, baseName: 'genai-prices', baseVersion: 'data' });
    if (built.warnings.length > 0) throw refuse(built.warnings.map((w) => `the overlay does not fit the base data: ${w}`));
  }

  if (overlayText !== undefined) {
    const digest = sha256(overlayText);
    const file = join(dir, `overlay-${digest.slice(0, 16)}.json`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!existsSync(file)) await writeAtomic(file, overlayText);
    onLine(`  [INFO] Overlay ${where(req.overlay!)}: copied to ${file}`);
    data.overlay = { file, source: where(req.overlay!), sha256: digest, readAt } satisfies DataFile;
  }
  return data;
}
