// Category and cost tier, derived from list prices so they never disagree with
// the rates shown.
//
// Blended price = (3 x input + 1 x output) / 4 per 1M tokens, i.e. a workload
// reading three tokens for each it writes (typical of chat with context).
//   blended <  $1   -> cost_tier low,    category budget
//   blended < $10   -> cost_tier medium, category standard
//   otherwise       -> cost_tier high,   category premium
// An embedding model (no output price, or an id naming embeddings) is
// category "embedding"; its cost tier still follows the blended price.
import type { Category, CostTier, ModelRates } from './types.js';
import { formatUnits, parseDecimal } from './decimal.js';

const ONE = parseDecimal('1');
const TEN = parseDecimal('10');

/** Blended 3:1 price per 1M tokens as exact units (1e-18 USD). */
export function blendedUnits(rates: ModelRates): bigint {
  return (3n * parseDecimal(rates.input) + parseDecimal(rates.output ?? '0')) / 4n;
}

export function blendedPerMTok(rates: ModelRates): string {
  return formatUnits(blendedUnits(rates));
}

export function costTier(rates: ModelRates): CostTier {
  const b = blendedUnits(rates);
  if (b < ONE) return 'low';
  if (b < TEN) return 'medium';
  return 'high';
}

const EMBEDDING_ID = /(^|[^a-z])(embed|embedding|embeddings)([^a-z]|$)|text-embedding|gte-|bge-|e5-/;

/** An input-only model (no output price), or one whose id says it makes embeddings. */
export function isEmbeddingModel(id: string, rates: ModelRates): boolean {
  return rates.output === undefined || EMBEDDING_ID.test(id.toLowerCase());
}

export function category(id: string, rates: ModelRates): Category {
  if (isEmbeddingModel(id, rates)) return 'embedding';
  const tier = costTier(rates);
  return tier === 'low' ? 'budget' : tier === 'medium' ? 'standard' : 'premium';
}
