import { z } from 'zod';
import { PERFORMANCE_SCORE_FORMULA, VALUE_SCORE_FORMULA, valueScore, viewOf, type PerformanceRow } from '../catalog-view.js';
import { formatNumber } from '../format.js';
import {
  ToolError,
  defineTool,
  flag,
  modelName,
  optionalText,
  provenance,
  provenanceShape,
  requireProvider,
  toolInput,
  unknownModelMessage,
  unknownModelShape,
  type UnknownModel,
} from '../toolkit.js';

export const MAX_PERFORMANCE_MODELS = 25;
/** Without model_names, list at most this many (best performance first). */
export const DEFAULT_PERFORMANCE_LIST = 50;

const input = toolInput({
  provider: optionalText('provider', 'a provider id or name such as "groq"').describe('Only models of this provider.'),
  model_names: z
    .array(modelName('each of model_names'), {
      error: (iss) => `model_names must be a list of model names, got ${JSON.stringify(iss.input)}`,
    })
    .min(1, { error: 'model_names must name at least one model; leave it out to list all models with figures' })
    .max(MAX_PERFORMANCE_MODELS, { error: `model_names can list at most ${MAX_PERFORMANCE_MODELS} models` })
    .optional()
    .describe(`Only these models (1 to ${MAX_PERFORMANCE_MODELS} names).`),
  include_cost: flag('include_cost').describe('Include blended cost and the value score (default true).'),
});

const model = z.object({
  model: z.string(),
  key: z.string(),
  name: z.string(),
  provider: z.string(),
  throughput_tps: z.number().nullable().describe('Output tokens per second'),
  latency_ms: z.number().nullable().describe('Time to first token, ms'),
  context_window: z.number().nullable(),
  performance_score: z.number().nullable(),
  value_score: z.number().nullable(),
  blended_cost_per_1m: z.number().nullable().describe('USD per 1M tokens at 3 input : 1 output'),
  estimate: z.boolean().describe('True when the speed figures are our estimate rather than a published measurement'),
  figures_source: z.string().nullable(),
  figures_as_of: z.string().nullable(),
});

const best = z.object({
  throughput: z.string().nullable(),
  latency: z.string().nullable(),
  context_window: z.string().nullable(),
  performance: z.string().nullable(),
  value: z.string().nullable(),
});

const output = z.object({
  models: z.array(model),
  best: best.describe('Catalog key (provider:model) of the best model for each figure among those listed'),
  unknown_models: z.array(unknownModelShape),
  scoring: z.object({ performance_score: z.string(), value_score: z.string() }),
  total: z.number(),
  note: z.string().nullable(),
  ...provenanceShape,
});

type ModelOut = z.output<typeof model>;

