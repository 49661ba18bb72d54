import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file.js';
import type { ColourStatus } from './colour-lifecycle.js';
import type { Colour } from './defaults.js';
import type { Address } from './router-protocol.js';

/** A price data file a release serves: a checked copy in D/prices/, where it came from, and its digest. */
export interface DataFile {
  /** The copy in the deploy directory (what the colour reads; kept for restarts and rollbacks). */
  file: string;
  /** The file or URL it was read from. */
  source: string;
  /** sha256 of the copy, hex. */
  sha256: string;
  readAt: string;
}

/** The price data a release serves instead of its build's bundled data (`deploy --prices` / `--overlay`). */
export interface ReleaseData {
  prices?: DataFile;
  overlay?: DataFile;
}

/** How a release is started: enough to start it again after a controller restart. */
export interface ReleaseSpec {
  kind: 'dir' | 'git' | 'command';
  version: string;
  dir?: string; // dir and git: the prepared directory
  gitRef?: string;
  command?: string; // command: run by /bin/sh with $PORT
  cwd?: string;
  specFile?: string;
  /** Price data files; absent: the data bundled with the build. */
  data?: ReleaseData;
}

export interface ColourState {
  status: ColourStatus;
  /** The TCP port for releases that only speak TCP (--command, or builds without `serve --socket`). */
  port: number;
  /** Where its process listens (a Unix socket in the deploy directory, or 127.0.0.1:port); null when none was started. */
  listen: Address | null;
  version: string | null;
  release: ReleaseSpec | null;
  pid: number | null;
  startedAt: string | null;
  /** Until when this colour is kept warm for an instant rollback (ISO): decided and saved at the switch. */
  keepUntil: string | null;
  note: string | null;
}

/** A deploy under way: what a restarted controller finishes (from the switch on) or reverts (before it). */
export interface PendingDeploy {
  version: string;
  colour: Colour;
  /** The colour that was active when it began (the one to drain and keep warm). */
  from: Colour | null;
  startedAt: string;
  phase: number;
  manualPromote: boolean;
  drainTimeoutMs: number;
  keepPreviousMs: number;
}

export interface DeployState {
  schema: 2;
  updatedAt: string;
  controller: { pid: number; startedAt: string; host: string; port: number } | null;
  router: { pid: number; managed: boolean } | null;
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
    listen: null,
    version: null,
    release: null,
    pid: null,
    startedAt: null,
    keepUntil: null,
    note: null,
  });
  return {
    schema: 2,
    updatedAt: new Date().toISOString(),
    controller: null,
    router: null,
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

/** Reads D/state.json (schema 1 files of earlier controllers are brought up to 2); null when there is none. */
export function readState(dir: string): DeployState | null {
  let text: string;
  try {
    text = readFileSync(statePath(dir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const parsed = JSON.parse(text) as Omit<DeployState, 'schema'> & { schema: number };
  if (parsed.schema === 1) {
    // Schema 1 knew only TCP ports and had no router of its own.
    for (const c of Object.values(parsed.colours)) c.listen ??= c.pid !== null ? { host: '127.0.0.1', port: c.port } : null;
    parsed.router = null;
    if (parsed.deploy)
      parsed.deploy = {
        from: parsed.active,
        drainTimeoutMs: 30_000,
        keepPreviousMs: 0,
        ...(parsed.deploy as Partial<PendingDeploy>),
      } as PendingDeploy;
    parsed.schema = 2;
  }
  if (parsed.schema !== 2) throw new Error(`${statePath(dir)}: unknown schema ${String(parsed.schema)}`);
  return parsed as DeployState;
}

/** Writes the state atomically (see atomic-file.ts). */
export function writeState(dir: string, state: DeployState): void {
  state.updatedAt = new Date().toISOString();
  writeFileAtomic(statePath(dir), JSON.stringify(state, null, 2) + '\n');
}

export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  mkdirSync(join(dir, 'logs'), { recursive: true, mode: 0o700 });
}
