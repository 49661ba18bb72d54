// The bench is a list of sections (src/check/bench/sections.ts); each measures
// one thing for our server beside a floor measured in the same run, and
// returns rows the runner prints as one table (or JSON).

export type BenchTransport = 'stdio' | 'http';

/** How to start our own server; the bench starts it itself, once per section. */
export interface ServerCommands {
  /** argv of `serve --stdio`. */
  stdio: string[];
  /** argv of `serve --http` on a given port. */
  http(port: number): string[];
  /** Extra environment for our server (e.g. a throw-away telemetry directory). */
  env: Record<string, string>;
}

export interface BenchOptions {
  /** Sequential stdio calls, and HTTP calls per throughput phase. */
  calls: number;
  /** HTTP connection counts to measure, each connection its own MCP session. */
  concurrency: number[];
  /** Cumulative HTTP calls at which the server's RSS is read. */
  rssCheckpoints: number[];
  /** Cap on any one measurement phase; a phase that hits it reports what it did. */
  phaseTimeLimitMs: number;
  /** Process starts of each server for the cold-start section (default COLD_STARTS). */
  coldStarts?: number;
  /** Length of one HTTP throughput round (default 2000 ms). */
  httpRoundMs?: number;
  ours: ServerCommands;
  /** argv that starts the bare SDK server; append `--stdio` or `--http --port N`. */
  bare: string[];
  /** Progress lines (the table comes at the end). */
  onLine(line: string): void;
}

export interface BenchRow {
  metric: string;
  unit: string;
  ours: number;
  /** The same figure for the floor (the bare SDK server), when there is one. */
  floor?: number;
  /** ours / floor. */
  ratio?: number;
  /** e.g. "ratio <= 1.5"; */
  goal?: string;
  /** Whether the goal is met; undefined when the row has no goal. */
  met?: boolean;
}

export interface BenchSectionResult {
  name: string;
  title: string;
  rows: BenchRow[];
  /** Why the section did not run (missing build, no controller...). */
  skipped?: string;
  notes?: string[];
}

export interface BenchSection {
  name: string;
  title: string;
  transport: BenchTransport;
  run(opts: BenchOptions): Promise<BenchSectionResult>;
}

/** A row comparing ours with the floor; the ratio is ours/floor. */
export function compareRow(
  metric: string,
  unit: string,
  ours: number,
  floor: number,
  goal?: { text: string; met(ratio: number): boolean },
): BenchRow {
  const ratio = floor > 0 ? ours / floor : Number.NaN;
  return { metric, unit, ours, floor, ratio, ...(goal && { goal: goal.text, met: Number.isFinite(ratio) && goal.met(ratio) }) };
}
