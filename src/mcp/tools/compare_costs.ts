import { z } from 'zod';
import { estimateCost, PricingInputError } from '../../pricing/index.js';
import { conditionShape, costInput, costModifiers, hostInfo, lineShape, modifierShape, requestCount, usageShape } from '../cost-shapes.js';
import { formatInt, formatUsd, rateNumber, roundTo, roundUsd } from '../format.js';
import {
  ToolError,
  defineTool,
  modelName,
  provenance,
  provenanceShape,
  tokenCount,
  toolInput,
  unknownModelMessage,
  unknownModelShape,
  type UnknownModel,
} from '../toolkit.js';

export const MAX_COMPARE_MODELS = 25;

const input = toolInput({
  model_names: z
    .array(modelName('each of model_names'), {
      error: (iss) =>
        iss.input === undefined
          ? 'model_names is required: a list of 2 or more model names, e.g. ["gpt-4o", "claude-3-5-sonnet"]'
          : `model_names must be a list of model names, got ${JSON.stringify(iss.input)}`,
    })
    .min(2, {
      error: (iss) =>
        `model_names must list at least 2 models to compare, got ${Array.isArray(iss.input) ? iss.input.length : 0}; to price one model use estimate_cost`,
    })
    .max(MAX_COMPARE_MODELS, { error: `model_names can list at most ${MAX_COMPARE_MODELS} models; split the comparison` })
    .describe(`2 to ${MAX_COMPARE_MODELS} model names (ids, snapshots or provider-qualified names).`),
  input_tokens: tokenCount('input_tokens').describe('Prompt tokens per request.'),
  output_tokens: tokenCount('output_tokens').describe('Completion tokens per request.'),
  ...usageShape,
  requests: requestCount('to compare a volume'),
  ...modifierShape,
});

const row = z.object({
  rank: z.number(),
  model_name: z.string().describe('The name as asked'),
  model: z.string(),
  key: z.string(),
  name: z.string(),
  provider: z.string(),
  input_cost: z.number(),
  output_cost: z.number(),
  total_cost: z.number(),
  input_per_1m: z.number().nullable(),
  output_per_1m: z.number().nullable(),
  difference_from_cheapest: z.number().describe('USD more than the cheapest model'),
  times_cheapest: z.number().nullable().describe('total_cost / cheapest total_cost, 2 decimals (null if the cheapest is free)'),
  lines: z.array(lineShape),
  conditions: z.array(conditionShape),
  warnings: z.array(z.string()),
  other_hosts: z.array(z.string()),
});

const output = z.object({
  comparison: z.array(row).describe('Known models, cheapest first'),
  cheapest_model: z.string(),
  most_expensive_model: z.string(),
  cost_range: z.object({ min: z.number(), max: z.number(), difference: z.number() }),
  unknown_models: z.array(unknownModelShape).describe('Names not found, with suggestions; not part of the comparison'),
  not_priced: z
    .array(z.object({ model_name: z.string(), key: z.string(), message: z.string() }))
    .describe('Known models these arguments cannot price (a modifier the model lacks, an input over its context window)'),
  input_tokens: z.number(),
  requests: z.number(),
  output_tokens: z.number(),
  currency: z.literal('USD'),
  ...provenanceShape,
});

type Row = z.output<typeof row>;

