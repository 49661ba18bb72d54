// Tool-shaped views of a catalog, built once per catalog object (a refresh swaps
// in a new catalog and gets new views), so no call re-sorts or re-derives them.

import type { Catalog, ModelEntry } from '../pricing/types.js';
import { rateNumber, roundTo } from './format.js';

export interface PricingRow {
  model: string;
  key: string;
  name: string;
  provider: string;
  provider_name: string;
  provider_status: 'active' | 'discontinued';
  category: 'budget' | 'standard' | 'premium' | 'embedding';
  cost_tier: 'low' | 'medium' | 'high';
  deprecated: boolean;
  input_per_1m: number | null;
  output_per_1m: number | null;
  cached_input_per_1m: number | null;
  context_window: number | null;
  tiered_pricing: boolean;
  /** 3 parts input to 1 part output, USD per 1M tokens (the cost tier's measure); null without an output price. */
  blended_per_1m: number | null;
  capabilities: string[];
  preview: boolean;
}

export interface PerformanceRow {
  entry: ModelEntry;
  throughput_tps: number | null;
  latency_ms: number | null;
  context_window: number | null;
  performance_score: number | null;
  /** 3 parts input to 1 part output, USD per 1M tokens; null when the model has no output price. */
  blended_cost_per_1m: number | null;
}

export interface CatalogView {
  pricing: readonly PricingRow[];
  /** Models with performance figures, best performance first. */
  performance: readonly PerformanceRow[];
  /** Performance rows for every model, by catalog key (for named lookups). */
  performanceByKey: ReadonlyMap<string, PerformanceRow>;
  /** Models with use-case information, by provider then id. */
  useCases: readonly ModelEntry[];
  modelCountByProvider: ReadonlyMap<string, number>;
}

// ---- scoring (documented in get_performance_metrics' output and description) ----

export const SPEED_FULL_MARKS_TPS = 400;
export const LATENCY_FULL_MARKS_MS = 150;
export const CONTEXT_ZERO_MARKS = 8_000;
export const CONTEXT_FULL_MARKS = 1_000_000;

/** Score of a component the model has no figure for: neither good nor bad, so a gap neither wins nor loses. */
export const MISSING_COMPONENT = 0.5;

export const PERFORMANCE_SCORE_FORMULA =
  `0-100 = 100 × (0.4 × speed + 0.4 × responsiveness + 0.2 × context), where ` +
  `speed = min(throughput_tps / ${SPEED_FULL_MARKS_TPS}, 1), ` +
  `responsiveness = min(${LATENCY_FULL_MARKS_MS} / latency_ms, 1), ` +
  `context = clamp(log2(context_window / ${CONTEXT_ZERO_MARKS}) / log2(${CONTEXT_FULL_MARKS} / ${CONTEXT_ZERO_MARKS}), 0, 1); ` +
  `a component without a figure counts ${MISSING_COMPONENT}; null when both throughput and latency are unknown; 1 decimal.`;

export const VALUE_SCORE_FORMULA =
  'performance_score / blended_cost_per_1m, where blended_cost_per_1m = (3 × input rate + 1 × output rate) / 4 ' +
  'in USD per 1M tokens: performance points per dollar per million tokens; higher is better; null when the model ' +
  'has no score or no price; 2 decimals.';

export function performanceScore(tps: number | null, latencyMs: number | null, context: number | null): number | null {
  // Context length alone says nothing about speed: no speed figures, no score.
  const hasTps = tps !== null && tps > 0;
  const hasLatency = latencyMs !== null && latencyMs > 0;
  if (!hasTps && !hasLatency) return null;
  const speed = hasTps ? Math.min(tps / SPEED_FULL_MARKS_TPS, 1) : MISSING_COMPONENT;
  const responsiveness = hasLatency ? Math.min(LATENCY_FULL_MARKS_MS / latencyMs, 1) : MISSING_COMPONENT;
  const contextScore =
    context !== null && context > 0
      ? Math.min(Math.max(Math.log2(context / CONTEXT_ZERO_MARKS) / Math.log2(CONTEXT_FULL_MARKS / CONTEXT_ZERO_MARKS), 0), 1)
      : MISSING_COMPONENT;
  return roundTo(100 * (0.4 * speed + 0.4 * responsiveness + 0.2 * contextScore), 1);
}

