import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Colour } from './defaults.js';

/** What a colour was doing when the state was saved. */
export type ColourStatus = 'stopped' | 'starting' | 'ready' | 'active' | 'standby' | 'draining' | 'failed';

/** How a release is started: enough to start it again after a controller restart. */
export interface ReleaseSpec {
  kind: 'dir' | 'git' | 'command';
  version: string;
  dir?: string; // dir and git: the prepared directory
  gitRef?: string;
  command?: string; // command: run by /bin/sh with $PORT
  cwd?: string;
  specFile?: string;
}

export interface ColourState {
  status: ColourStatus;
  port: number;
  version: string | null;
  release: ReleaseSpec | null;
  pid: number | null;
  startedAt: string | null;
  /** Until when a previous colour is kept warm for an instant rollback (ISO), if it is. */
  keepUntil: string | null;
  note: string | null;
}

export interface PendingDeploy {
  version: string;
  colour: Colour;
  startedAt: string;
  phase: number;
  manualPromote: boolean;
}

export interface DeployState {
  schema: 1;
  updatedAt: string;
  controller: { pid: number; startedAt: string; host: string; port: number } | null;
  active: Colour | null;
  /** The colour that was active before the last switch (the rollback target). */
  previous: Colour | null;
  colours: Record<Colour, ColourState>;
  deploy: PendingDeploy | null;
  notes: string[];
}

export function emptyState(bluePort: number, greenPort: number): DeployState {
  const colour = (port: number): ColourState => ({
    status: 'stopped',
    port,
    version: null,
    release: null,
    pid: null,
    startedAt: null,
    keepUntil: null,
    note: null,
  });
  return {
    schema: 1,
    updatedAt: new Date().toISOString(),
    controller: null,
    active: null,
    previous: null,
    colours: { blue: colour(bluePort), green: colour(greenPort) },
    deploy: null,
    notes: [],
  };
}

export function statePath(dir: string): string {
  return join(dir, 'state.json');
}

/** Reads D/state.json; null when there is none. A corrupt file is an error (it never should be: writes are atomic). */
export function readState(dir: string): DeployState | null {
  let text: string;
  try {
    text = readFileSync(statePath(dir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const parsed = JSON.parse(text) as DeployState;
  if (parsed.schema !== 1) throw new Error(`${statePath(dir)}: unknown schema ${String(parsed.schema)}`);
  return parsed;
}

/**
 * Writes the state atomically: a temp file in the same directory, fsynced, renamed over
 * state.json, then the directory fsynced so the rename itself survives a crash.
 * Synchronous on purpose: writes are rare and must not interleave.
 */
export function writeState(dir: string, state: DeployState): void {
  state.updatedAt = new Date().toISOString();
  const target = statePath(dir);
  const tmp = `${target}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(state, null, 2) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, target);
  fsyncDir(dirname(target));
}

export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  mkdirSync(join(dir, 'logs'), { recursive: true, mode: 0o700 });
}
