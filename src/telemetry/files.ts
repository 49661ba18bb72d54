// On-disk shapes of the telemetry store and the low-level file operations.
//
// Layout of a telemetry directory (shared by every server process, e.g. blue and
// green at once):
//   w-<writer id>.json   one per live (or crashed) server process; only that process writes it
//   base.json            counts folded in from writers that have exited
//   merge.lock           held while base.json is rewritten
// Every write goes to a temp file, is fsynced, then renamed over the target, so a
// reader sees either the old or the new file, never half of one.

import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isLatencyCounts, type LatencyCounts } from './histogram.js';

export const FORMAT = 1;
export const BASE_FILE = 'base.json';
export const LOCK_FILE = 'merge.lock';
export const WRITER_PREFIX = 'w-';

export type ToolCounts = Record<string, LatencyCounts>;

export interface WriterInfo {
  id: string;
  pid: number;
  host: string;
  version: string;
  color?: string;
  started_at: string;
}

export interface WriterFile {
  format: typeof FORMAT;
  writer: WriterInfo;
  updated_at: string;
  tools: ToolCounts;
}

export interface BaseFile {
  format: typeof FORMAT;
  updated_at: string;
  /** Earliest start of any writer ever counted: totals are "since" this time. */
  first_recorded_at?: string;
  /** Writers already added to `tools`; their files may linger after a crash and must not be counted twice. */
  folded: string[];
  tools: ToolCounts;
  /** Random token of the merge that wrote this file; the merge checks it reads its own write back. */
  merge_token?: string;
}

export function writerFileName(id: string): string {
  return `${WRITER_PREFIX}${id}.json`;
}

export function writerIdFromFileName(name: string): string | undefined {
  if (!name.startsWith(WRITER_PREFIX) || !name.endsWith('.json')) return undefined;
  return name.slice(WRITER_PREFIX.length, -'.json'.length);
}

export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await open(tmp, 'w', 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** Reads and checks a JSON file; undefined when missing. A corrupt file is reported, not trusted. */
export async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text) as unknown;
}

/** Names counted per tool (or per endpoint): short, printable, never an Object.prototype key. */
export function isToolName(name: string): boolean {
  return /^[A-Za-z0-9_.:/ -]{1,80}$/.test(name) && !(name in Object.prototype) && name !== '__proto__';
}

export function isToolCounts(v: unknown): v is ToolCounts {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  return Object.entries(v).every(([name, counts]) => isToolName(name) && isLatencyCounts(counts));
}

export function isWriterFile(v: unknown): v is WriterFile {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Record<string, unknown>;
  const w = f.writer as Record<string, unknown> | undefined;
  return (
    f.format === FORMAT &&
    typeof w === 'object' &&
    w !== null &&
    typeof w.id === 'string' &&
    typeof w.pid === 'number' &&
    typeof w.host === 'string' &&
    typeof w.started_at === 'string' &&
    typeof f.updated_at === 'string' &&
    isToolCounts(f.tools)
  );
}

export function isBaseFile(v: unknown): v is BaseFile {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Record<string, unknown>;
  return f.format === FORMAT && Array.isArray(f.folded) && f.folded.every((id) => typeof id === 'string') && isToolCounts(f.tools);
}

export function emptyBase(): BaseFile {
  return { format: FORMAT, updated_at: new Date().toISOString(), folded: [], tools: {} };
}

export async function readBase(dir: string): Promise<BaseFile> {
  const v = await readJson(join(dir, BASE_FILE));
  if (v === undefined) return emptyBase();
  if (!isBaseFile(v)) throw new Error(`${join(dir, BASE_FILE)} is not a telemetry base file`);
  return v;
}

/** True when a process with this pid exists on this host (EPERM: exists, owned by someone else). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
