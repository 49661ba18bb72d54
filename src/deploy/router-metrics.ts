import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Colour } from './defaults.js';
import { Colours } from './defaults.js';
import type { Target } from './target.js';

type CounterChild = ReturnType<Counter<'colour' | 'status'>['labels']>;
type HistogramChild = ReturnType<Histogram<'colour'>['labels']>;

/**
 * The router's Prometheus metrics, per colour. Label children are bound once and cached
 * so the hot path does no label hashing: one Map lookup and two increments per request.
 */
export class RouterMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'colour' | 'status'>;
  private readonly retries: Counter<'colour'>;
  private readonly latency: Histogram<'colour'>;
  private readonly byStatus: Record<Colour, Map<number, CounterChild>> = { blue: new Map(), green: new Map() };
  private readonly latencyChild: Record<Colour, HistogramChild>;

  constructor(targets: Record<Colour, Target>, activeColour: () => Colour | null) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'router_requests_total',
      help: 'Requests proxied by the router, by colour and HTTP status',
      labelNames: ['colour', 'status'],
      registers,
    });
    this.retries = new Counter({
      name: 'router_retries_total',
      help: 'Requests re-sent to the active colour after a connection-level failure',
      labelNames: ['colour'],
      registers,
    });
    this.latency = new Histogram({
      name: 'router_request_duration_seconds',
      help: 'Time from request received to response finished, by colour',
      labelNames: ['colour'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    });
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
        for (const c of Colours) this.set({ colour: c }, targets[c].sessions);
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
    this.latencyChild = { blue: this.latency.labels('blue'), green: this.latency.labels('green') };
  }

  observe(colour: Colour, status: number, seconds: number): void {
    const map = this.byStatus[colour];
    let child = map.get(status);
    if (child === undefined) {
      child = this.requests.labels(colour, String(status));
      map.set(status, child);
    }
    child.inc();
    this.latencyChild[colour].observe(seconds);
  }

  retried(colour: Colour): void {
    this.retries.labels(colour).inc();
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
