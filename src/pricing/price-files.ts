// The I/O of price data files: read a URL or a file within a time and size
// limit, and write a file atomically (temporary file, fsync, rename, fsync of
// the directory) so `serve --prices` never reads half a file.
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_READ_TIMEOUT_MS = 15_000;
/** genai-prices' full data is ~0.7 MB; refuse anything far beyond that. */
export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;

/** Read a URL (http, https, file:) or a path. */
export async function readSource(source: string, timeoutMs = DEFAULT_READ_TIMEOUT_MS, maxBytes = DEFAULT_MAX_BYTES): Promise<string> {
  if (/^https?:\/\//i.test(source)) {
    let res: Response;
    try {
      res = await fetch(source, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    } catch (err) {
      throw new Error(fetchFailure(err, timeoutMs), { cause: err });
    }
    if (!res.ok) throw new Error(`${source}: HTTP ${res.status} ${res.statusText}`);
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > maxBytes) throw new Error(`${source}: response of ${declared} bytes exceeds the ${maxBytes}-byte limit`);
    const body = Buffer.from(await res.arrayBuffer());
    if (body.length > maxBytes) throw new Error(`${source}: response of ${body.length} bytes exceeds the ${maxBytes}-byte limit`);
    return body.toString('utf8');
  }
  const path = source.startsWith('file:') ? fileURLToPath(source) : source;
  const body = await readFile(path);
  if (body.length > maxBytes) throw new Error(`${path}: file of ${body.length} bytes exceeds the ${maxBytes}-byte limit`);
  return body.toString('utf8');
}

/** fetch's own message is "fetch failed"; the reason is in its cause (a refused connection, an unknown host). */
function fetchFailure(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  const cause = e.cause?.message ?? e.cause?.code;
  return cause ? `${e.message} (${cause})` : e.message;
}

/** Write `text` to `file` so that readers see the old file or the new one, never a mix. */
export async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const handle = await open(tmp, 'w', 0o644);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  const dir = await open(dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** What `prices update` records beside a data file: where it came from, when, and why models went away. */
export interface PriceFileMeta {
  source: string;
  fetched_at: string;
  models: number;
  removed?: string[];
  removed_note?: string;
}

export function metaPath(file: string): string {
  return `${file}.meta.json`;
}
