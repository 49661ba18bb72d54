// An exclusive lock file (created with O_EXCL) guarding base.json rewrites. A lock
// left by a crashed process is taken over when its owner is gone or it is old.

import { hostname } from 'node:os';
import { open, stat, unlink } from 'node:fs/promises';
import { readJson, isProcessAlive } from './files.js';

/** A lock older than this is stale whatever its owner says (a merge takes milliseconds). */
export const STALE_LOCK_MS = 30_000;
const RETRY_MS = 25;

export interface LockHandle {
  release(): Promise<void>;
}

/** Tries to take the lock for up to `waitMs`; undefined if someone else keeps it. */
export async function acquireLock(path: string, waitMs: number): Promise<LockHandle | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const handle = await tryCreate(path);
    if (handle) return handle;
    if (await isStale(path)) {
      // Remove-then-create leaves a small window where two takers of the same
      // stale lock could both proceed; the merge re-reads base.json after writing
      // it and only deletes writer files when its own write is the one on disk.
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (Date.now() >= deadline) return undefined;
    await new Promise((r) => setTimeout(r, RETRY_MS));
  }
}

async function tryCreate(path: string): Promise<LockHandle | undefined> {
  try {
    const fh = await open(path, 'wx', 0o644);
    try {
      await fh.writeFile(JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString() }));
    } finally {
      await fh.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw err;
  }
  return { release: () => unlink(path).catch(() => undefined) };
}

async function isStale(path: string): Promise<boolean> {
  try {
    const st = await stat(path);
    if (Date.now() - st.mtimeMs > STALE_LOCK_MS) return true;
    const owner = (await readJson(path)) as { pid?: unknown; host?: unknown } | undefined;
    if (!owner) return false;
    return owner.host === hostname() && typeof owner.pid === 'number' && !isProcessAlive(owner.pid);
  } catch {
    // Missing (just released) or half-written by its creator: not stale, retry.
    return false;
  }
}
