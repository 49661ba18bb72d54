import { EventEmitter } from 'node:events';
import type { TargetCounts } from './analysis.js';
import type { Colour } from './defaults.js';
import { Colours } from './defaults.js';
import type { RouterStatus } from './router-protocol.js';
import type { ColourRates, TrafficView } from './status-view.js';

export type { ColourRates, TrafficView } from './status-view.js';

interface Sample {
  at: number;
  colours: Record<Colour, TargetCounts>;
}

/** Below this a sampling interval would keep the router busy for nothing. */
const minSampleMs = 100;

/**
 * Requests per second, error rate and latency per colour, from the router's cumulative counts: the
 * controller reads them every `sampleMs` (and whenever `status` reads them anyway) and keeps the
 * readings of the last window. The router only increments plain numbers on the hot path; every rate
 * is computed here, off it. Emits 'sample' after each reading of its own timer.
 */
export class TrafficMeter extends EventEmitter {
  private samples: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private reading = false;

  constructor(
    private readonly read: () => Promise<RouterStatus>,
    private readonly opts: { sampleMs: number; windowMs: number },
  ) {
    super();
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), Math.max(minSampleMs, this.opts.sampleMs));
    this.timer.unref();
    void this.tick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Takes one reading of the router's status. Counts that went down mean a new router: earlier readings are dropped. */
  record(status: RouterStatus, at = Date.now()): void {
    const colours = {} as Sample['colours'];
    for (const c of Colours) {
      const t = status.colours[c];
      colours[c] = { requests: t.requests, serverErrors: t.serverErrors, rpcErrors: t.rpcErrors, latencyMsSum: t.latencyMsSum };
    }
    const last = this.samples.at(-1);
    if (last && Colours.some((c) => colours[c].requests < last.colours[c].requests)) this.samples = [];
    this.samples.push({ at, colours });
    // Keep one reading at or before the window's start, so the rates span the whole window.
    const from = at - this.opts.windowMs;
    while (this.samples.length > 2 && this.samples[1]!.at <= from) this.samples.shift();
  }

  view(): TrafficView | null {
    const last = this.samples.at(-1);
    const first = this.samples[0];
    if (!last || !first || last.at === first.at) return null;
    const span = last.at - first.at;
    const colours = {} as Record<Colour, ColourRates>;
    for (const c of Colours) {
      const a = first.colours[c];
      const b = last.colours[c];
      const requests = b.requests - a.requests;
      const errors = b.serverErrors - a.serverErrors + (b.rpcErrors - a.rpcErrors);
      colours[c] = {
        requests: b.requests,
        errors: b.serverErrors + b.rpcErrors,
        rps: round((requests * 1000) / span, 2),
        errorRate: requests > 0 ? round(errors / requests, 4) : 0,
        avgLatencyMs: requests > 0 ? round((b.latencyMsSum - a.latencyMsSum) / requests, 2) : null,
      };
    }
    return { windowMs: span, sampledAt: new Date(last.at).toISOString(), colours };
  }

  private async tick(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      this.record(await this.read());
      this.emit('sample');
    } catch {
      // the router did not answer this time: `status` says so; the next tick reads again
    } finally {
      this.reading = false;
    }
  }
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
