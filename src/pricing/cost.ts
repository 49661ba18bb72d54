// Cost of a request (or a volume of requests) for one model, exact to the
// decimal rates: every part is summed in 1e-18 USD bigint units and rounded
// once, to 1e-10 USD, when it leaves as a JS number.
import type { CostBreakdown, CostInput, ModelEntry, ModelRates, RatePerMTok, TierRate } from './types.js';
import { perThousand, tokenCost, unitsToNumber, parseDecimal } from './decimal.js';
import { PricingInputError } from './errors.js';

function checkCount(name: string, value: unknown, min = 0): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    const shown = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
    throw new PricingInputError(`${name} must be a whole number >= ${min} (got ${shown})`);
  }
  return value;
}

/** Validated counts; throws PricingInputError naming the field and what to fix. */
export function validateCostInput(input: CostInput): Required<CostInput> {
  if (typeof input !== 'object' || input === null)
    throw new PricingInputError('cost input must be an object with input_tokens and output_tokens');
  const input_tokens = checkCount('input_tokens', input.input_tokens);
  const output_tokens = checkCount('output_tokens', input.output_tokens);
  const cached_input_tokens = checkCount('cached_input_tokens', input.cached_input_tokens ?? 0);
  const cache_write_tokens = checkCount('cache_write_tokens', input.cache_write_tokens ?? 0);
  const requests = checkCount('requests', input.requests ?? 1, 1);
  if (cached_input_tokens + cache_write_tokens > input_tokens) {
    throw new PricingInputError(
      `cached_input_tokens (${cached_input_tokens}) + cache_write_tokens (${cache_write_tokens}) must not exceed input_tokens (${input_tokens}): they are the parts of input_tokens read from or written to the cache`,
    );
  }
  // The volume must stay exact and meaningful: tokens x requests within safe integers.
  if (!Number.isSafeInteger((input_tokens + output_tokens) * requests)) {
    throw new PricingInputError('(input_tokens + output_tokens) x requests is too large; lower requests or token counts');
  }
  return { input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, requests };
}

/** The rate in force for a prompt of `promptTokens`: the last tier whose start it exceeds (genai-prices' rule). */
function tiered(base: RatePerMTok, tiers: readonly TierRate[] | undefined, promptTokens: number): { rate: RatePerMTok; start?: number } {
  let rate = base;
  let start: number | undefined;
  for (const t of tiers ?? []) {
    if (promptTokens > t.start) {
      rate = t.rate;
      start = t.start;
    }
  }
  return start === undefined ? { rate } : { rate, start };
}

export interface AppliedRates {
  input: RatePerMTok;
  output: RatePerMTok;
  cache_read?: RatePerMTok;
  cache_write?: RatePerMTok;
  tier_start?: number;
}

/** The per-1M rates that apply to a prompt of this size (long-context tiers chosen on input tokens). */
export function ratesFor(rates: ModelRates, promptTokens: number): AppliedRates {
  const input = tiered(rates.input, rates.input_tiers, promptTokens);
  const output = tiered(rates.output ?? '0', rates.output_tiers, promptTokens);
  const out: AppliedRates = { input: input.rate, output: output.rate };
  if (rates.cache_read !== undefined) out.cache_read = tiered(rates.cache_read, rates.cache_read_tiers, promptTokens).rate;
  if (rates.cache_write !== undefined) out.cache_write = tiered(rates.cache_write, rates.cache_write_tiers, promptTokens).rate;
  const start = input.start ?? output.start;
  if (start !== undefined) out.tier_start = start;
  return out;
}

/**
 * The cost of `input.requests` identical requests (default 1). Cached input
 * is charged at the cache-read rate (the input rate when the model has none),
 * cache writes at the cache-write rate (likewise), the rest of the input at
 * the input rate. Throws PricingInputError on bad counts.
 */
export function estimateCost(model: ModelEntry, input: CostInput): CostBreakdown {
  const c = validateCostInput(input);
  const applied = ratesFor(model.rates, c.input_tokens);
  const uncached = c.input_tokens - c.cached_input_tokens - c.cache_write_tokens;
  const n = BigInt(c.requests);
  const inputUnits = tokenCost(uncached, applied.input) * n;
  const cachedUnits = tokenCost(c.cached_input_tokens, applied.cache_read ?? applied.input) * n;
  const writeUnits = tokenCost(c.cache_write_tokens, applied.cache_write ?? applied.input) * n;
  const outputUnits = tokenCost(c.output_tokens, applied.output) * n;
  const perRequestFee = model.rates.per_1k_requests;
  const requestUnits = perRequestFee === undefined ? 0n : (parseDecimal(perRequestFee) / 1000n) * n;
  const totalUnits = inputUnits + cachedUnits + writeUnits + outputUnits + requestUnits;

  const rates_used: CostBreakdown['rates_used'] = { input: applied.input, output: applied.output };
  if (applied.cache_read !== undefined) rates_used.cache_read = applied.cache_read;
  if (applied.cache_write !== undefined) rates_used.cache_write = applied.cache_write;
  if (applied.tier_start !== undefined) rates_used.tier_start = applied.tier_start;
  if (perRequestFee !== undefined) rates_used.per_1k_requests = perRequestFee;

  return {
    input_cost: unitsToNumber(inputUnits),
    cached_input_cost: unitsToNumber(cachedUnits),
    cache_write_cost: unitsToNumber(writeUnits),
    output_cost: unitsToNumber(outputUnits),
    request_cost: unitsToNumber(requestUnits),
    total_cost: unitsToNumber(totalUnits),
    per_request_total_cost: unitsToNumber(totalUnits / n),
    currency: 'USD',
    rates_used,
    rates_per_1k: { input: perThousand(applied.input), output: perThousand(applied.output) },
  };
}
