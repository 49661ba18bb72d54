// The shared telemetry directory: each process writes only its own file; totals
// are base.json plus every writer file not yet folded into it. Folding (under the
// merge lock) moves the counts of exited writers into base.json so the directory
// stays small across many restarts and deploys.

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdir, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { cloneCounts, mergeInto } from './histogram.js';
import {
  BASE_FILE,
  FORMAT,
  LOCK_FILE,
  emptyBase,
  isProcessAlive,
  isWriterFile,
  readBase,
  readJson,
  writeFileAtomic,
  writerFileName,
  writerIdFromFileName,
  type BaseFile,
  type ToolCounts,
  type WriterFile,
  type WriterInfo,
} from './files.js';
import { acquireLock } from './lock.js';

/** A writer on another host (shared volume) is presumed gone after this long without an update. */
const FOREIGN_WRITER_EXPIRY_MS = 24 * 3_600_000;
/** A local writer whose pid lives on but has not written for this long is a reused pid: fold it. */
const SILENT_WRITER_EXPIRY_MS = 3_600_000;
const TMP_EXPIRY_MS = 3_600_000;

export interface StoredTotals {
  tools: ToolCounts;
  /** Other writer files counted (live processes, or exited ones not folded yet). */
  writers: number;
  first_recorded_at?: string;
}

export class TelemetryStore {
  private readonly basePath: string;
  private readonly lockPath: string;
  private readonly ownPath: string;

  constructor(
    readonly dir: string,
    readonly self: WriterInfo,
  ) {
    this.basePath = join(dir, BASE_FILE);
    this.lockPath = join(dir, LOCK_FILE);
    this.ownPath = join(dir, writerFileName(self.id));
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  async writeOwn(tools: ToolCounts): Promise<void> {
    const file: WriterFile = { format: FORMAT, writer: this.self, updated_at: new Date().toISOString(), tools };
    await writeFileAtomic(this.ownPath, JSON.stringify(file));
  }

  /** Everything stored except this process's own counts (which the caller has live in memory). */
  async readOthers(): Promise<StoredTotals> {
    // A merge may fold and delete a writer file between our directory listing and
    // our read of it; then base.json already holds it, so read everything again.
    for (let attempt = 0; ; attempt++) {
      const names = await readdir(this.dir);
      const base = await this.readBaseOrEmpty();
      const folded = new Set(base.folded);
      const tools = cloneTools(base.tools);
      let first = base.first_recorded_at;
      let writers = 0;
      let vanished = false;
      for (const name of names) {
        const id = writerIdFromFileName(name);
        if (id === undefined || id === this.self.id || folded.has(id)) continue;
        const file = await readJson(join(this.dir, name)).catch(() => null);
        if (file === undefined) {
          vanished = true;
          continue;
        }
        if (!isWriterFile(file)) continue; // unreadable or foreign: never trusted, never deleted
        addTools(tools, file.tools);
        first = earliest(first, file.writer.started_at);
        writers++;
      }
      if (!vanished || attempt >= 2) return { tools, writers, first_recorded_at: first };
    }
  }

  /**
   * Folds exited writers into base.json; with `selfTools` (at close) also folds
   * this process. Returns false when another process holds the lock too long.
   */
  async fold(opts: { selfTools?: ToolCounts; waitMs?: number } = {}): Promise<boolean> {
    const lock = await acquireLock(this.lockPath, opts.waitMs ?? 1000);
    if (!lock) return false;
    try {
      const base = await this.readBaseOrSetAside();
      const names = await readdir(this.dir);
      const present = new Set(names.map(writerIdFromFileName).filter((id): id is string => id !== undefined));
      // Ids whose files are gone can never be double counted again: forget them.
      const folded = new Set(base.folded.filter((id) => present.has(id)));
      const tools = cloneTools(base.tools);
      let first = base.first_recorded_at;
      const toDelete: string[] = [];
      let changed = folded.size !== base.folded.length;

      if (opts.selfTools) {
        addTools(tools, opts.selfTools);
        first = earliest(first, this.self.started_at);
        folded.add(this.self.id);
        if (present.has(this.self.id)) toDelete.push(writerFileName(this.self.id));
        changed = true;
      }
      for (const name of names) {
        const id = writerIdFromFileName(name);
        if (id === undefined || id === this.self.id) {
          if (name.endsWith('.tmp')) await this.removeIfOld(name);
          continue;
        }
        if (folded.has(id)) {
          toDelete.push(name); // left behind by a merge that stopped before deleting it
          continue;
        }
        const file = await readJson(join(this.dir, name)).catch(() => null);
        if (!isWriterFile(file) || !isExited(file)) continue;
        addTools(tools, file.tools);
        first = earliest(first, file.writer.started_at);
        folded.add(id);
        toDelete.push(name);
        changed = true;
      }
      if (!changed && toDelete.length === 0) return true;

      const token = randomBytes(8).toString('hex');
      const next: BaseFile = {
        format: FORMAT,
        updated_at: new Date().toISOString(),
        ...(first ? { first_recorded_at: first } : {}),
        folded: [...folded],
        tools,
        merge_token: token,
      };
      await writeFileAtomic(this.basePath, JSON.stringify(next));
      // Delete folded files only if our base.json is the one on disk.
      const check = await readBase(this.dir).catch(() => undefined);
      if (check?.merge_token !== token) return false;
      for (const name of toDelete) await unlink(join(this.dir, name)).catch(() => undefined);
      return true;
    } finally {
      await lock.release();
    }
  }

  private async readBaseOrEmpty(): Promise<BaseFile> {
    try {
      return await readBase(this.dir);
    } catch {
      return emptyBase();
    }
  }

  /** A corrupt base.json (should never happen: writes are atomic) is kept aside for a human, not overwritten. */
  private async readBaseOrSetAside(): Promise<BaseFile> {
    try {
      return await readBase(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code) throw err; // an I/O error, not bad content
      await rename(this.basePath, `${this.basePath}.corrupt-${Date.now()}`).catch(() => undefined);
      return emptyBase();
    }
  }

  private async removeIfOld(name: string): Promise<void> {
    const path = join(this.dir, name);
    try {
      const st = await stat(path);
      if (Date.now() - st.mtimeMs > TMP_EXPIRY_MS) await unlink(path);
    } catch {
      // gone already
    }
  }
}

function isExited(file: WriterFile): boolean {
  const silentMs = Date.now() - Date.parse(file.updated_at);
  if (file.writer.host !== hostname()) return silentMs > FOREIGN_WRITER_EXPIRY_MS;
  return !isProcessAlive(file.writer.pid) || silentMs > SILENT_WRITER_EXPIRY_MS;
}

export function cloneTools(tools: ToolCounts): ToolCounts {
  const out: ToolCounts = {};
  for (const [name, counts] of Object.entries(tools)) out[name] = cloneCounts(counts);
  return out;
}

export function addTools(into: ToolCounts, from: ToolCounts): void {
  for (const [name, counts] of Object.entries(from)) {
    const target = into[name];
    if (target) mergeInto(target, counts);
    else into[name] = cloneCounts(counts);
  }
}

function earliest(a: string | undefined, b: string): string {
  return a === undefined || b < a ? b : a;
}