export function valueScore(score: number | null, blended: number | null): number | null {
  if (score === null || blended === null || blended <= 0) return null;
  return roundTo(score / blended, 2);
}

export function blendedCostPer1M(m: ModelEntry): number | null {
  const input = rateNumber(m.rates.input);
  const output = rateNumber(m.rates.output);
  if (input === null || output === null) return null;
  return roundTo((3 * input + output) / 4, 6);
}

// ---- building ----

const views = new WeakMap<Catalog, CatalogView>();

export function viewOf(catalog: Catalog): CatalogView {
  let view = views.get(catalog);
  if (!view) {
    view = buildView(catalog);
    views.set(catalog, view);
  }
  return view;
}

function buildView(catalog: Catalog): CatalogView {
  const byProviderThenId = [...catalog.models].sort((a, b) => a.provider.id.localeCompare(b.provider.id) || a.id.localeCompare(b.id));
  const pricing = byProviderThenId.map(pricingRow);
  const performanceByKey = new Map<string, PerformanceRow>();
  for (const m of byProviderThenId) performanceByKey.set(m.key, performanceRow(m));
  const performance = byProviderThenId
    .filter((m) => m.performance && (m.performance.throughput_tps !== undefined || m.performance.latency_ms !== undefined))
    .map((m) => performanceByKey.get(m.key)!)
    .sort((a, b) => (b.performance_score ?? -1) - (a.performance_score ?? -1) || a.entry.key.localeCompare(b.entry.key));
  const useCases = byProviderThenId.filter((m) => m.use_case !== undefined);
  const modelCountByProvider = new Map<string, number>();
  for (const m of catalog.models) modelCountByProvider.set(m.provider.id, (modelCountByProvider.get(m.provider.id) ?? 0) + 1);
  return { pricing, performance, performanceByKey, useCases, modelCountByProvider };
}

/** How every listing names a model and its provider (tools and REST alike). */
export function modelSummary(m: ModelEntry) {
  return {
    key: m.key,
    name: m.name,
    provider: m.provider.id,
    provider_name: m.provider.name,
    provider_status: m.provider.status,
    category: m.category,
    cost_tier: m.cost_tier,
    deprecated: m.deprecated,
  };
}

function pricingRow(m: ModelEntry): PricingRow {
  const r = m.rates;
  return {
    model: m.id,
    ...modelSummary(m),
    input_per_1m: rateNumber(r.input),
    output_per_1m: rateNumber(r.output),
    cached_input_per_1m: rateNumber(r.cache_read),
    context_window: m.context_window ?? null,
    tiered_pricing: Boolean(r.input_tiers?.length || r.output_tiers?.length || r.cache_read_tiers?.length),
    blended_per_1m: blendedCostPer1M(m),
    capabilities: [...(m.capabilities ?? [])],
    preview: m.preview,
  };
}

function performanceRow(m: ModelEntry): PerformanceRow {
  const tps = m.performance?.throughput_tps ?? null;
  const latency = m.performance?.latency_ms ?? null;
  const context = m.context_window ?? null;
  return {
    entry: m,
    throughput_tps: tps,
    latency_ms: latency,
    context_window: context,
    performance_score: performanceScore(tps, latency, context),
    blended_cost_per_1m: blendedCostPer1M(m),
  };
}

// Lower-cased text a use_case query or a prompt's task is matched against, built once per model entry.
const useCaseTexts = new WeakMap<ModelEntry, string>();
export function useCaseText(m: ModelEntry): string {
  let text = useCaseTexts.get(m);
  if (text === undefined) {
    const u = m.use_case;
    text = u ? [m.id, m.name, u.best_for, ...u.use_cases, ...u.strengths].join(' ').toLowerCase() : '';
    useCaseTexts.set(m, text);
  }
  return text;
}
