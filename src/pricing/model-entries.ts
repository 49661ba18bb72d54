// Catalog entries from the two data sources: genai-prices' models (every
// price set kept, the default chosen for the catalog's date) and the overlay's
// own models. Pure; build-catalog.ts calls these once per data version.
import type { ModelEntry, PriceSet, ProviderInfo, Provenance, ScheduledPrices, TimeOfDayPrices } from './types.js';
import { priceSetFromRates, ratesOf, toPriceSet, toSchedule, type BaseConditionalPrice, type BaseModelPrice } from './base-rates.js';
import type { MatchLogic } from './match-rule.js';
import type { OverlayModel } from './overlay-schema.js';
import { isListedProvider } from './provider-policy.js';
import { category, costTier } from './classify.js';
import { baseAliases } from './name-index.js';
import { pricesForDay } from './schedule.js';

export interface BaseModel {
  id: string;
  name?: string;
  match: MatchLogic;
  prices: BaseModelPrice | BaseConditionalPrice[];
  context_window?: number;
  deprecated?: boolean;
  price_comments?: string;
}

export interface PricedModel {
  prices: PriceSet;
  free: boolean;
  schedule?: ScheduledPrices[];
  since?: string;
  timeOfDay?: TimeOfDayPrices;
  unmodelled: string[];
}

/** A base model's prices for the catalog's date; undefined when it is not priced per token. */
export function priceBaseModel(prices: BaseModelPrice | BaseConditionalPrice[], now: Date): PricedModel | undefined {
  if (!Array.isArray(prices)) {
    const set = toPriceSet(prices);
    return set.ok ? { prices: set.prices, free: Object.keys(prices).length === 0, unmodelled: set.unmodelled } : undefined;
  }
  if (prices.length === 0) return undefined;
  const converted = toSchedule(prices);
  if (!converted) return undefined;
  const day = pricesForDay(converted.schedule, now);
  const out: PricedModel = {
    prices: day.prices,
    free: Object.keys(day.prices).length === 0,
    schedule: converted.schedule,
    unmodelled: converted.unmodelled,
  };
  if (day.since) out.since = day.since;
  if (day.timeOfDay) out.timeOfDay = day.timeOfDay;
  return out;
}

export function baseEntry(bm: BaseModel, provider: ProviderInfo, priced: PricedModel, source: Provenance): ModelEntry {
  const rates = ratesOf(priced.prices, priced.free);
  const entry: ModelEntry = {
    key: `${provider.id}:${bm.id}`,
    id: bm.id,
    name: bm.name ?? bm.id,
    provider,
    rates,
    prices: priced.prices,
    free: priced.free,
    modifiers: {},
    deprecated: bm.deprecated ?? false,
    preview: false,
    category: category(bm.id, rates),
    cost_tier: costTier(rates),
    price_source: source,
    listed: isListedProvider(provider.id),
    aliases: baseAliases(bm.id, bm.match),
  };
  if (priced.schedule) entry.schedule = priced.schedule;
  if (priced.since) entry.price_since = priced.since;
  if (priced.timeOfDay) entry.time_of_day = priced.timeOfDay;
  if (bm.context_window !== undefined) entry.context_window = bm.context_window;
  return entry;
}

/** The notes a base model's price source carries: dated set, daily windows, units outside an estimate. */
export function baseNotes(priced: PricedModel): string[] {
  const notes: string[] = [];
  if (priced.since) notes.push(`price in force since ${priced.since}`);
  if (priced.timeOfDay)
    notes.push('prices depend on the time of day: the rate listed is the standard (dearest) one; estimates name the windows');
  if (priced.unmodelled.length > 0) notes.push(`also charges ${priced.unmodelled.join(', ')} (not in estimates)`);
  return notes;
}

export function overlayEntry(om: OverlayModel, provider: ProviderInfo): ModelEntry {
  const prices = priceSetFromRates(om.rates);
  const rates = ratesOf(prices, false);
  const price_source: Provenance = { source: om.source, as_of: om.as_of };
  if (om.estimate) price_source.estimate = true;
  const notes = [om.note, provider.status === 'discontinued' ? `${provider.name} is discontinued: last known price` : undefined];
  const note = notes.filter(Boolean).join('; ');
  if (note) price_source.note = note;
  const entry: ModelEntry = {
    key: `${provider.id}:${om.id}`,
    id: om.id,
    name: om.name,
    provider,
    rates,
    prices,
    free: false,
    modifiers: {},
    deprecated: om.deprecated,
    preview: om.preview,
    category: category(om.id, rates),
    cost_tier: costTier(rates),
    price_source,
    listed: isListedProvider(provider.id),
    aliases: om.aliases.map((a) => a.toLowerCase()),
  };
  if (om.capabilities) entry.capabilities = [...om.capabilities];
  if (om.context_window !== undefined) entry.context_window = om.context_window;
  return entry;
}
