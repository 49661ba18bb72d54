import { z } from 'zod';
import { estimateCost } from '../../pricing/index.js';
import type { ModelEntry } from '../../pricing/types.js';
import { formatInt, formatNumber, formatUsd, rateNumber } from '../format.js';
import { ToolError, defineTool, modelName, provenance, provenanceShape, tokenCount, toolInput, unknownModelMessage } from '../toolkit.js';
import {
  conditionShape,
  costInput,
  costModifiers,
  hostInfo,
  lineShape,
  modifierShape,
  modifiersShape,
  requestCount,
  usageShape,
} from '../cost-shapes.js';

const input = toolInput({
  model_name: modelName('model_name').describe(
    'Model to price: an id ("gpt-4o"), a dated snapshot ("gpt-4o-2024-08-06") or provider-qualified ("openai:gpt-4o", "anthropic/claude-3-opus"); case-insensitive.',
  ),
  input_tokens: tokenCount('input_tokens').describe('Prompt tokens per request, including any served from cache.'),
  output_tokens: tokenCount('output_tokens').describe('Completion (output) tokens per request.'),
  ...usageShape,
  requests: requestCount('to scale the per-request estimate to a volume (e.g. a month)'),
  ...modifierShape,
});

const output = z.object({
  model_name: z.string().describe('The name as asked'),
  model: z.string().describe('Model id it resolved to'),
  key: z.string().describe('Catalog key provider:model'),
  name: z.string(),
  provider: z.string(),
  provider_name: z.string(),
  provider_status: z.enum(['active', 'discontinued']),
  resolved_via: z.string().describe('How the name matched: exact, alias, snapshot, qualified, generic or rule'),
  deprecated: z.boolean(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  cached_input_tokens: z.number(),
  cache_write_tokens: z.number(),
  reasoning_tokens: z.number(),
  requests: z.number(),
  input_cost: z.number().describe('USD for uncached input tokens, all requests'),
  cached_input_cost: z.number().describe('USD for cached input tokens, all requests'),
  cache_write_cost: z.number().describe('USD for cache writes, all requests'),
  output_cost: z.number().describe('USD for output tokens (reasoning excluded where priced apart), all requests'),
  request_cost: z.number().describe('USD of per-request and search fees, all requests'),
  total_cost: z.number().describe('USD, all requests'),
  per_request_total_cost: z.number().describe('USD for one request'),
  currency: z.literal('USD'),
  rates_used: z.object({
    input_per_1m: z.number(),
    output_per_1m: z.number(),
    cached_input_per_1m: z.number().nullable(),
    tier_start: z.number().nullable().describe('Long-context tier applied: its first input token, or null'),
  }),
  rates_per_1k: z.object({ input: z.number(), output: z.number() }),
  lines: z.array(lineShape).describe('Every line that makes total_cost, in a stable order'),
  conditions: z
    .array(conditionShape)
    .describe('Every condition that shaped the price (tier, time of day, modifiers, fees), in words and as data'),
  modifiers: modifiersShape.describe('The modifiers in force'),
  warnings: z.array(z.string()),
  host: z.string().describe('The provider (host) whose price this is'),
  other_hosts: z.array(z.string()).describe('Catalog keys of other hosts that answer to the same name'),
  priced_as: z.string().describe('Catalog key whose prices were used (another endpoint of the model when region chose one)'),
  context_window: z.number().nullable(),
  note: z.string().nullable(),
  price_source: z.string(),
  ...provenanceShape,
});

export const estimateCostTool = defineTool({
  name: 'estimate_cost',
  title: 'Estimate the cost of a request',
  description:
    'Compute what a request (or a volume of requests) to one LLM costs in USD from current list prices. ' +
    'Give model_name, input_tokens and output_tokens; optionally cached_input_tokens (prompt-cache hits, part of ' +
    'input_tokens) and requests (multiplies the estimate). Returns input_cost, output_cost, total_cost, the per-1M ' +
    'and per-1K rates used and the exact model and provider the name resolved to. Long-context tier prices apply ' +
    'automatically. An unknown name fails with up to three "did you mean" suggestions; use get_all_pricing to list ' +
    'models and compare_costs to price several at once.',
  input,
  output,
  run(args, ctx) {
    const res = ctx.catalog.resolve(args.model_name);
    if (!res.ok) throw new ToolError(unknownModelMessage(args.model_name, res.message, res.suggestions));
    const m = res.model;
    const requests = args.requests ?? 1;
    const cost = estimateCost(m, costInput(args, requests), costModifiers(args), { model: (k) => ctx.catalog.model(k) });
    const hosts = hostInfo(res);
    return {
      model_name: args.model_name,
      model: m.id,
      key: m.key,
      name: m.name,
      provider: m.provider.id,
      provider_name: m.provider.name,
      provider_status: m.provider.status,
      resolved_via: res.via,
      deprecated: m.deprecated,
      input_tokens: args.input_tokens,
      output_tokens: args.output_tokens,
      cached_input_tokens: args.cached_input_tokens ?? 0,
      cache_write_tokens: args.cache_write_tokens ?? 0,
      reasoning_tokens: args.reasoning_tokens ?? 0,
      requests,
      input_cost: cost.input_cost,
      cached_input_cost: cost.cached_input_cost,
      cache_write_cost: cost.cache_write_cost,
      output_cost: cost.output_cost,
      request_cost: cost.request_cost,
      total_cost: cost.total_cost,
      per_request_total_cost: cost.per_request_total_cost,
      currency: cost.currency,
      rates_used: {
        input_per_1m: rateNumber(cost.rates_used.input) ?? 0,
        output_per_1m: rateNumber(cost.rates_used.output) ?? 0,
        cached_input_per_1m: rateNumber(cost.rates_used.cache_read),
        tier_start: cost.rates_used.tier_start ?? null,
      },
      rates_per_1k: {
        input: rateNumber(cost.rates_per_1k.input) ?? 0,
        output: rateNumber(cost.rates_per_1k.output) ?? 0,
      },
      lines: cost.lines,
      conditions: cost.conditions,
      modifiers: cost.modifiers,
      warnings: [...hosts.notes, ...cost.warnings],
      host: m.provider.id,
      other_hosts: hosts.other_hosts,
      priced_as: cost.priced_as,
      context_window: m.context_window ?? null,
      note: noteFor(m, res.offers ?? res.others),
      price_source: m.price_source.source,
      ...provenance(ctx),
    };
  },
  render(r) {
    const volume = r.requests > 1 ? ` × ${formatInt(r.requests)} requests` : '';
    const items = r.lines.map((l) => `${l.label} ${l.cost === null ? 'unpriced' : l.pricing === 'free' ? 'free' : formatUsd(l.cost)}`);
    const conditions = r.conditions.map((c) => c.description);
    return (
      `${r.name} (${r.provider_name}): ${formatInt(r.input_tokens)} input + ${formatInt(r.output_tokens)} output tokens${volume} ` +
      `= ${formatUsd(r.total_cost)} (${items.join(', ')}); ` +
      `rates $${formatNumber(r.rates_used.input_per_1m)}/1M in, $${formatNumber(r.rates_used.output_per_1m)}/1M out. ` +
      `${conditions.length > 0 ? `Conditions: ${conditions.join('; ')}. ` : ''}` +
      `${r.warnings.length > 0 ? `Warnings: ${r.warnings.join(' ')} ` : ''}` +
      `Prices as of ${r.data_as_of}.${r.note ? ` ${r.note}` : ''}`
    );
  },
});

function noteFor(m: ModelEntry, offers: readonly ModelEntry[] | undefined): string | null {
  const notes: string[] = [];
  if (m.provider.status === 'discontinued') notes.push(`${m.provider.name} no longer sells this model; these are its last known prices.`);
  else if (m.deprecated) notes.push('This model is deprecated by its provider.');
  else if (m.preview) notes.push('This is a preview model: its price and availability may change without the usual notice.');
  const others = (offers ?? []).filter((o) => o !== m);
  if (others.length > 0) {
    const shown = others
      .slice(0, 3)
      .map((o) => o.provider.id)
      .join(', ');
    notes.push(
      `${others.length + 1} providers answer to this name; priced at ${m.provider.name}'s offer; others include ${shown}. Use "provider:model" to choose one.`,
    );
  }
  return notes.length > 0 ? notes.join(' ') : null;
}
