// What estimate_cost and compare_costs share: the usage and modifier
// arguments, the itemized-cost output pieces (lines, conditions, modifiers in
// force), and the step from arguments to the pricing core's inputs.

import { z } from 'zod';
import { OTHER_USAGE_KEYS } from '../pricing/index.js';
import type { CostInput, CostModifiers, ModelEntry, ResolveResult } from '../pricing/types.js';
import { flag, tokenCount } from './toolkit.js';

const SERVICE_TIERS = ['standard', 'flex', 'priority'] as const;
const TTLS = ['5m', '1h'] as const;
const CONTEXTS = ['low', 'medium', 'high'] as const;

const choice = <T extends readonly [string, ...string[]]>(name: string, values: T) =>
  z.enum(values, { error: (iss) => `${name} must be one of ${values.join(', ')}, got ${JSON.stringify(iss.input)}` }).optional();

/** The most requests one estimate scales to. */
export const MAX_REQUESTS = 1e9;

/** The optional request count of estimate_cost and compare_costs; `purpose` ends its description. */
export const requestCount = (purpose: string) =>
  z
    .number({ error: (iss) => `requests must be a whole number of requests, got ${JSON.stringify(iss.input)}` })
    .int({ error: (iss) => `requests must be a whole number, got ${String(iss.input)}` })
    .min(1, { error: 'requests must be at least 1 (leave it out for a single request)' })
    .max(MAX_REQUESTS, { error: `requests must be at most ${MAX_REQUESTS}` })
    .optional()
    .describe(`Number of requests, ${purpose}. Default 1.`);

/** Usage beyond input and output tokens (all per request, all optional). */
export const usageShape = {
  cached_input_tokens: tokenCount('cached_input_tokens')
    .optional()
    .describe('How many of input_tokens are read from the prompt cache (charged at the cache-read rate). Default 0.'),
  cache_write_tokens: tokenCount('cache_write_tokens')
    .optional()
    .describe(
      'How many of input_tokens are written to the prompt cache (charged at the cache-write rate, see cache_write_ttl). Default 0.',
    ),
  reasoning_tokens: tokenCount('reasoning_tokens')
    .optional()
    .describe('How many of output_tokens are reasoning tokens; a line of its own where the model prices them apart. Default 0.'),
  web_searches: tokenCount('web_searches', 'searches')
    .optional()
    .describe('Web searches per request, for models that charge per search (e.g. Anthropic and OpenAI search tools). Default 0.'),
  other_usage: z
    .strictObject(Object.fromEntries(OTHER_USAGE_KEYS.map((k) => [k, tokenCount(`other_usage.${k}`, 'units').optional()])), {
      error: (iss) =>
        iss.code === 'unrecognized_keys'
          ? `other_usage accepts only: ${OTHER_USAGE_KEYS.join(', ')}`
          : `other_usage must be an object with counts such as {"input_audio_tokens": 1000}`,
    })
    .optional()
    .describe(
      `Other units per request, priced where the model prices them apart (parts of input_tokens or output_tokens): ${OTHER_USAGE_KEYS.join(', ')}.`,
    ),
};

/** Price modifiers; one the model does not have is an error naming the ones it has. */
export const modifierShape = {
  batch: flag('batch').describe('Price as a Batch API request (the published batch discount). Default false.'),
  service_tier: choice('service_tier', SERVICE_TIERS).describe('Service tier: standard (default), flex or priority, where published.'),
  cache_write_ttl: choice('cache_write_ttl', TTLS).describe('Cache-write lifetime where priced apart (Anthropic): 5m (default) or 1h.'),
  search_context: choice('search_context', CONTEXTS).describe(
    'Search context size for search models (Perplexity Sonar): low (the provider default), medium or high; sets the per-request search fee.',
  ),
  region: z
    .string({ error: (iss) => `region must be a string such as "global" or "eu", got ${JSON.stringify(iss.input)}` })
    .trim()
    .min(1)
    .max(40)
    .optional()
    .describe('Endpoint region where prices differ: e.g. "global" or "regional" (Amazon Bedrock), "us" or "eu" (OpenAI data residency).'),
  at: z
    .string({ error: (iss) => `at must be an ISO date-time string, got ${JSON.stringify(iss.input)}` })
    .max(40)
    .optional()
    .describe(
      'ISO date-time (e.g. "2026-08-20T03:00:00Z"): price in force at that moment, including time-of-day windows. Default: today\'s standard price.',
    ),
  allow_over_context: flag('allow_over_context').describe(
    "Price an input larger than the model's context window (with a warning) instead of failing. Default false.",
  ),
};

export const lineShape = z.object({
  item: z
    .string()
    .describe(
      'Stable name: input, cached_input, cache_write_5m, cache_write_1h, cache_write, output, reasoning, request_fee, search_fee, web_search, ...',
    ),
  label: z.string(),
  quantity: z.number().describe('Amount over all requests, in unit'),
  unit: z.string(),
  rate: z.number().nullable().describe('USD per `per` units; null when unpriced'),
  per: z.number(),
  cost: z.number().nullable().describe('USD; null when unpriced. Priced lines add up exactly to total_cost'),
  pricing: z.enum(['priced', 'free', 'unpriced']),
});

export const conditionShape = z.looseObject({ kind: z.string(), description: z.string() });

export const modifiersShape = z.object({
  batch: z.boolean(),
  service_tier: z.string().nullable(),
  cache_write_ttl: z.string().nullable(),
  search_context: z.string().nullable(),
  region: z.string().nullable(),
  at: z.string().nullable(),
});

type UsageArgs = { [K in keyof typeof usageShape]?: z.output<(typeof usageShape)[K]> };
type ModifierArgs = { [K in keyof typeof modifierShape]?: z.output<(typeof modifierShape)[K]> };

/** The pricing core's usage input from a tool's arguments; `requests` (when given) overrides `args.requests`. */
export function costInput(
  args: UsageArgs & { input_tokens: number; output_tokens: number; requests?: number },
  requests = args.requests,
): CostInput {
  const input: CostInput = { input_tokens: args.input_tokens, output_tokens: args.output_tokens };
  if (args.cached_input_tokens !== undefined) input.cached_input_tokens = args.cached_input_tokens;
  if (args.cache_write_tokens !== undefined) input.cache_write_tokens = args.cache_write_tokens;
  if (args.reasoning_tokens !== undefined) input.reasoning_tokens = args.reasoning_tokens;
  if (args.web_searches !== undefined) input.web_searches = args.web_searches;
  if (args.other_usage !== undefined) input.other_usage = args.other_usage as Record<string, number>;
  if (requests !== undefined) input.requests = requests;
  return input;
}

export function costModifiers(args: ModifierArgs): CostModifiers {
  const mods: CostModifiers = {};
  for (const k of ['batch', 'allow_over_context'] as const) if (args[k] !== undefined) mods[k] = args[k];
  for (const k of ['service_tier', 'cache_write_ttl', 'search_context', 'region', 'at'] as const)
    if (args[k] !== undefined) mods[k] = args[k];
  return mods;
}

/** Other hosts answering the same name (keys), and notes on how the name was read. */
export function hostInfo(res: Extract<ResolveResult, { ok: true }>): { other_hosts: string[]; notes: string[] } {
  const others: ModelEntry[] = res.others ?? (res.offers ?? []).filter((o) => o !== res.model);
  return { other_hosts: others.map((o) => o.key), notes: [...(res.notes ?? [])] };
}
