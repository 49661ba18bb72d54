import { z } from 'zod';
import { formatInt } from '../format.js';
import { defineTool, flag, provenance, provenanceShape, toolInput } from '../toolkit.js';

export const DEFAULT_TOOL_ROWS = 20;
export const MAX_TOOL_ROWS = 100;

const input = toolInput({
  include_details: flag('include_details').describe(
    'Also return the telemetry store state, catalog size, memory use and Node version (default false).',
  ),
  limit: z
    .number({ error: (iss) => `limit must be a whole number from 1 to ${MAX_TOOL_ROWS}, got ${JSON.stringify(iss.input)}` })
    .int({ error: `limit must be a whole number from 1 to ${MAX_TOOL_ROWS}` })
    .min(1, { error: 'limit must be at least 1' })
    .max(MAX_TOOL_ROWS, { error: (iss) => `limit must be at most ${MAX_TOOL_ROWS}, got ${String(iss.input)}` })
    .optional()
    .describe(`How many tools to list, most called first (default ${DEFAULT_TOOL_ROWS}).`),
});

const toolRow = z.object({
  tool: z.string(),
  calls: z.number(),
  errors: z.number(),
  error_rate: z.number(),
  mean_ms: z.number().nullable(),
  p50_ms: z.number().nullable(),
  p95_ms: z.number().nullable(),
  p99_ms: z.number().nullable(),
  max_ms: z.number().nullable(),
});

const details = z.object({
  store: z.object({
    dir: z.string().nullable(),
    persisted: z.boolean(),
    other_writers: z.number(),
    last_flush_at: z.string().nullable(),
    last_error: z.string().nullable(),
  }),
  catalog: z.object({ version: z.string(), models: z.number(), providers: z.number() }),
  memory: z.object({ rss_bytes: z.number(), heap_used_bytes: z.number() }),
  node: z.string(),
  percentiles: z.string(),
});

const output = z.object({
  version: z.string(),
  color: z.string().nullable().describe('Deployment colour (blue/green) of the process that answered'),
  pid: z.number(),
  scope: z
    .enum(['host', 'replica'])
    .describe(
      'host: totals of every process sharing the telemetry directory (both deployment colours, across restarts); ' +
        'replica: this replica alone, one of several that share nothing (fleet-wide figures: Prometheus /metrics summed over replicas)',
    ),
  replica: z.string().nullable().describe('Name of the replica that answered (LLM_PRICING_REPLICA), when scope is replica'),
  started_at: z.string(),
  uptime_s: z.number().describe('Seconds this process has been up'),
  since: z.string().describe('Counts are totals since this time, across restarts and both deployment colours'),
  requests_total: z.number(),
  errors_total: z.number(),
  error_rate: z.number(),
  tools: z.array(toolRow),
  process: z.object({ requests: z.number(), errors: z.number() }).describe('Counts of this process alone'),
  details: details.optional(),
  ...provenanceShape,
});

export const getTelemetryTool = defineTool({
  name: 'get_telemetry',
  title: 'Server usage and latency',
  description:
    'Usage statistics of this MCP server: uptime, total tool calls and errors, and for each tool its calls, errors ' +
    'and latency percentiles (p50, p95, p99 in ms, measured inside the server). Totals persist across restarts and ' +
    'blue-green deploys; `process` holds this process alone. Also reports the server version and deployment colour. ' +
    'include_details adds store, catalog and memory information. In a fleet of replicas (scope "replica") the counts are ' +
    "this replica's alone; fleet-wide figures come from Prometheus /metrics.",
  input,
  output,
  run(args, ctx) {
    const s = ctx.telemetry.snapshot();
    const limit = args.limit ?? DEFAULT_TOOL_ROWS;
    const mem = process.memoryUsage();
    return {
      version: ctx.version,
      color: ctx.color ?? null,
      pid: s.pid,
      scope: ctx.replica ? ('replica' as const) : ('host' as const),
      replica: ctx.replica ?? null,
      started_at: ctx.startedAt.toISOString(),
      uptime_s: Math.round((Date.now() - ctx.startedAt.getTime()) / 100) / 10,
      since: s.since,
      requests_total: s.requests_total,
      errors_total: s.errors_total,
      error_rate: s.error_rate,
      tools: s.tools.slice(0, limit),
      process: s.process,
      ...(args.include_details
        ? {
            details: {
              store: s.store,
              catalog: { version: ctx.catalog.version, models: ctx.catalog.models.length, providers: ctx.catalog.providers.length },
              memory: { rss_bytes: mem.rss, heap_used_bytes: mem.heapUsed },
              node: process.version,
              percentiles:
                'From fixed log-spaced buckets (4 per doubling from 0.01 ms): each is the upper bound of its bucket, at most ~19% above the true value and never above max_ms.',
            },
          }
        : {}),
      ...provenance(ctx),
    };
  },
  render(r) {
    const lines = r.tools.map(
      (t) =>
        `${t.tool}: ${formatInt(t.calls)} calls, ${formatInt(t.errors)} errors, p50 ${t.p50_ms ?? '-'} ms, p95 ${t.p95_ms ?? '-'} ms, p99 ${t.p99_ms ?? '-'} ms`,
    );
    return [
      `llm-pricing-mcp ${r.version}${r.color ? ` (${r.color})` : ''}${r.replica ? `, replica ${r.replica}` : ''}, up ${r.uptime_s} s; ` +
        `${formatInt(r.requests_total)} calls, ${formatInt(r.errors_total)} errors since ${r.since}` +
        `${r.scope === 'replica' ? ' (this replica only; fleet-wide figures: Prometheus /metrics)' : ''}.`,
      ...lines,
    ].join('\n');
  },
});
