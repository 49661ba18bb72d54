// Prompts: ready-made requests a user can pick in a client. Arguments complete
// against the catalog (model names, providers) through the SDK's `completable`.

import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { estimateCost } from '../pricing/index.js';
import type { ServerContext } from './context.js';
import { runTool } from './dispatch.js';
import { formatInt, formatUsd } from './format.js';
import { useCaseText } from './catalog-view.js';
import { completeProvider } from './resources.js';
import { compareCostsTool } from './tools/compare_costs.js';

const SHORTLIST = 10;
const COMPLETION_LIMIT = 20;

const wholeNumber = (name: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,13}$/, { error: `${name} must be a whole number of tokens, e.g. 2000` });

// Argument schemas are built once per context (not per server: an HTTP server
// makes one McpServer per session); their completers close over the context.
function buildArgShapes(ctx: ServerContext) {
  return {
    cheapest: {
      input_tokens: wholeNumber('input_tokens').describe('Prompt tokens per request'),
      output_tokens: wholeNumber('output_tokens').describe('Completion tokens per request'),
      requests_per_month: wholeNumber('requests_per_month').optional().describe('Requests per month (default 1)'),
      provider: completable(z.string().optional().describe('Only this provider (optional)'), (value) => completeProvider(ctx, value ?? '')),
      task: z.string().max(500).optional().describe('What the model must do, e.g. "summarize support tickets"'),
    },
    compare: {
      models: completable(z.string().trim().min(1).describe('Comma-separated model names, e.g. "gpt-4o, claude-3-5-sonnet"'), (value) =>
        completeLastName(ctx, value ?? ''),
      ),
      input_tokens: wholeNumber('input_tokens').describe('Prompt tokens per request'),
      output_tokens: wholeNumber('output_tokens').describe('Completion tokens per request'),
    },
  };
}

const argShapes = new WeakMap<ServerContext, ReturnType<typeof buildArgShapes>>();

export function registerPrompts(mcp: McpServer, ctx: ServerContext): void {
  let shapes = argShapes.get(ctx);
  if (!shapes) {
    shapes = buildArgShapes(ctx);
    argShapes.set(ctx, shapes);
  }
  mcp.registerPrompt(
    'cheapest_model_for_workload',
    {
      title: 'Cheapest model for a workload',
      description: 'Find the cheapest suitable model for a request size and monthly volume, with current prices filled in.',
      argsSchema: shapes.cheapest,
    },
    (args) => {
      const input = Number(args.input_tokens);
      const output = Number(args.output_tokens);
      const requests = args.requests_per_month ? Math.max(1, Number(args.requests_per_month)) : 1;
      const provider = args.provider ? ctx.catalog.provider(args.provider) : undefined;
      const words = taskWords(args.task);
      const fitting = cheapestFor(ctx, input, output, requests, provider?.id, words);
      const shortlist = fitting.length > 0 || words.length === 0 ? fitting : cheapestFor(ctx, input, output, requests, provider?.id, []);
      const taskNote =
        words.length === 0
          ? ''
          : fitting.length > 0
            ? `Only models whose use-case notes mention ${words.map((w) => `"${w}"`).join(' or ')} are listed.\n`
            : `No model's use-case notes mention ${words.map((w) => `"${w}"`).join(' or ')}; these are the cheapest overall.\n`;
      const volume = requests > 1 ? ` × ${formatInt(requests)} requests a month` : '';
      const table = shortlist.map((s, i) => `${i + 1}. ${s.key} — ${formatUsd(s.total)}${requests > 1 ? ' a month' : ''}`).join('\n');
      const text =
        `I need the cheapest LLM that can do this task well: ${args.task?.trim() || '(general purpose)'}.\n` +
        `Each request has ${formatInt(input)} input and ${formatInt(output)} output tokens${volume}.` +
        `${args.provider ? ` Only consider ${provider ? provider.name : `provider "${args.provider}" (unknown here)`}.` : ''}\n\n` +
        `Cheapest current models for this workload (list prices as of ${ctx.catalog.data_as_of}, ${ctx.catalog.source}):\n${taskNote}` +
        `${table || '(no priced models match)'}\n\n` +
        'Pick the cheapest one that is capable enough for the task. Use get_use_cases to check what the candidates are good at, ' +
        'get_performance_metrics for speed, and compare_costs or estimate_cost to confirm the final numbers. ' +
        'Answer with the model, its monthly cost and one sentence on why.';
      return { messages: [{ role: 'user' as const, content: { type: 'text' as const, text } }] };
    },
  );

  mcp.registerPrompt(
    'compare_models',
    {
      title: 'Compare models for a workload',
      description: 'Compare the cost of a few models for one request size; names complete against the catalog.',
      argsSchema: shapes.compare,
    },
    (args) => {
      const names = args.models
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const run = runTool(
        compareCostsTool,
        { model_names: names, input_tokens: Number(args.input_tokens), output_tokens: Number(args.output_tokens) },
        ctx,
      );
      const first = run.result.content[0];
      const computed = first && first.type === 'text' ? first.text : '';
      const text =
        `Compare these models for requests of ${formatInt(Number(args.input_tokens))} input and ${formatInt(Number(args.output_tokens))} output tokens: ${names.join(', ')}.\n\n` +
        `${run.result.isError ? `The comparison could not be computed: ${computed}` : computed}\n\n` +
        'Explain the trade-off between the cheapest and the others, and say which you would choose for production use.';
      return { messages: [{ role: 'user' as const, content: { type: 'text' as const, text } }] };
    },
  );
}

/** Words of a task worth matching against use-case notes ("summarize support tickets" -> summarize, support, tickets). */
const STOP_WORDS = new Set([
  'with',
  'that',
  'this',
  'from',
  'into',
  'about',
  'for',
  'and',
  'the',
  'model',
  'models',
  'need',
  'want',
  'using',
]);
function taskWords(task: string | undefined): string[] {
  return [...new Set((task ?? '').toLowerCase().split(/[^a-z0-9-]+/))].filter((w) => w.length >= 4 && !STOP_WORDS.has(w)).slice(0, 10);
}

function cheapestFor(ctx: ServerContext, input: number, output: number, requests: number, provider: string | undefined, words: string[]) {
  const rows: Array<{ key: string; total: number }> = [];
  for (const m of ctx.catalog.models) {
    if (words.length > 0 && !words.some((w) => useCaseText(m).includes(w))) continue;
    // Text models someone sells today; free entries (moderation, promotional tiers) are not a price answer.
    if (m.deprecated || m.provider.status !== 'active' || m.category === 'embedding') continue;
    if (!(Number(m.rates.input) > 0) || !(Number(m.rates.output) > 0)) continue;
    if (provider && m.provider.id !== provider) continue;
    try {
      rows.push({ key: m.key, total: estimateCost(m, { input_tokens: input, output_tokens: output, requests }).total_cost });
    } catch {
      // a model the pricing core cannot price for these counts (e.g. over its context window) is left out
    }
  }
  return rows.sort((a, b) => a.total - b.total || a.key.localeCompare(b.key)).slice(0, SHORTLIST);
}

/** Completes the last name of a comma-separated list, keeping the names before it. */
function completeLastName(ctx: ServerContext, value: string): string[] {
  const cut = value.lastIndexOf(',');
  const head = cut >= 0 ? `${value.slice(0, cut).trimEnd()}, ` : '';
  const last = (cut >= 0 ? value.slice(cut + 1) : value).trim();
  return ctx.catalog.complete(last, COMPLETION_LIMIT).map((name) => `${head}${name}`);
}
