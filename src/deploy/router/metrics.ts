import { Counter, Gauge, Registry } from 'prom-client';
import type { Metric } from 'prom-client';
import type { Colour } from '../defaults.js';
import { Colours } from '../defaults.js';
import type { Target } from './target.js';

// Upper bounds (seconds) of the latency histogram's buckets.
const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];
const statusSlots = 600; // HTTP status codes 0..599, one counter slot each

/** Per-colour request counts and latency, kept in plain typed arrays: the hot path only increments numbers. */
class ColourTally {
  readonly byStatus = new Float64Array(statusSlots);
  readonly reportedByStatus = new Float64Array(statusSlots);
  readonly buckets = new Float64Array(latencyBuckets.length + 1); // the last slot is +Inf
  sum = 0;
  count = 0;
}

/**
 * The router's Prometheus metrics, per colour. Requests and latency are recorded into fixed
 * arrays per request (prom-client's own observe/inc hash their labels on every call) and turned
 * into Prometheus series only when /router/metrics is scraped.
 */
export class RouterMetrics {
  readonly registry = new Registry();
  private readonly retries: Counter<'colour'>;
  private readonly tally: Record<Colour, ColourTally> = { blue: new ColourTally(), green: new ColourTally() };

  constructor(targets: Record<Colour, Target>, activeColour: () => Colour | null) {
    const registers = [this.registry];
    const tally = this.tally;
    new Counter({
      name: 'router_requests_total',
      help: 'Requests proxied by the router, by colour and HTTP status',
      labelNames: ['colour', 'status'],
      registers,
      collect() {
        // Adds what was counted since the last scrape.
        for (const c of Colours) {
          const t = tally[c];
          for (let s = 0; s < statusSlots; s++) {
            const delta = t.byStatus[s]! - t.reportedByStatus[s]!;
            if (delta > 0) {
              this.labels(c, String(s)).inc(delta);
              t.reportedByStatus[s] = t.byStatus[s]!;
            }
          }
        }
      },
    });
    this.retries = new Counter({
      name: 'router_retries_total',
      help: 'Requests re-sent to the active colour after a connection-level failure',
      labelNames: ['colour'],
      registers,
    });
    this.registry.registerMetric(latencyHistogram(tally) as unknown as Metric);
    new Gauge({
      name: 'router_in_flight_requests',
      help: 'Requests in flight to each colour',
      labelNames: ['colour'],
      registers,
      collect() {
        for (const c of Colours) this.set({ colour: c }, targets[c].inFlight.size);
      },
    });
    new Gauge({
      name: 'router_mcp_sessions',
      help: 'MCP sessions the router routes to each colour',
      labelNames: ['colour'],
      registers,
      collect() {
        for (const c of Colours) this.set({ colour: c }, targets[c].sessions.size);
      },
    });
    new Gauge({
      name: 'router_active_colour',
      help: '1 for the colour that takes new traffic',
      labelNames: ['colour'],
      registers,
      collect() {
        const a = activeColour();
        for (const c of Colours) this.set({ colour: c }, a === c ? 1 : 0);
      },
    });
  }

  observe(colour: Colour, status: number, seconds: number): void {
    const t = this.tally[colour];
    t.byStatus[status >= 0 && status < statusSlots ? status : 0]!++;
    let b = 0;
    while (b < latencyBuckets.length && seconds > latencyBuckets[b]!) b++;
    t.buckets[b]!++;
    t.sum += seconds;
    t.count++;
  }

  retried(colour: Colour): void {
    this.retries.labels(colour).inc();
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** A prom-client-compatible metric that exposes the tallies as a cumulative histogram. */
function latencyHistogram(tally: Record<Colour, ColourTally>) {
  const name = 'router_request_duration_seconds';
  const help = 'Time from request received to response finished, by colour';
  return {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    get() {
      const values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> = [];
      for (const c of Colours) {
        const t = tally[c];
        if (t.count === 0) continue;
        let cumulative = 0;
        for (let i = 0; i <= latencyBuckets.length; i++) {
          cumulative += t.buckets[i]!;
          values.push({ metricName: `${name}_bucket`, labels: { le: latencyBuckets[i] ?? '+Inf', colour: c }, value: cumulative });
        }
        values.push({ metricName: `${name}_sum`, labels: { colour: c }, value: t.sum });
        values.push({ metricName: `${name}_count`, labels: { colour: c }, value: t.count });
      }
      return Promise.resolve({ name, help, type: 'histogram', values, aggregator: 'sum' });
    },
    reset() {
      for (const c of Colours) {
        const t = tally[c];
        t.buckets.fill(0);
        t.sum = 0;
        t.count = 0;
      }
    },
  };
}
