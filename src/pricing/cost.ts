// Cost of a request (or a volume of requests) for one model: itemized into
// lines (cost-lines.ts), with the modifiers the caller chose (modifiers.ts)
// and the price set in force (schedule.ts), every condition named. Exact:
// each line is computed in 1e-18 USD bigint units and rounded once to 1e-10
// USD; the total is the sum of the lines.
import type {
  CostBreakdown,
  CostCondition,
  CostInput,
  CostModifiers,
  ModelEntry,
  ModifiersInForce,
  PriceSet,
  RatePerMTok,
} from './types.js';
import { perThousand, unitsToNumber } from './decimal.js';
import { PricingInputError } from './errors.js';
import { costLines, tieredRate, type Line, type Usage } from './cost-lines.js';
import { adjustPrices, chooseModifiers, modifierConditions, BATCH_ON, type ChosenModifiers } from './modifiers.js';
import { defaultTimeConditions, pricesAtMoment } from './conditions.js';
import type { UsageKey } from './units.js';

/** Usage keys a caller may give under other_usage (the rest have arguments of their own). */
export const OTHER_USAGE_KEYS = [
  'input_audio_tokens',
  'input_image_tokens',
  'input_video_tokens',
  'citation_tokens',
  'output_audio_tokens',
  'output_image_tokens',
  'output_video_tokens',
  'file_searches',
  'text_messages',
] as const satisfies readonly UsageKey[];

/** "other_usage.<key>", the names checkCount reports, made once. */
const OTHER_USAGE_NAMES: readonly string[] = OTHER_USAGE_KEYS.map((k) => `other_usage.${k}`);

const INPUT_PARTS = [
  'cached_input_tokens',
  'cache_write_tokens',
  'input_audio_tokens',
  'input_image_tokens',
  'input_video_tokens',
] as const;
const OUTPUT_PARTS = ['reasoning_tokens', 'citation_tokens', 'output_audio_tokens', 'output_image_tokens', 'output_video_tokens'] as const;

function checkCount(name: string, value: unknown, min = 0): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    const shown = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
    throw new PricingInputError(`${name} must be a whole number >= ${min} (got ${shown})`);
  }
  return value;
}

const NO_OTHER_USAGE: Readonly<Record<string, number>> = Object.freeze({});

export interface ValidUsage {
  usage: Usage;
  requests: number;
}

/** Validated counts; throws PricingInputError naming the field and what to fix. */
export function validateCostInput(input: CostInput): ValidUsage {
  if (typeof input !== 'object' || input === null)
    throw new PricingInputError('cost input must be an object with input_tokens and output_tokens');
  const other = input.other_usage ?? NO_OTHER_USAGE;
  for (const key in other) {
    if (!Object.hasOwn(other, key)) continue;
    if (!(OTHER_USAGE_KEYS as readonly string[]).includes(key)) {
      throw new PricingInputError(`other_usage.${key} is not a unit we price; use: ${OTHER_USAGE_KEYS.join(', ')}`);
    }
  }
  const usage: Record<UsageKey, number> = {
    input_tokens: checkCount('input_tokens', input.input_tokens),
    output_tokens: checkCount('output_tokens', input.output_tokens),
    cached_input_tokens: checkCount('cached_input_tokens', input.cached_input_tokens ?? 0),
    cache_write_tokens: checkCount('cache_write_tokens', input.cache_write_tokens ?? 0),
    reasoning_tokens: checkCount('reasoning_tokens', input.reasoning_tokens ?? 0),
    web_searches: checkCount('web_searches', input.web_searches ?? 0),
    requests: 1,
    input_audio_tokens: 0,
    input_image_tokens: 0,
    input_video_tokens: 0,
    citation_tokens: 0,
    output_audio_tokens: 0,
    output_image_tokens: 0,
    output_video_tokens: 0,
    file_searches: 0,
    text_messages: 0,
  };
  for (let i = 0; i < OTHER_USAGE_KEYS.length; i++) {
    const key = OTHER_USAGE_KEYS[i]!;
    usage[key] = checkCount(OTHER_USAGE_NAMES[i]!, other[key] ?? 0);
  }
  const requests = checkCount('requests', input.requests ?? 1, 1);
  const partsOf = (whole: UsageKey, parts: readonly UsageKey[]): void => {
    let sum = 0;
    for (const p of parts) sum += usage[p];
    if (sum > usage[whole]) {
      const given = parts.filter((p) => usage[p] > 0).map((p) => `${p} (${usage[p]})`);
      throw new PricingInputError(
        `${given.join(' + ')} must not exceed ${whole} (${usage[whole]}): they are parts of ${whole}, not added to it`,
      );
    }
  };
  partsOf('input_tokens', INPUT_PARTS);
  partsOf('output_tokens', OUTPUT_PARTS);
  // The volume must stay exact and meaningful: tokens x requests within safe integers.
  if (!Number.isSafeInteger((usage.input_tokens + usage.output_tokens + usage.web_searches) * requests)) {
    throw new PricingInputError('(input_tokens + output_tokens) x requests is too large; lower requests or token counts');
  }
  return { usage, requests };
}

