// Modifiers: the caller's batch / service_tier / cache_write_ttl /
// search_context / region, checked against what the model has (each a
// published option recorded in the data with its source), and applied to a
// price set. A modifier the model does not have is an error that names the
// ones it has; nothing is silently ignored.
import type { CostCondition, CostModifiers, ModelEntry, ModelModifier, ModifierKind, PriceSet, UnitPrice } from './types.js';
import { PricingInputError } from './errors.js';
import { scaleRate } from './decimal.js';
import { isTokenKey } from './units.js';

export const MODIFIER_KINDS: readonly ModifierKind[] = ['region', 'service_tier', 'batch', 'cache_write_ttl', 'search_context'];

/** The option names of each kind, as callers write them. */
export const BATCH_ON = 'on';
export const BATCH_OFF = 'off';

export interface ChosenModifiers {
  /** Option in force for each modifier the model has (default when the caller gave none). */
  chosen: Partial<Record<ModifierKind, { option: string; modifier: ModelModifier; asked: boolean }>>;
}

/** What the model offers, in words: `batch (on), service_tier (standard, flex, priority)`. */
export function describeModifiers(model: ModelEntry): string {
  const kinds = MODIFIER_KINDS.filter((k) => model.modifiers[k]);
  if (kinds.length === 0) return 'it has none in our data';
  return `it has ${kinds
    .map((k) => {
      const m = model.modifiers[k]!;
      return k === 'batch' ? 'batch (true or false)' : `${k} (${Object.keys(m.options).join(', ')})`;
    })
    .join('; ')}`;
}

/** Check the caller's modifiers against the model; throws PricingInputError naming what the model has. */
export function chooseModifiers(model: ModelEntry, asked: CostModifiers): ChosenModifiers {
  const chosen: ChosenModifiers['chosen'] = {};
  const wanted: Partial<Record<ModifierKind, string>> = {};
  if (asked.batch === true) wanted.batch = BATCH_ON;
  for (const kind of ['service_tier', 'cache_write_ttl', 'search_context', 'region'] as const) {
    const v = asked[kind];
    if (v !== undefined) wanted[kind] = v.trim().toLowerCase();
  }
  for (const kind of MODIFIER_KINDS) {
    const modifier = model.modifiers[kind];
    const option = wanted[kind];
    if (option !== undefined && !modifier) {
      const what = kind === 'batch' ? 'batch: true' : `${kind} "${option}"`;
      throw new PricingInputError(
        `${what} does not apply to ${model.key}: our data has no published ${kind.replace(/_/g, ' ')} option for it; ${describeModifiers(model)}.`,
      );
    }
    if (!modifier) continue;
    if (option !== undefined && !(option in modifier.options)) {
      throw new PricingInputError(
        `${kind} "${option}" is not an option of ${model.key}; choose one of: ${Object.keys(modifier.options).join(', ')}.`,
      );
    }
    chosen[kind] = { option: option ?? modifier.default, modifier, asked: option !== undefined };
  }
  return { chosen };
}

/** Apply the factor and price replacements of the chosen options (region's `model` is handled by the caller). */
export function adjustPrices(prices: PriceSet, choice: ChosenModifiers): PriceSet {
  let out: Record<string, UnitPrice> | undefined;
  for (const kind of ['region', 'service_tier', 'batch', 'search_context'] as const) {
    const c = choice.chosen[kind];
    const adj = c?.modifier.options[c.option];
    if (!adj || (adj.prices === undefined && adj.factor === undefined)) continue;
    out ??= { ...prices };
    for (const [key, rate] of Object.entries(adj.prices ?? {})) out[key] = { rate };
    if (adj.factor !== undefined) {
      const factor = adj.factor;
      for (const key of Object.keys(out)) {
        if (adj.keys ? !adj.keys.includes(key) : !isTokenKey(key)) continue;
        const p = out[key]!;
        out[key] = p.tiers
          ? { rate: scaleRate(p.rate, factor), tiers: p.tiers.map((t) => ({ start: t.start, rate: scaleRate(t.rate, factor) })) }
          : { rate: scaleRate(p.rate, factor) };
      }
    }
  }
  return out ?? prices;
}

const WORDS: Record<ModifierKind, (option: string) => string> = {
  batch: (o) => (o === BATCH_ON ? 'Batch API prices' : 'not batched (standard prices)'),
  service_tier: (o) => `service tier "${o}"`,
  cache_write_ttl: (o) => `cache writes kept ${o === '1h' ? 'one hour' : o === '5m' ? 'five minutes' : o}`,
  search_context: (o) => `${o} search context`,
  region: (o) => `${o} endpoint`,
};

/** One condition per modifier the model has, saying which option priced the answer and where it comes from. */
export function modifierConditions(choice: ChosenModifiers): CostCondition[] {
  const out: CostCondition[] = [];
  for (const kind of MODIFIER_KINDS) {
    const c = choice.chosen[kind];
    if (!c) continue;
    const defaulted = c.asked
      ? ''
      : ` (the default; other options: ${Object.keys(c.modifier.options)
          .filter((o) => o !== c.option)
          .join(', ')})`;
    const condition: CostCondition = {
      kind,
      description: `${WORDS[kind](c.option)}${defaulted}`,
      option: c.option,
      default: c.modifier.default,
      options: Object.keys(c.modifier.options),
      source: c.modifier.source,
      as_of: c.modifier.as_of,
    };
    if (c.modifier.note) condition.note = c.modifier.note;
    out.push(condition);
  }
  return out;
}
