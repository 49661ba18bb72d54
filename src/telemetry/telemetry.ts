// Per-tool call counts and latency percentiles that survive restarts and deploys.
// Recording is in memory only (a map lookup and a few additions); a timer writes
// this process's counts to its own file every few seconds and re-reads the other
// processes' files, so a snapshot is always served from memory.

import { randomBytes } from 'node:crypto';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { addSample, emptyCounts, percentile, roundMs, type LatencyCounts } from './histogram.js';
import { isToolName, type ToolCounts, type WriterInfo } from './files.js';
import { TelemetryStore, addTools, cloneTools, type StoredTotals } from './store.js';

export const DEFAULT_FLUSH_INTERVAL_MS = 2000;
/** An idle process still rewrites its file this often, so others can tell it is alive. */
const HEARTBEAT_MS = 5 * 60_000;

export interface TelemetryOptions {
  /** Shared directory; null keeps counts in memory only. Default: defaultTelemetryDir(). */
  dir?: string | null;
  version: string;
  color?: string;
  flushIntervalMs?: number;
  /** When this process started (default: now); counts are "since" the earliest start. */
  startedAt?: Date;
  /** Told about store problems (once per distinct message); telemetry never throws into its caller. */
  onError?: (message: string) => void;
}

export interface ToolStats {
  tool: string;
  calls: number;
  errors: number;
  error_rate: number;
  mean_ms: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  max_ms: number | null;
}

export interface TelemetrySnapshot {
  version: string;
  color: string | null;
  pid: number;
  started_at: string;
  uptime_s: number;
  /** Counts below are totals since this time, over every process that shared the directory. */
  since: string;
  requests_total: number;
  errors_total: number;
  error_rate: number;
  tools: ToolStats[];
  /** This process only. */
  process: { requests: number; errors: number };
  store: {
    dir: string | null;
    persisted: boolean;
    other_writers: number;
    last_flush_at: string | null;
    last_error: string | null;
  };
}

/** `$LLM_PRICING_TELEMETRY_DIR`, else ~/.llm-pricing-mcp/telemetry. */
export function defaultTelemetryDir(): string {
  const fromEnv = process.env.LLM_PRICING_TELEMETRY_DIR;
  return fromEnv && fromEnv.trim() !== '' ? fromEnv : join(homedir(), '.llm-pricing-mcp', 'telemetry');
}

export class Telemetry {
  private readonly own = new Map<string, LatencyCounts>();
  private others: StoredTotals = { tools: {}, writers: 0 };
  private readonly startedAt: Date;
  private store: TelemetryStore | undefined;
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private lastWriteAt = 0;
  private lastFlushAt: string | null = null;
  private lastError: string | null = null;
  private chain: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;
  private readonly reported = new Set<string>();

  private constructor(private readonly opts: TelemetryOptions) {
    this.startedAt = opts.startedAt ?? new Date();
  }

  /** Opens the store (creating the directory), folds exited writers, reads the current totals. */
  static async open(opts: TelemetryOptions): Promise<Telemetry> {
    const t = new Telemetry(opts);
    const dir = opts.dir === undefined ? defaultTelemetryDir() : opts.dir;
    if (dir !== null) {
      const store = new TelemetryStore(dir, t.writerInfo());
      try {
        await store.init();
        t.store = store;
        await store.fold({ waitMs: 200 });
        t.others = await store.readOthers();
      } catch (err) {
        t.fail(`telemetry store ${dir}: ${errorText(err)}`);
      }
    }
    const interval = opts.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    if (t.store && interval > 0) {
      t.timer = setInterval(() => void t.flush(), interval);
      t.timer.unref(); // telemetry never keeps the process alive
    }
    return t;
  }

  get dir(): string | null {
    return this.store?.dir ?? null;
  }

  /** Counts one call. Cheap and synchronous: no I/O here. */
  record(tool: string, ms: number, ok: boolean): void {
    let counts = this.own.get(tool);
    if (!counts) {
      if (!isToolName(tool)) return;
      counts = emptyCounts();
      this.own.set(tool, counts);
    }
    addSample(counts, ms, ok);
    this.dirty = true;
  }

  /** Raw merged counts (all processes), e.g. for histograms in metrics. */
  totals(): ToolCounts {
    const tools = cloneTools(this.others.tools);
    addTools(tools, this.ownTools());
    return tools;
  }

