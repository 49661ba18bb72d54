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

/** One unit's price: a decimal rate per the unit's `per` (see units.ts), with long-context tiers if any. */
export interface UnitPrice {
  rate: string;
  tiers?: TierRate[];
}

/** Every price of one price set, by genai-prices' price key ("input_mtok", "requests_kcount", ...). */
export type PriceSet = Readonly<Record<string, UnitPrice>>;

/** When a price set applies: from a date on, or in a daily window (UTC clock times, end exclusive). */
/** A daily window may hold on weekdays only (Monday to Friday, by the UTC date of the moment). */
export type PriceConstraint =
  { type: 'start_date'; start_date: string } | { type: 'time_of_day'; start_time: string; end_time: string; weekdays_only?: boolean };

export interface ScheduledPrices {
  constraint?: PriceConstraint;
  prices: PriceSet;
}

/** A model's daily price windows on the catalog's date: the default estimate uses the dearest, and names the others. */
export interface TimeOfDayPrices {
  /** The price set outside every window. */
  outside: PriceSet;
  windows: Array<{ start_time: string; end_time: string; weekdays_only?: boolean; prices: PriceSet }>;
}

/** How one modifier option changes the prices (applied in this order: model, prices, factor). */
export interface PriceAdjustment {
  /** Price as this other catalog entry (e.g. Bedrock's global vs regional endpoint of one model). */
  model?: string;
  /** Replace these price keys with these flat rates. */
  prices?: Readonly<Record<string, string>>;
  /** Multiply token prices (or only `keys`) by this decimal, e.g. "0.5". */
  factor?: string;
  keys?: readonly string[];
}

export type ModifierKind = 'batch' | 'service_tier' | 'cache_write_ttl' | 'search_context' | 'region';

/** One modifier a model has: its options, the one in force by default, and where the figures come from. */
export interface ModelModifier extends Provenance {
  kind: ModifierKind;
  default: string;
  options: Readonly<Record<string, PriceAdjustment>>;
}

export interface ModelRates {
  input: RatePerMTok;
  output?: RatePerMTok; // absent for embedding-only models
  cache_read?: RatePerMTok;
  cache_write?: RatePerMTok;
  /** One-hour cache writes where priced apart from the default (five-minute) ones. */
  cache_write_1h?: RatePerMTok;
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

export interface ExtendedContext {
  window: number;
  /** What a request above context_window needs, in words (e.g. the beta header). */
  requires: string;
  /** First day (UTC) it was available, if known. */
  from?: string;
  /** First day (UTC) it was no longer available, if it ended. */
  until?: string;
  source: Provenance;
}

export interface ModelEntry {
  /** Canonical key "provider:model_id", unique in the catalog. */
  key: string;
  id: string;
  name: string;
  provider: ProviderInfo;
  /** The list rates of the default price set, for listings. */
  rates: ModelRates;
  /** Every price of the default price set (what an estimate without `at` uses). */
  prices: PriceSet;
  /** True when the data gives this model no price at all: a free model (not "unpriced", not "$0 per token"). */
  free: boolean;
  /** Every dated or daily price set, in the data's order, when there is more than one (for `at`). */
  schedule?: readonly ScheduledPrices[];
  /** The default price set's start date, when it is a dated one. */
  price_since?: string;
  /** Daily windows on the catalog's date, when the data has them. */
  time_of_day?: TimeOfDayPrices;
  /** Modifiers this model has, by kind. */
  modifiers: Partial<Record<ModifierKind, ModelModifier>>;
  context_window?: number;
  /** Where the context window comes from, when not from the model's price source. */
  context_source?: Provenance;
  /** A larger window than context_window that some requests got or get (a beta behind a header), and when. */
  extended_context?: ExtendedContext;
  deprecated: boolean;
  /** A preview or experimental model (may change or go away without the usual notice). */
  preview: boolean;
  /** What the model can do, where a source says so (e.g. "vision", "tools", "reasoning"). */
  capabilities?: readonly string[];
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
      /** Other hosts that answer to the same name, when the name was not host-specific. */
      others?: ModelEntry[];
      /** Things the caller should know about how the name was read (moving alias, pattern rule). */
      notes?: string[];
    }
  | { ok: false; message: string; suggestions: string[] };

export interface CostInput {
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens?: number; // part of input_tokens served from cache
  cache_write_tokens?: number; // part of input_tokens written to the cache
  reasoning_tokens?: number; // part of output_tokens spent reasoning (a line of its own where priced apart)
  web_searches?: number; // per request
  /** Other usage per request, by usage key (audio, image and video tokens, citation tokens, file searches, text messages). */
  other_usage?: Partial<Record<string, number>>;
  requests?: number; // scale a per-request estimate to a volume
}

/** The modifiers a caller may set; each one the model lacks is an error. */
export interface CostModifiers {
  batch?: boolean;
  service_tier?: string;
  cache_write_ttl?: string;
  search_context?: string;
  region?: string;
  /** ISO date-time: the price in force then, including daily windows. */
  at?: string;
  /** Price an input over the context window with a warning instead of an error. */
  allow_over_context?: boolean;
}

/** One line of an itemized cost. */
export interface CostLine {
  item: string;
  label: string;
  /** Amount over all requests, in `unit`. */
  quantity: number;
  unit: string;
  /** USD per `per` units; null when unpriced. */
  rate: number | null;
  per: number;
  /** USD; null when unpriced. */
  cost: number | null;
  pricing: 'priced' | 'free' | 'unpriced';
}

/** A condition that shaped the price, in words and as data. */
export interface CostCondition {
  kind: string;
  description: string;
  [data: string]: unknown;
}

export interface ModifiersInForce {
  batch: boolean;
  service_tier: string | null;
  cache_write_ttl: string | null;
  search_context: string | null;
  region: string | null;
  at: string | null;
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
  /** Every line that makes the total, in a stable order; priced lines add up exactly to total_cost. */
  lines: CostLine[];
  conditions: CostCondition[];
  modifiers: ModifiersInForce;
  warnings: string[];
  /** The catalog key whose prices were used (differs from the model's when a region option prices another entry). */
  priced_as: string;
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
  /** The moving aliases the overlay keeps pointed where each provider points them. */
  readonly moving_aliases: readonly MovingAlias[];
  /** The date (YYYY-MM-DD) default prices were chosen for. */
  readonly priced_on: string;
}

export interface ModelFilter {
  provider?: string;
  category?: Category;
  include_deprecated?: boolean;
}

/** A moving alias ("mistral-large-latest") and the model it points at today. */
export interface MovingAlias extends Provenance {
  alias: string;
  target: string;
  /** Ids of the family the alias follows (a regular expression over ids of the target's provider). */
  family: string;
}