/** Parse `at`: an ISO 8601 date or date-time; a date alone means midnight UTC. */
export function parseAt(at: string): Date {
  const text = at.trim();
  const ok = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text);
  const d = ok ? new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text) : new Date(NaN);
  if (Number.isNaN(d.getTime())) {
    throw new PricingInputError(
      `at must be an ISO date-time such as "2026-08-20T14:00:00Z" or a date "2026-08-20" (got ${JSON.stringify(at)})`,
    );
  }
  return d;
}

export interface EstimateContext {
  /** Look up another catalog entry (a region option may price a sibling entry). */
  model?: (key: string) => ModelEntry | undefined;
  /** The moment a request without `at` is made (default: the clock); decides whether an extended window is open. */
  now?: Date;
}

const count = (n: number): string => n.toLocaleString('en-US');

/**
 * A request over the model's context window is refused (or priced with a warning under allow_over_context), unless
 * the model has an extended window open at `moment` that holds it: then the answer names what it needs.
 */
function checkContext(model: ModelEntry, usage: Usage, moment: Date, allowOver: boolean, warnings: string[]): CostCondition | undefined {
  const window = model.context_window;
  const tokens = usage.input_tokens + usage.output_tokens;
  if (window === undefined || tokens <= window) return undefined;
  const ext = model.extended_context;
  const day = moment.toISOString().slice(0, 10);
  const open = ext !== undefined && (ext.from === undefined || day >= ext.from) && (ext.until === undefined || day < ext.until);
  if (ext && open && tokens <= ext.window) {
    const period = [ext.from && `from ${ext.from}`, ext.until && `until ${ext.until}`].filter(Boolean).join(' ');
    return {
      kind: 'extended_context',
      description:
        `${count(tokens)} tokens is more than the standard ${count(window)}-token window of ${model.key}: a request this ` +
        `large needs ${ext.requires} (a ${count(ext.window)}-token window${period ? `, available ${period}` : ''})`,
      standard_window: window,
      window: ext.window,
      requires: ext.requires,
      ...(ext.from ? { from: ext.from } : {}),
      ...(ext.until ? { until: ext.until } : {}),
    };
  }
  let msg = `${count(usage.input_tokens)} input + ${count(usage.output_tokens)} output tokens exceed the ${count(window)}-token context window of ${model.key}`;
  if (ext && tokens <= ext.window) {
    const when = ext.until && day >= ext.until ? `ended on ${ext.until}` : `opened on ${ext.from}`;
    const inside = ext.from ?? new Date(Date.parse(ext.until!) - 86_400_000).toISOString().slice(0, 10);
    msg +=
      ` on ${day}; its ${count(ext.window)}-token window (${ext.requires}) ${when}. To price a request made while it was ` +
      `open pass at, e.g. "${inside}T12:00:00Z"${ext.from && ext.until ? ` (open from ${ext.from} until ${ext.until})` : ''}`;
  }
  if (!allowOver)
    throw new PricingInputError(`${msg}; a request this large would be refused. Pass allow_over_context: true to price it anyway.`);
  warnings.push(`${msg}; priced anyway because allow_over_context is true.`);
  return undefined;
}