export const getPerformanceMetricsTool = defineTool({
  name: 'get_performance_metrics',
  title: 'Speed, latency and value of models',
  description:
    'Throughput (output tokens/s), latency (time to first token, ms) and context window of LLM models, with a ' +
    '0-100 performance score and a value score (performance per dollar of blended price), and the best model for ' +
    'each figure. Filter by provider or name up to 25 models in model_names; without model_names the ' +
    `${DEFAULT_PERFORMANCE_LIST} best-scoring models with figures are listed. Figures are typical published or measured ` +
    'values, not guarantees; rows with estimate: true are our estimates. The scoring field states the formulas.',
  input,
  output,
  run(args, ctx) {
    const provider = requireProvider(ctx, args.provider);
    const includeCost = args.include_cost ?? true;
    const view = viewOf(ctx.catalog);
    const unknown: UnknownModel[] = [];
    let rows: PerformanceRow[];
    let note: string | null = null;
    if (args.model_names) {
      rows = [];
      const seen = new Set<string>();
      for (const asked of args.model_names) {
        const res = ctx.catalog.resolve(asked, provider ? { provider: provider.id } : undefined);
        if (!res.ok) {
          unknown.push({
            model_name: asked,
            message: unknownModelMessage(asked, res.message, res.suggestions),
            suggestions: res.suggestions,
          });
          continue;
        }
        if (seen.has(res.model.key)) continue;
        seen.add(res.model.key);
        const row = view.performanceByKey.get(res.model.key);
        if (row) rows.push(row);
      }
      if (rows.length === 0) {
        throw new ToolError(`None of model_names is a known model. ${unknown.map((u) => u.message).join(' ')}`.trim());
      }
    } else {
      const all = provider ? view.performance.filter((r) => r.entry.provider.id === provider.id) : view.performance;
      rows = all.slice(0, DEFAULT_PERFORMANCE_LIST);
      if (all.length > rows.length)
        note = `Showing the ${rows.length} best-scoring of ${all.length} models with figures; name models in model_names to see others.`;
      if (all.length === 0) note = `No performance figures for ${provider ? provider.id : 'any model'}.`;
    }
    const models = rows.map((r) => toOutput(r, includeCost));
    if (models.some((m) => m.estimate)) {
      note = `${note ? `${note} ` : ''}Rows with estimate: true are our estimates, not published measurements.`;
    }
    const missing = models.filter((m) => m.throughput_tps === null && m.latency_ms === null).map((m) => m.key);
    if (missing.length > 0) note = `${note ? `${note} ` : ''}No speed figures for: ${missing.join(', ')}.`;
    return {
      models,
      best: {
        throughput: bestBy(models, (m) => m.throughput_tps, 'max'),
        latency: bestBy(models, (m) => m.latency_ms, 'min'),
        context_window: bestBy(models, (m) => m.context_window, 'max'),
        performance: bestBy(models, (m) => m.performance_score, 'max'),
        value: bestBy(models, (m) => m.value_score, 'max'),
      },
      unknown_models: unknown,
      scoring: { performance_score: PERFORMANCE_SCORE_FORMULA, value_score: VALUE_SCORE_FORMULA },
      total: models.length,
      note,
      ...provenance(ctx),
    };
  },
  render(r) {
    const lines = r.models.map(
      (m) =>
        `${m.key}: ${m.throughput_tps !== null ? `${formatNumber(m.throughput_tps)} tok/s` : '? tok/s'}, ` +
        `${m.latency_ms !== null ? `${formatNumber(m.latency_ms)} ms TTFT` : '? ms TTFT'}, ` +
        `score ${m.performance_score ?? '-'}${m.value_score !== null ? `, value ${m.value_score}` : ''}${m.estimate ? ' (estimate)' : ''}`,
    );
    const bests = Object.entries(r.best)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ');
    return [`${r.total} model(s). Best — ${bests || 'n/a'}.`, ...lines, ...(r.note ? [r.note] : [])].join('\n');
  },
});

function toOutput(r: PerformanceRow, includeCost: boolean): ModelOut {
  const perf = r.entry.performance;
  return {
    model: r.entry.id,
    key: r.entry.key,
    name: r.entry.name,
    provider: r.entry.provider.id,
    throughput_tps: r.throughput_tps,
    latency_ms: r.latency_ms,
    context_window: r.context_window,
    performance_score: r.performance_score,
    value_score: includeCost ? valueScore(r.performance_score, r.blended_cost_per_1m) : null,
    blended_cost_per_1m: includeCost ? r.blended_cost_per_1m : null,
    estimate: perf?.estimate === true,
    figures_source: perf?.source ?? null,
    figures_as_of: perf?.as_of ?? null,
  };
}

function bestBy(models: ModelOut[], pick: (m: ModelOut) => number | null, dir: 'max' | 'min'): string | null {
  let bestKey: string | null = null;
  let bestValue = 0;
  for (const m of models) {
    const v = pick(m);
    if (v === null) continue;
    if (bestKey === null || (dir === 'max' ? v > bestValue : v < bestValue)) {
      bestKey = m.key;
      bestValue = v;
    }
  }
  return bestKey;
}