export const compareCostsTool = defineTool({
  name: 'compare_costs',
  title: 'Compare the cost of several models',
  description:
    `Price the same workload (input_tokens and output_tokens per request) on 2 to ${MAX_COMPARE_MODELS} models and rank ` +
    'them cheapest first. Returns comparison (each model with input_cost, output_cost, total_cost, its rates and how ' +
    'much more it costs than the cheapest), cheapest_model, most_expensive_model and cost_range. Names that are not ' +
    'found are listed in unknown_models with suggestions instead of failing the call; at least two names must be ' +
    'known models. Takes the same usage and modifier arguments as estimate_cost (cached and cache-write tokens, ' +
    'reasoning tokens, web searches, requests, batch, service_tier, cache_write_ttl, search_context, region, at); a ' +
    'model the arguments cannot price (a modifier it lacks) is listed in not_priced with the reason. Each row carries ' +
    'its itemized lines, conditions and warnings.',
  input,
  output,
  run(args, ctx) {
    const unknown: UnknownModel[] = [];
    const seen = new Set<string>();
    const priced: Omit<Row, 'rank' | 'difference_from_cheapest' | 'times_cheapest'>[] = [];
    const notPriced: Array<{ model_name: string; key: string; message: string }> = [];
    const usage = costInput(args);
    const mods = costModifiers(args);
    for (const asked of args.model_names) {
      const res = ctx.catalog.resolve(asked);
      if (!res.ok) {
        unknown.push({
          model_name: asked,
          message: unknownModelMessage(asked, res.message, res.suggestions),
          suggestions: res.suggestions,
        });
        continue;
      }
      const m = res.model;
      if (seen.has(m.key)) continue; // two names for one model: compare it once
      seen.add(m.key);
      let cost;
      try {
        cost = estimateCost(m, usage, mods, { model: (k) => ctx.catalog.model(k) });
      } catch (err) {
        if (!(err instanceof PricingInputError)) throw err;
        notPriced.push({ model_name: asked, key: m.key, message: err.message });
        continue;
      }
      const hosts = hostInfo(res);
      priced.push({
        model_name: asked,
        model: m.id,
        key: m.key,
        name: m.name,
        provider: m.provider.id,
        input_cost: roundUsd(cost.input_cost + cost.cached_input_cost + cost.cache_write_cost),
        output_cost: cost.output_cost,
        total_cost: cost.total_cost,
        input_per_1m: rateNumber(cost.rates_used.input),
        output_per_1m: rateNumber(cost.rates_used.output),
        lines: cost.lines,
        conditions: cost.conditions,
        warnings: [...hosts.notes, ...cost.warnings],
        other_hosts: hosts.other_hosts,
      });
    }
    if (priced.length < 2) {
      const problems = [...unknown.map((u) => u.message), ...notPriced.map((n) => `${n.key}: ${n.message}`)].join(' ');
      const known = priced.length === 1 ? ` Only ${priced[0]!.key} is known.` : '';
      throw new ToolError(`compare_costs needs at least 2 different known models.${known} ${problems}`.trim());
    }
    priced.sort((a, b) => a.total_cost - b.total_cost || a.key.localeCompare(b.key));
    const cheapest = priced[0]!;
    const dearest = priced[priced.length - 1]!;
    const comparison: Row[] = priced.map((p, i) => ({
      rank: i + 1,
      ...p,
      difference_from_cheapest: roundUsd(p.total_cost - cheapest.total_cost),
      times_cheapest: cheapest.total_cost > 0 ? roundTo(p.total_cost / cheapest.total_cost, 2) : null,
    }));
    const label = (r: { model: string; key: string }) => (priced.filter((p) => p.model === r.model).length > 1 ? r.key : r.model);
    return {
      comparison,
      cheapest_model: label(cheapest),
      most_expensive_model: label(dearest),
      cost_range: {
        min: cheapest.total_cost,
        max: dearest.total_cost,
        difference: roundUsd(dearest.total_cost - cheapest.total_cost),
      },
      unknown_models: unknown,
      not_priced: notPriced,
      input_tokens: args.input_tokens,
      requests: args.requests ?? 1,
      output_tokens: args.output_tokens,
      currency: 'USD' as const,
      ...provenance(ctx),
    };
  },
  render(r) {
    const lines = r.comparison.map(
      (c) =>
        `${c.rank}. ${c.name} (${c.provider}): ${formatUsd(c.total_cost)}${c.rank > 1 ? ` (+${formatUsd(c.difference_from_cheapest)})` : ''}`,
    );
    const unknown = r.unknown_models.length > 0 ? `\nNot found: ${r.unknown_models.map((u) => u.message).join(' ')}` : '';
    const notPriced = r.not_priced.length > 0 ? `\nNot priced: ${r.not_priced.map((n) => `${n.key}: ${n.message}`).join(' ')}` : '';
    return (
      `Cost of ${formatInt(r.input_tokens)} input + ${formatInt(r.output_tokens)} output tokens${r.requests > 1 ? ` × ${formatInt(r.requests)} requests` : ''}, cheapest first ` +
      `(prices as of ${r.data_as_of}):\n${lines.join('\n')}${unknown}${notPriced}`
    );
  },
});
