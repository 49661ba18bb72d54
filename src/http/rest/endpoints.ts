import { PricingInputError } from '../../pricing/index.js';
import { modelSummary, type ToolAnswer } from '../../mcp/index.js';
import type { HttpAppContext } from '../app-context.js';
import * as S from './schemas.js';

// The REST API of the original project, as a table: each entry names its input
// schema and how it is answered (almost always by one of the MCP tools, called
// in-process: same validation, same pricing code, same telemetry). The routes and
// the OpenAPI document are both made from this table.

/** Calls an MCP tool by name (src/mcp's callTool, bound to the environment's context). */
export type ToolCaller = (name: string, args: Record<string, unknown>) => ToolAnswer;

export interface RestDeps {
  ctx: HttpAppContext;
  callTool: ToolCaller;
}

export type RestResult = { status: number; body: unknown };

export interface RestEndpoint {
  method: 'GET' | 'POST';
  url: string;
  summary: string;
  /** The MCP tool that answers, for the document. */
  tool?: string;
  query?: Record<string, unknown>;
  body?: Record<string, unknown>;
  handle(input: Record<string, unknown> | unknown[], deps: RestDeps): RestResult;
}

/** Copies the fields that are set (tools treat a missing field and undefined the same, JSON does not carry undefined). */
function defined(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) if (v !== undefined) out[k] = v;
  return out;
}

function fromTool(answer: ToolAnswer): RestResult {
  if (answer.ok) return { status: 200, body: answer.data };
  return { status: 400, body: { error: 'Bad Request', message: answer.message, statusCode: 400 } };
}

/** A POST answered by one tool: the body is its arguments. */
function toolPost(tool: string) {
  return (input: Record<string, unknown> | unknown[], deps: RestDeps): RestResult =>
    fromTool(deps.callTool(tool, defined(input as Record<string, unknown>)));
}

/** A GET answered by one tool: the query is its arguments, list arguments comma-separated. */
function toolGet(tool: string) {
  const lists = S.listArguments(tool);
  return (input: Record<string, unknown> | unknown[], deps: RestDeps): RestResult => {
    const args = defined(input as Record<string, unknown>);
    for (const name of lists) {
      if (typeof args[name] === 'string') {
        args[name] = args[name]
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
      }
    }
    return fromTool(deps.callTool(tool, args));
  };
}

/** Sums costs the way the pricing core rounds them (to 1e-10), so a total shows no float noise. */
function roundCost(n: number): number {
  return Math.round(n * 1e10) / 1e10;
}

export const endpoints: readonly RestEndpoint[] = [
  {
    method: 'GET',
    url: '/pricing',
    summary: 'Models with their rates, context window and provider status; filterable and paged',
    tool: 'get_all_pricing',
    query: S.toolQuery('get_all_pricing'),
    handle: toolGet('get_all_pricing'),
  },
  {
    method: 'GET',
    url: '/models',
    summary: 'Every model in the catalog, briefly (key, name, provider, category, cost tier)',
    query: S.modelsQuery,
    handle(input, { ctx }) {
      // The catalog's own provider filter: ids, names and aliases, and an unknown provider is an error.
      let entries;
      try {
        entries = ctx.catalog.listModels({ provider: (input as { provider?: string }).provider, include_deprecated: true });
      } catch (err) {
        if (err instanceof PricingInputError) return { status: 400, body: { error: 'Bad Request', message: err.message, statusCode: 400 } };
        throw err;
      }
      const models = entries.map((m) => ({ id: m.id, ...modelSummary(m), context_window: m.context_window ?? null }));
      return { status: 200, body: { count: models.length, data_as_of: ctx.catalog.data_as_of, source: ctx.catalog.source, models } };
    },
  },
  {
    method: 'POST',
    url: '/cost-estimate',
    summary: 'Cost of a workload on one model (input, output, cached input, optional request volume)',
    tool: 'estimate_cost',
    body: S.toolBody('estimate_cost'),
    handle: toolPost('estimate_cost'),
  },
  {
    method: 'POST',
    url: '/cost-estimate/batch',
    summary: 'Several cost estimates in one call; each entry succeeds or fails on its own',
    tool: 'estimate_cost',
    body: S.batchBody('estimate_cost'),
    handle(input, { callTool }) {
      const items = input as Array<Record<string, unknown>>;
      const answers = items.map((item) => callTool('estimate_cost', defined(item)));
      let total = 0;
      const results = answers.map((a, index) => {
        if (!a.ok) return { index, ok: false, error: a.message };
        const cost = a.data.total_cost;
        if (typeof cost === 'number') total += cost;
        return { index, ok: true, result: a.data };
      });
      const failed = results.filter((r) => !r.ok).length;
      return {
        status: 200,
        body: { count: results.length, succeeded: results.length - failed, failed, total_cost: roundCost(total), currency: 'USD', results },
      };
    },
  },
  {
    method: 'GET',
    url: '/performance',
    summary: 'Throughput, latency, context window, performance and value scores, best model for each',
    tool: 'get_performance_metrics',
    query: S.toolQuery('get_performance_metrics'),
    handle: toolGet('get_performance_metrics'),
  },
  {
    method: 'GET',
    url: '/use-cases',
    summary: 'Best-for, use cases, strengths and cost tier of each model',
    tool: 'get_use_cases',
    query: S.toolQuery('get_use_cases'),
    handle: toolGet('get_use_cases'),
  },
  {
    method: 'GET',
    url: '/telemetry',
    summary: 'Uptime, requests, errors and per-tool latency of this server (counts survive restarts)',
    tool: 'get_telemetry',
    query: S.toolQuery('get_telemetry'),
    handle: toolGet('get_telemetry'),
  },
];