  snapshot(): TelemetrySnapshot {
    const now = Date.now();
    const tools = this.totals();
    const stats = Object.entries(tools)
      .map(([tool, c]) => toolStats(tool, c))
      .sort((a, b) => b.calls - a.calls || a.tool.localeCompare(b.tool));
    const requests = stats.reduce((n, s) => n + s.calls, 0);
    const errors = stats.reduce((n, s) => n + s.errors, 0);
    let ownRequests = 0;
    let ownErrors = 0;
    for (const c of this.own.values()) {
      ownRequests += c.calls;
      ownErrors += c.errors;
    }
    const startedIso = this.startedAt.toISOString();
    const since = this.others.first_recorded_at && this.others.first_recorded_at < startedIso ? this.others.first_recorded_at : startedIso;
    return {
      version: this.opts.version,
      color: this.opts.color ?? null,
      pid: process.pid,
      started_at: startedIso,
      uptime_s: Math.round((now - this.startedAt.getTime()) / 100) / 10,
      since,
      requests_total: requests,
      errors_total: errors,
      error_rate: rate(errors, requests),
      tools: stats,
      process: { requests: ownRequests, errors: ownErrors },
      store: {
        dir: this.dir,
        persisted: this.store !== undefined && this.lastError === null,
        other_writers: this.others.writers,
        last_flush_at: this.lastFlushAt,
        last_error: this.lastError,
      },
    };
  }

  /** Writes this process's counts (if changed) and re-reads everyone else's. Never rejects. */
  flush(): Promise<void> {
    this.chain = this.chain.then(() => this.flushNow());
    return this.chain;
  }

  /** Stops the timer, writes a final copy and folds this process into base.json. Never rejects. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      await this.flush();
      const store = this.store;
      if (!store) return;
      try {
        const selfTools = this.ownTools();
        // Not folded (lock busy, or another merge won): our own file must then hold everything.
        if (!(await store.fold({ selfTools, waitMs: 1000 }))) await store.writeOwn(selfTools);
      } catch (err) {
        // The writer file written by flush() still holds our counts; a later start folds it.
        this.fail(`telemetry merge: ${errorText(err)}`);
      }
    })();
    return this.closing;
  }

  private async flushNow(): Promise<void> {
    const store = this.store;
    if (!store) return;
    try {
      if (this.dirty || Date.now() - this.lastWriteAt > HEARTBEAT_MS) {
        this.dirty = false;
        try {
          await store.writeOwn(this.ownTools());
          this.lastWriteAt = Date.now();
        } catch (err) {
          this.dirty = true;
          throw err;
        }
      }
      this.others = await store.readOthers();
      this.lastFlushAt = new Date().toISOString();
      this.lastError = null;
    } catch (err) {
      this.fail(`telemetry flush to ${store.dir}: ${errorText(err)}`);
    }
  }

  private ownTools(): ToolCounts {
    const out: ToolCounts = {};
    for (const [tool, c] of this.own) out[tool] = { ...c, buckets: { ...c.buckets } };
    return out;
  }

  private writerInfo(): WriterInfo {
    const host =
      hostname()
        .replace(/[^A-Za-z0-9.-]/g, '_')
        .slice(0, 40) || 'host';
    const id = `${host}-${process.pid}-${this.startedAt.getTime().toString(36)}-${randomBytes(3).toString('hex')}`;
    return {
      id,
      pid: process.pid,
      host: hostname(),
      version: this.opts.version,
      ...(this.opts.color ? { color: this.opts.color } : {}),
      started_at: this.startedAt.toISOString(),
    };
  }

  private fail(message: string): void {
    this.lastError = message;
    if (this.reported.has(message)) return;
    this.reported.add(message);
    this.opts.onError?.(message);
  }
}

function toolStats(tool: string, c: LatencyCounts): ToolStats {
  return {
    tool,
    calls: c.calls,
    errors: c.errors,
    error_rate: rate(c.errors, c.calls),
    mean_ms: c.calls > 0 ? roundMs(c.sum_ms / c.calls) : null,
    p50_ms: percentile(c, 0.5),
    p95_ms: percentile(c, 0.95),
    p99_ms: percentile(c, 0.99),
    max_ms: c.calls > 0 ? roundMs(c.max_ms) : null,
  };
}

function rate(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