/** The price set for the request before modifiers: at `at`, or the catalog date's default. */
function basePrices(model: ModelEntry, at: Date | undefined): { prices: PriceSet; conditions: CostCondition[] } {
  return at ? pricesAtMoment(model, at) : { prices: model.prices, conditions: defaultTimeConditions(model) };
}

function inForce(choice: ChosenModifiers, at: string | undefined): ModifiersInForce {
  const opt = (k: 'service_tier' | 'cache_write_ttl' | 'search_context' | 'region'): string | null => choice.chosen[k]?.option ?? null;
  return {
    batch: choice.chosen.batch?.option === BATCH_ON,
    service_tier: opt('service_tier'),
    cache_write_ttl: opt('cache_write_ttl'),
    search_context: opt('search_context'),
    region: opt('region'),
    at: at ?? null,
  };
}

/**
 * The cost of `input.requests` identical requests (default 1) with the given
 * modifiers. Throws PricingInputError on bad counts, a modifier the model
 * lacks, or an input over the context window (unless allow_over_context).
 */
export function estimateCost(model: ModelEntry, input: CostInput, mods: CostModifiers = {}, ctx: EstimateContext = {}): CostBreakdown {
  const { usage, requests } = validateCostInput(input);
  const warnings: string[] = [];
  const at = mods.at !== undefined ? parseAt(mods.at) : undefined;
  const extended = checkContext(model, usage, at ?? ctx.now ?? new Date(), mods.allow_over_context === true, warnings);
  const choice = chooseModifiers(model, mods);

  // A region option may price another entry (Bedrock's global and regional endpoints of one model).
  const regionModel = choice.chosen.region?.modifier.options[choice.chosen.region.option]?.model;
  const pricedAs = regionModel ? (ctx.model?.(regionModel) ?? model) : model;
  const base = basePrices(pricedAs, at);
  const prices = adjustPrices(base.prices, choice);

  const lineOpts = {
    free: pricedAs.free,
    promptTokens: usage.input_tokens,
    requests,
    ...(choice.chosen.cache_write_ttl ? { cacheWriteTtl: choice.chosen.cache_write_ttl.option } : {}),
    ...(choice.chosen.search_context ? { searchContext: choice.chosen.search_context.option } : {}),
  };
  const lines = costLines(prices, usage, lineOpts);
  const totalUnits = lines.reduce((s, l) => s + l.units, 0n);

  const conditions: CostCondition[] = [...base.conditions];
  if (extended) conditions.push(extended);
  const tier = lines.find((l) => l.tierStart !== undefined)?.tierStart;
  if (tier !== undefined) {
    conditions.push({
      kind: 'long_context_tier',
      description: `long-context prices: the prompt has ${tierWords(tier)} input tokens (${usage.input_tokens.toLocaleString('en-US')}), so the whole request is priced at the higher tier`,
      threshold: tier,
      input_tokens: usage.input_tokens,
    });
  }
  for (const c of modifierConditions(choice)) {
    const shown = c.kind === 'search_context' || c.kind === 'region' || (c.kind === 'cache_write_ttl' && usage.cache_write_tokens > 0);
    if (choice.chosen[c.kind as keyof ChosenModifiers['chosen']]?.asked || shown) conditions.push(c);
  }
  const fee = lines.find((l) => l.item === 'request_fee');
  if (fee && fee.rate !== null) {
    conditions.push({
      kind: 'request_fee',
      description: `a fee of $${fee.rate} per 1,000 requests is charged on top of tokens`,
      per_1k_requests: fee.rate,
    });
  }
  for (const l of lines) {
    if (l.pricing === 'unpriced') warnings.push(`${l.label}: ${l.quantity} ${l.unit} are not in the total.`);
  }
  if (pricedAs !== model) warnings.push(`priced as ${pricedAs.key} (${choice.chosen.region?.option} endpoint).`);

  // One pass over the lines: the sums by item group, and the cache-write rate a line applied.
  let inputUnits = 0n;
  let cachedInput = 0n;
  let cacheWrite = 0n;
  let outputUnits = 0n;
  let requestFees = 0n;
  const writeRates: Partial<Record<'cache_write' | 'cache_write_5m' | 'cache_write_1h', string>> = {};
  for (const l of lines) {
    switch (l.item) {
      case 'input':
        inputUnits += l.units;
        break;
      case 'cached_input':
        cachedInput += l.units;
        break;
      case 'cache_write':
      case 'cache_write_5m':
      case 'cache_write_1h':
        cacheWrite += l.units;
        if (l.rateText !== undefined) writeRates[l.item] ??= l.rateText;
        break;
      case 'output':
        outputUnits += l.units;
        break;
      case 'request_fee':
      case 'search_fee':
        requestFees += l.units;
        break;
    }
  }
  const applied = appliedRates(prices, usage.input_tokens);
  const rates_used: CostBreakdown['rates_used'] = { input: applied.input, output: applied.output };
  if (applied.cache_read !== undefined) rates_used.cache_read = applied.cache_read;
  const writeRate = writeRates.cache_write ?? writeRates.cache_write_5m ?? writeRates.cache_write_1h ?? applied.cache_write;
  if (writeRate !== undefined) rates_used.cache_write = writeRate;
  if (tier !== undefined) rates_used.tier_start = tier;
  const perReq = prices.requests_kcount?.rate;
  if (perReq !== undefined) rates_used.per_1k_requests = perReq;

  return {
    input_cost: unitsToNumber(inputUnits),
    cached_input_cost: unitsToNumber(cachedInput),
    cache_write_cost: unitsToNumber(cacheWrite),
    output_cost: unitsToNumber(outputUnits),
    request_cost: unitsToNumber(requestFees),
    total_cost: unitsToNumber(totalUnits),
    per_request_total_cost: unitsToNumber(totalUnits / BigInt(requests)),
    currency: 'USD',
    rates_used,
    rates_per_1k: { input: perThousand(applied.input), output: perThousand(applied.output) },
    lines: lines.map(publicLine),
    conditions,
    modifiers: inForce(choice, mods.at),
    warnings,
    priced_as: pricedAs.key,
  };
}

