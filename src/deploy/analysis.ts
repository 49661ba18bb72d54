import type { Target, TargetCounts } from './target.js';

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
  private readonly baseline: TargetCounts;
  private timer: NodeJS.Timeout | undefined;
  private ended: NodeJS.Timeout | undefined;
  private settled = false;
  readonly startedAt = Date.now();

  constructor(
    readonly target: Target,
    readonly opts: AnalysisOptions,
    private readonly onDone: (verdict: AnalysisVerdict) => void,
  ) {
    this.baseline = { ...target.counts };
    target.inspectBodies = true;
    this.timer = setInterval(() => this.tick(), opts.tickMs ?? 250);
    this.timer.unref();
    this.ended = setTimeout(() => this.finish(true, 'window passed'), opts.windowMs);
    this.ended.unref();
  }

  get endsAt(): number {
    return this.startedAt + this.opts.windowMs;
  }

  get active(): boolean {
    return !this.settled;
  }

  current(): AnalysisVerdict {
    const c = this.target.counts;
    const requests = c.requests - this.baseline.requests;
    const errors = c.serverErrors - this.baseline.serverErrors + (c.rpcErrors - this.baseline.rpcErrors);
    const latency = c.latencyMsSum - this.baseline.latencyMsSum;
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

  private tick(): void {
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
    this.target.inspectBodies = false;
  }
}
