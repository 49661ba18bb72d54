// The contract of the pricing core. Everything outside src/pricing depends on
// these shapes; src/pricing depends on nothing outside itself.

/** A price in USD per one million tokens, as the decimal the provider publishes (e.g. "2.5", "0.0375"). */
export type RatePerMTok = string;

export type ProviderStatus = 'active' | 'discontinued';
/** Derived from list prices (blended 3 input : 1 output per 1M tokens); see catalog docs. */
export type CostTier = 'low' | 'medium' | 'high';
export type Category = 'budget' | 'standard' | 'premium' | 'embedding';

export interface Provenance {
  /** Where the figure comes from: a URL, or "genai-prices <version>". */
  source: string;
  /** ISO date (YYYY-MM-DD) the figure was read or published. */
  as_of: string;
  /** True when no published source exists and the figure is our estimate. */
  estimate?: boolean;
  note?: string;
}

export interface ProviderInfo {
  id: string; // e.g. "openai", "ai21", "anyscale"
  name: string; // e.g. "OpenAI", "AI21 Labs"
  status: ProviderStatus;
  pricing_urls: string[];
  /** "genai-prices" or "overlay" */
  origin: 'genai-prices' | 'overlay';
  note?: string;
}

/**
 * One price step of a long-context tier: applies to the whole request when the prompt has MORE than `start`
 * input tokens (genai-prices' rule: `input_tokens > start`).
 */
export interface TierRate {
  start: number;
  rate: RatePerMTok;
}

export interface ModelRates {
  input: RatePerMTok;
  output?: RatePerMTok; // absent for embedding-only models
  cache_read?: RatePerMTok;
  cache_write?: RatePerMTok;
  input_tiers?: TierRate[];
  output_tiers?: TierRate[];
  cache_read_tiers?: TierRate[];
  cache_write_tiers?: TierRate[];
  /** A flat fee in USD per 1,000 requests (e.g. Perplexity's search-context fee), added once per request. */
  per_1k_requests?: string;
}

export interface PerformanceFigures extends Provenance {
  throughput_tps?: number; // output tokens per second
  latency_ms?: number; // time to first token
}

export interface UseCaseInfo extends Provenance {
  best_for: string;
  use_cases: string[];
  strengths: string[];
}

export interface ModelEntry {
  /** Canonical key "provider:model_id", unique in the catalog. */
  key: string;
  id: string;
  name: string;
  provider: ProviderInfo;
  rates: ModelRates;
  context_window?: number;
  deprecated: boolean;
  category: Category;
  cost_tier: CostTier;
  performance?: PerformanceFigures;
  use_case?: UseCaseInfo;
  /** Where the prices come from. */
  price_source: Provenance;
  /** Whether the default listing shows this model (see provider-policy.ts); unlisted models still resolve. */
  listed: boolean;
  /** Other names that resolve to this entry (lower-case), e.g. dated snapshots and rule aliases. */
  aliases: string[];
}

export type ResolveResult =
  | {
      ok: true;
      model: ModelEntry;
      /** How the name matched: exact id, alias, dated snapshot, provider-qualified, generic open-model name, or a base-data match rule. */
      via: 'exact' | 'alias' | 'snapshot' | 'qualified' | 'generic' | 'rule';
      /** For a generic open-model name: every host's offer, cheapest first (model is the first). */
      offers?: ModelEntry[];
    }
  | { ok: false; message: string; suggestions: string[] };

export interface CostInput {
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens?: number; // part of input_tokens served from cache
  cache_write_tokens?: number;
  requests?: number; // scale a per-request estimate to a volume
}

export interface CostBreakdown {
  /** All costs in USD, rounded once (to 1e-10) from exact decimal arithmetic. */
  input_cost: number;
  cached_input_cost: number;
  cache_write_cost: number;
  output_cost: number;
  /** Per-request fees (per_1k_requests x requests); 0 for most models. */
  request_cost: number;
  total_cost: number;
  /** Per single request when requests > 1. */
  per_request_total_cost: number;
  currency: 'USD';
  /** The per-1M rates actually applied (after tiers). */
  rates_used: {
    input: RatePerMTok;
    output: RatePerMTok;
    cache_read?: RatePerMTok;
    cache_write?: RatePerMTok;
    /** Set when a long-context tier applied: the tier's `start` (input tokens above it are priced at the tier). */
    tier_start?: number;
    per_1k_requests?: string;
  };
  /** Same rates per 1K tokens, as the guide shows them. */
  rates_per_1k: { input: string; output: string };
}

export interface Catalog {
  /** Changes when the data changes; an index is built once per version. */
  readonly version: string;
  readonly data_as_of: string;
  readonly source: string; // e.g. "genai-prices 0.1.8 + overlay 2026-11-24"
  readonly providers: readonly ProviderInfo[];
  readonly models: readonly ModelEntry[];
  provider(idOrName: string): ProviderInfo | undefined;
  resolve(name: string, opts?: { provider?: string }): ResolveResult;
  /** Model names for completion: ids starting with (or containing) the prefix, best first. */
  complete(prefix: string, limit?: number): string[];
  /** Every provider, listed or not (aggregators, resellers), for qualified lookups and explicit filters. */
  readonly all_providers: readonly ProviderInfo[];
  /** Every priced model, listed or not. */
  readonly all_models: readonly ModelEntry[];
  /** The entry with this catalog key ("provider:model_id", any case), or undefined. A map access. */
  model(key: string): ModelEntry | undefined;
  /**
   * The default listing, or one provider's models when `provider` is given (id or name, any case; unlisted
   * providers such as OpenRouter are allowed when named). Throws PricingInputError for an unknown provider.
   */
  listModels(filter?: ModelFilter): ModelEntry[];
  /** Generic open-model names (e.g. "llama-3.3-70b") and the keys of the hosts offering them. */
  readonly generic_names: ReadonlyMap<string, readonly string[]>;
  /** genai-prices package version the base data came from, and the overlay's as-of date. */
  readonly base_version: string;
  readonly overlay_as_of: string;
  /** Problems found while building (overlay entries pointing at models the base lacks); empty when healthy. */
  readonly warnings: readonly string[];
}

export interface ModelFilter {
  provider?: string;
  category?: Category;
  include_deprecated?: boolean;
}