function publicLine(l: Line): CostBreakdown['lines'][number] {
  return { item: l.item, label: l.label, quantity: l.quantity, unit: l.unit, rate: l.rate, per: l.per, cost: l.cost, pricing: l.pricing };
}

export interface AppliedRates {
  input: RatePerMTok;
  output: RatePerMTok;
  cache_read?: RatePerMTok;
  cache_write?: RatePerMTok;
  tier_start?: number;
}

function appliedRates(prices: PriceSet, promptTokens: number): AppliedRates {
  const pick = (key: string): { rate: string; start?: number } | undefined => {
    const p = prices[key];
    return p ? tieredRate(p, promptTokens) : undefined;
  };
  const input = pick('input_mtok') ?? { rate: '0' };
  const output = pick('output_mtok') ?? { rate: '0' };
  const out: AppliedRates = { input: input.rate, output: output.rate };
  const read = pick('cache_read_mtok');
  if (read) out.cache_read = read.rate;
  const write = pick('cache_write_mtok');
  if (write) out.cache_write = write.rate;
  const start = input.start ?? output.start;
  if (start !== undefined) out.tier_start = start;
  return out;
}

/** A tier starts above `start` tokens; data that means "200,000 or more" says 199,999, and is said the way it means. */
function tierWords(start: number): string {
  const from = start + 1;
  return from % 1000 === 0 ? `${from.toLocaleString('en-US')} or more` : `more than ${start.toLocaleString('en-US')}`;
}
