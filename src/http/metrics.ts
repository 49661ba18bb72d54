import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type ToolOutcome = 'ok' | 'tool_error' | 'protocol_error';

/** The Prometheus metrics of one environment, in a registry of its own (several apps may share a process in tests). */
export class HttpMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly latency: Histogram<'method' | 'route' | 'status'>;
  private readonly toolCalls: Counter<'tool' | 'outcome'>;
  private readonly toolLatency: Histogram<'tool'>;
  private readonly sessionsRestored: Counter;
  /** Tool names get their own label value; any other name a client sends counts as "other" (bounded cardinality). */
  private knownTools = new Set<string>();

  constructor(sources: { inFlight: () => number; sessions: () => number; draining: () => boolean }) {
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.latency = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from request to response, by method, route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    new Gauge({
      name: 'http_requests_in_flight',
      help: 'HTTP requests being handled now',
      registers,
      collect() {
        this.set(sources.inFlight());
      },
    });
    new Gauge({
      name: 'mcp_sessions',
      help: 'Live MCP sessions',
      registers,
      collect() {
        this.set(sources.sessions());
      },
    });
    new Gauge({
      name: 'environment_draining',
      help: '1 while the environment drains after SIGTERM',
      registers,
      collect() {
        this.set(sources.draining() ? 1 : 0);
      },
    });
    this.sessionsRestored = new Counter({
      name: 'mcp_sessions_restored_total',
      help: 'MCP sessions this replica rebuilt from their signed id (made by another replica, or by this one before a restart)',
      registers,
    });
    this.toolCalls = new Counter({
      name: 'mcp_tool_calls_total',
      help: 'MCP tools/call requests over HTTP, by tool and outcome (ok, tool_error = isError result, protocol_error = JSON-RPC error)',
      labelNames: ['tool', 'outcome'],
      registers,
    });
    this.toolLatency = new Histogram({
      name: 'mcp_tool_call_duration_seconds',
      help: 'Time to answer an MCP tools/call, by tool',
      labelNames: ['tool'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers,
    });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.requests.inc(labels);
    this.latency.observe(labels, seconds);
  }

  observeSessionRestored(): void {
    this.sessionsRestored.inc();
  }

  setKnownTools(names: Iterable<string>): void {
    this.knownTools = new Set(names);
  }

  observeToolCall(name: string, outcome: ToolOutcome, seconds: number): void {
    const tool = this.knownTools.has(name) ? name : 'other';
    this.toolCalls.inc({ tool, outcome });
    this.toolLatency.observe({ tool }, seconds);
  }

  contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
