import type { Colour } from './defaults.js';

/** Cumulative per-colour counts the router keeps. */
export interface TargetCounts {
  requests: number;
  serverErrors: number;
  rpcErrors: number;
  latencyMsSum: number;
}

/** Where the analysis reads a colour's traffic: the router (over its control socket). */
export interface TrafficSource {
  readonly colour: Colour;
  counts(): Promise<TargetCounts>;
  /** Body inspection for JSON-RPC errors, on for the window only. */
  inspect(on: boolean): Promise<void>;
}

export interface AnalysisOptions {
  windowMs: number;
  maxErrorRate: number;
  minRequests: number;
  /** Average latency (ms) above which the window fails too; 0 = not watched. */
  maxAvgLatencyMs?: number;
  /** How often the counts are looked at. */
  tickMs?: number;
}

export interface AnalysisVerdict {
  passed: boolean;
  reason: string;
  requests: number;
  errors: number;
  errorRate: number;
  avgLatencyMs: number;
}

/**
 * The post-switch watch: for a window after the switch, reads the router's own counts for
 * the new colour (5xx and server-side JSON-RPC errors) and calls onBreach once the error
 * rate is above the limit with enough requests to mean something. A crash is reported by
 * the controller through `crashed()`.
 */
export class Analysis {
  private baseline: TargetCounts | undefined;
  private last: TargetCounts | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ended: NodeJS.Timeout | undefined;
  private settled = false;
  private reading = false;
  readonly startedAt = Date.now();

  constructor(
    readonly target: TrafficSource,
    readonly opts: AnalysisOptions,
    private readonly onDone: (verdict: AnalysisVerdict) => void,
  ) {
    void target.inspect(true).catch(() => undefined);
    this.timer = setInterval(() => void this.tick(), opts.tickMs ?? 250);
    this.timer.unref();
    this.ended = setTimeout(() => void this.read().finally(() => this.finish(true, 'window passed')), opts.windowMs);
    this.ended.unref();
    void this.read();
  }

  get endsAt(): number {
    return this.startedAt + this.opts.windowMs;
  }

  get active(): boolean {
    return !this.settled;
  }

  /** The counts since the switch, as last read. */
  current(): AnalysisVerdict {
    const c = this.last ?? { requests: 0, serverErrors: 0, rpcErrors: 0, latencyMsSum: 0 };
    const b = this.baseline ?? c;
    const requests = c.requests - b.requests;
    const errors = c.serverErrors - b.serverErrors + (c.rpcErrors - b.rpcErrors);
    const latency = c.latencyMsSum - b.latencyMsSum;
    return {
      passed: true,
      reason: '',
      requests,
      errors,
      errorRate: requests > 0 ? errors / requests : 0,
      avgLatencyMs: requests > 0 ? latency / requests : 0,
    };
  }

  crashed(detail: string): void {
    this.finish(false, `${this.target.colour} crashed during the analysis window (${detail})`);
  }

  /** Stops watching without a verdict (a manual rollback or a new deploy took over). */
  cancel(): void {
    this.settled = true;
    this.clear();
  }

  /** Reads the router's counts; the first read is the baseline (what came before the switch is not judged). */
  private async read(): Promise<void> {
    if (this.reading || this.settled) return;
    this.reading = true;
    try {
      const c = await this.target.counts();
      this.baseline ??= { ...c };
      this.last = c;
    } catch {
      // the router did not answer this time; the next tick reads again
    } finally {
      this.reading = false;
    }
  }

  private async tick(): Promise<void> {
    await this.read();
    if (this.settled) return;
    const v = this.current();
    if (v.requests < this.opts.minRequests) return;
    if (v.errorRate > this.opts.maxErrorRate) {
      this.finish(
        false,
        `error rate ${(v.errorRate * 100).toFixed(1)}% (${v.errors} of ${v.requests} requests) is above ${(this.opts.maxErrorRate * 100).toFixed(1)}%`,
      );
    } else if (this.opts.maxAvgLatencyMs && v.avgLatencyMs > this.opts.maxAvgLatencyMs) {
      this.finish(
        false,
        `average latency ${v.avgLatencyMs.toFixed(1)} ms over ${v.requests} requests is above ${this.opts.maxAvgLatencyMs} ms`,
      );
    }
  }

  private finish(passed: boolean, reason: string): void {
    if (this.settled) return;
    this.settled = true;
    this.clear();
    this.onDone({ ...this.current(), passed, reason });
  }

  private clear(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.ended) clearTimeout(this.ended);
    void this.target.inspect(false).catch(() => undefined);
  }
}
