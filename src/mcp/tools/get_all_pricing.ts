import { z } from 'zod';
import { viewOf, type PricingRow } from '../catalog-view.js';
import { formatNumber } from '../format.js';
import { defineTool, flag, optionalText, provenance, provenanceShape, requireProvider, tokenCount, toolInput } from '../toolkit.js';
import { CAPABILITIES } from '../../pricing/index.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
const CATEGORIES = ['budget', 'standard', 'premium', 'embedding'] as const;
const SORTS = ['provider', 'input_price', 'output_price', 'blended_price', 'context_window'] as const;
type Sort = (typeof SORTS)[number];

const input = toolInput({
  provider: optionalText('provider', 'a provider id or name such as "openai" or "Anthropic"').describe(
    'Only this provider (id or name, e.g. "openai", "Mistral AI").',
  ),
  category: z
    .enum(CATEGORIES, { error: (iss) => `category must be one of ${CATEGORIES.join(', ')}, got ${JSON.stringify(iss.input)}` })
    .optional()
    .describe('Only this price category: budget, standard, premium or embedding.'),
  include_deprecated: flag('include_deprecated').describe('Also list models the provider has deprecated (default false).'),
  min_context_window: tokenCount('min_context_window')
    .optional()
    .describe('Only models whose context window is at least this many tokens (models with no known window are left out).'),
  capability: z
    .enum(CAPABILITIES, { error: (iss) => `capability must be one of ${CAPABILITIES.join(', ')}, got ${JSON.stringify(iss.input)}` })
    .optional()
    .describe(`Only models a source says can do this: ${CAPABILITIES.join(', ')}.`),
  sort_by: z
    .enum(SORTS, { error: (iss) => `sort_by must be one of ${SORTS.join(', ')}, got ${JSON.stringify(iss.input)}` })
    .optional()
    .describe(
      'Order: provider (default), input_price, output_price or blended_price (cheapest first; 3 input : 1 output per 1M), or context_window (largest first).',
    ),
  limit: z
    .number({ error: (iss) => `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${JSON.stringify(iss.input)}` })
    .int({ error: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}` })
    .min(1, { error: `limit must be at least 1` })
    .max(MAX_PAGE_SIZE, {
      error: (iss) => `limit must be at most ${MAX_PAGE_SIZE}, got ${String(iss.input)}; page with offset instead`,
    })
    .optional()
    .describe(`Models per page, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).`),
  offset: z
    .number({ error: (iss) => `offset must be a whole number, 0 or more, got ${JSON.stringify(iss.input)}` })
    .int({ error: 'offset must be a whole number, 0 or more' })
    .min(0, { error: 'offset cannot be negative' })
    .optional()
    .describe('How many matching models to skip (use next_offset from the previous page). Default 0.'),
});

const model = z.object({
  model: z.string(),
  key: z.string(),
  name: z.string(),
  provider: z.string(),
  provider_name: z.string(),
  provider_status: z.enum(['active', 'discontinued']),
  category: z.enum(CATEGORIES),
  cost_tier: z.enum(['low', 'medium', 'high']),
  deprecated: z.boolean(),
  input_per_1m: z.number().nullable().describe('USD per 1M input tokens'),
  output_per_1m: z.number().nullable().describe('USD per 1M output tokens (null for embedding models)'),
  cached_input_per_1m: z.number().nullable().describe('USD per 1M cached input tokens, if the provider discounts them'),
  context_window: z.number().nullable().describe('Maximum tokens of context, if known'),
  tiered_pricing: z.boolean().describe('True when long prompts are charged at a higher tier (estimate_cost applies it)'),
  blended_per_1m: z.number().nullable().describe('(3 x input + output) / 4 USD per 1M tokens'),
  capabilities: z.array(z.string()).describe('What sources say the model can do (vision, tools, reasoning, ...); empty when unknown'),
  preview: z.boolean(),
});

const output = z.object({
  models: z.array(model),
  total: z.number().describe('Models matching the filters'),
  offset: z.number(),
  limit: z.number(),
  next_offset: z.number().nullable().describe('Offset of the next page, or null on the last page'),
  filters: z.object({
    provider: z.string().nullable(),
    category: z.string().nullable(),
    include_deprecated: z.boolean(),
    min_context_window: z.number().nullable(),
    capability: z.string().nullable(),
    sort_by: z.string(),
  }),
  note: z.string().nullable(),
  currency: z.literal('USD'),
  ...provenanceShape,
});

export const getAllPricingTool = defineTool({
  name: 'get_all_pricing',
  title: 'List model prices',
  description:
    'List LLM models with their list prices in USD per 1M input, output and cached-input tokens, context window, ' +
    'price category, cost tier and whether the provider still sells them. Filter by provider (e.g. "openai") and ' +
    `category (budget, standard, premium, embedding), min_context_window and capability (vision, tools, reasoning, ...); ` +
    'sort_by input_price, output_price or blended_price (cheapest first) or context_window. "Cheapest model with ' +
    'tools and a 200k context" is one call. ' +
    `Results are paged: limit (default ${DEFAULT_PAGE_SIZE}, max ` +
    `${MAX_PAGE_SIZE}) and offset; follow next_offset until it is null. Deprecated models are hidden unless ` +
    'include_deprecated is true. To price a concrete workload use estimate_cost or compare_costs.',
  input,
  output,
  run(args, ctx) {
    const provider = requireProvider(ctx, args.provider);
    const includeDeprecated = args.include_deprecated ?? false;
    const limit = args.limit ?? DEFAULT_PAGE_SIZE;
    const offset = args.offset ?? 0;
    let hiddenDeprecated = 0;
    const matches: PricingRow[] = [];
    for (const r of viewOf(ctx.catalog).pricing) {
      if (provider && r.provider !== provider.id) continue;
      if (args.category && r.category !== args.category) continue;
      if (args.min_context_window !== undefined && (r.context_window === null || r.context_window < args.min_context_window)) continue;
      if (args.capability && !r.capabilities.includes(args.capability)) continue;
      if (r.deprecated && !includeDeprecated) {
        hiddenDeprecated++;
        continue;
      }
      matches.push(r);
    }
    const sortBy: Sort = args.sort_by ?? 'provider';
    if (sortBy !== 'provider') matches.sort(SORTERS[sortBy]);
    const page = matches.slice(offset, offset + limit);
    const next = offset + limit < matches.length ? offset + limit : null;
    let note: string | null = null;
    if (matches.length === 0 && hiddenDeprecated > 0) {
      note = `${hiddenDeprecated} deprecated model(s) match; pass include_deprecated: true to list them.`;
    } else if (offset >= matches.length && matches.length > 0) {
      note = `offset ${offset} is past the last of ${matches.length} matching models.`;
    }
    return {
      models: page,
      total: matches.length,
      offset,
      limit,
      next_offset: next,
      filters: {
        provider: provider?.id ?? null,
        category: args.category ?? null,
        include_deprecated: includeDeprecated,
        min_context_window: args.min_context_window ?? null,
        capability: args.capability ?? null,
        sort_by: sortBy,
      },
      note,
      currency: 'USD' as const,
      ...provenance(ctx),
    };
  },
  render(r) {
    const head =
      `${r.total} model(s)${r.filters.provider ? ` from ${r.filters.provider}` : ''}` +
      `${r.filters.category ? ` in ${r.filters.category}` : ''}; showing ${r.models.length} from offset ${r.offset}` +
      `${r.next_offset !== null ? ` (next_offset ${r.next_offset})` : ''}. USD per 1M tokens in/out, as of ${r.data_as_of}:`;
    const lines = r.models.map(
      (m) =>
        `${m.provider}:${m.model} ${price(m.input_per_1m)}/${price(m.output_per_1m)}` +
        `${m.context_window ? ` ctx ${formatNumber(m.context_window)}` : ''}` +
        `${m.provider_status === 'discontinued' ? ' (provider discontinued)' : m.deprecated ? ' (deprecated)' : ''}`,
    );
    return [head, ...lines, ...(r.note ? [r.note] : [])].join('\n');
  },
});

/** Cheapest first for prices, largest first for windows; a missing figure sorts last; ties by key. */
const byNumber =
  (field: 'input_per_1m' | 'output_per_1m' | 'blended_per_1m' | 'context_window', descending = false) =>
  (a: PricingRow, b: PricingRow): number => {
    const x = a[field];
    const y = b[field];
    if (x === null || y === null) return x === y ? a.key.localeCompare(b.key) : x === null ? 1 : -1;
    return (descending ? y - x : x - y) || a.key.localeCompare(b.key);
  };
const SORTERS: Record<Exclude<Sort, 'provider'>, (a: PricingRow, b: PricingRow) => number> = {
  input_price: byNumber('input_per_1m'),
  output_price: byNumber('output_per_1m'),
  blended_price: byNumber('blended_per_1m'),
  context_window: byNumber('context_window', true),
};

function price(n: number | null): string {
  return n === null ? '-' : `$${formatNumber(n)}`;
}
