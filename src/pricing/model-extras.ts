// What the catalog adds to entries once they all exist: the overlay's patches
// (context windows, status, capabilities, corrected prices), the modifiers each
// model has (published options from the overlay, plus those the price data
// itself carries: one-hour cache writes, Bedrock's global and regional
// endpoints), and performance and use-case notes.
import type { ModelEntry, ModelModifier, PriceSet, ScheduledPrices, UnitPrice } from './types.js';
import { pricesForDay } from './schedule.js';
import type { Overlay } from './overlay-schema.js';
import { priceSetFromRates, ratesOf } from './base-rates.js';
import { category, costTier } from './classify.js';
import { CACHE_WRITE_1H_KEY } from './units.js';

type Lookup = (key: string, what: string) => ModelEntry | undefined;

export function applyPatches(overlay: Overlay, entryFor: Lookup, now: Date, warnings: string[]): void {
  for (const p of overlay.patches) {
    const e = entryFor(p.model, 'patch');
    if (!e) continue;
    const provenance = { source: p.source, as_of: p.as_of, ...(p.note ? { note: p.note } : {}) };
    if (p.context_window !== undefined) {
      e.context_window = p.context_window;
      e.context_source = provenance;
    }
    if (p.extended_context !== undefined) e.extended_context = { ...p.extended_context, source: provenance };
    if (p.deprecated !== undefined) e.deprecated = p.deprecated;
    if (p.preview !== undefined) e.preview = p.preview;
    if (p.capabilities !== undefined) e.capabilities = [...p.capabilities];
    if (p.rates !== undefined) {
      // Corrected prices replace the base data's, dated schedule and daily windows included.
      setPrices(e, priceSetFromRates(p.rates));
      e.price_source = { ...provenance, note: [`corrects the base data's price`, p.note].filter(Boolean).join('; ') };
    }
    if (p.schedule !== undefined) {
      const schedule: ScheduledPrices[] = p.schedule.map((s) => ({
        prices: priceSetFromRates(s.rates),
        ...(s.start_date !== undefined && { constraint: { type: 'start_date' as const, start_date: s.start_date } }),
        ...(s.start_time !== undefined && {
          constraint: {
            type: 'time_of_day' as const,
            start_time: s.start_time,
            end_time: s.end_time!,
            ...(s.weekdays_only && { weekdays_only: true }),
          },
        }),
      }));
      const day = pricesForDay(schedule, now);
      setPrices(e, day.prices);
      e.schedule = schedule;
      if (day.since) e.price_since = day.since;
      if (day.timeOfDay) e.time_of_day = day.timeOfDay;
      e.price_source = {
        ...provenance,
        note: [`replaces the base data's prices with a dated schedule`, p.note].filter(Boolean).join('; '),
      };
    }
    if (p.tiers !== undefined) {
      // Long-context tiers the base data lacks, added to the prices it has (every dated set of the model).
      const sets = e.schedule ? e.schedule.map((s) => s.prices) : [e.prices];
      for (const [key, tiers] of Object.entries(p.tiers)) {
        if (!sets.every((set) => set[key] !== undefined)) {
          warnings.push(`overlay patch of "${p.model}" adds tiers to "${key}", a price the model does not have`);
          continue;
        }
        for (const set of sets)
          (set as Record<string, UnitPrice>)[key] = { rate: set[key]!.rate, tiers: [...tiers].sort((a, b) => a.start - b.start) };
      }
      e.rates = ratesOf(e.prices, e.free);
      e.price_source = {
        ...e.price_source,
        note: [e.price_source.note, `long-context tiers from ${p.source} (${p.as_of})`].filter(Boolean).join('; '),
      };
    }
  }
}

function setPrices(e: ModelEntry, prices: PriceSet): void {
  e.prices = prices;
  e.rates = ratesOf(prices, false);
  e.free = false;
  delete e.schedule;
  delete e.price_since;
  delete e.time_of_day;
  e.category = category(e.id, e.rates);
  e.cost_tier = costTier(e.rates);
}

/** Modifiers from the overlay's rules; a rule's "provider:*" covers every model of that provider. */
export function applyModifierRules(overlay: Overlay, models: readonly ModelEntry[], entryFor: Lookup, warnings: string[]): void {
  for (const rule of overlay.modifiers) {
    const except = new Set(rule.except.map((k) => k.toLowerCase()));
    const targets: ModelEntry[] = [];
    for (const pattern of rule.models) {
      if (pattern.endsWith(':*')) {
        const pid = pattern.slice(0, -2).toLowerCase();
        const all = models.filter((m) => m.provider.id === pid);
        if (all.length === 0) warnings.push(`overlay ${rule.kind} modifier names provider "${pid}", which has no models`);
        targets.push(...all);
      } else {
        const e = entryFor(pattern, `${rule.kind} modifier`);
        if (e) targets.push(e);
      }
    }
    const modifier: ModelModifier = {
      kind: rule.kind,
      default: rule.default,
      options: rule.options,
      source: rule.source,
      as_of: rule.as_of,
      ...(rule.note ? { note: rule.note } : {}),
    };
    for (const e of targets) {
      if (except.has(e.key.toLowerCase())) continue;
      for (const opt of Object.values(rule.options)) if (opt.model) entryFor(opt.model, `${rule.kind} modifier option`);
      e.modifiers[rule.kind] = modifier;
    }
  }
}

/** Modifiers the price data carries by itself. */
export function deriveModifiers(models: readonly ModelEntry[], byKey: ReadonlyMap<string, ModelEntry>): void {
  for (const e of models) {
    const sets = e.schedule ? e.schedule.map((s) => s.prices) : [e.prices];
    if (!e.modifiers.cache_write_ttl && sets.some((p) => p[CACHE_WRITE_1H_KEY] !== undefined)) {
      e.modifiers.cache_write_ttl = {
        kind: 'cache_write_ttl',
        default: '5m',
        options: { '5m': {}, '1h': {} },
        source: e.price_source.source,
        as_of: e.price_source.as_of,
        note: 'the data prices one-hour cache writes apart from the default five-minute ones',
      };
    }
    // Bedrock lists a model's global endpoint and its regional (in-Region and geo) endpoints as two entries.
    const m = /^(global|regional)\.(.+)$/.exec(e.id);
    if (e.provider.id === 'aws' && m && !e.modifiers.region) {
      const globalKey = `aws:global.${m[2]}`;
      const regionalKey = `aws:regional.${m[2]}`;
      if (byKey.has(globalKey.toLowerCase()) && byKey.has(regionalKey.toLowerCase())) {
        e.modifiers.region = {
          kind: 'region',
          default: m[1]!,
          options: m[1] === 'global' ? { global: {}, regional: { model: regionalKey } } : { global: { model: globalKey }, regional: {} },
          source: e.price_source.source,
          as_of: e.price_source.as_of,
          note: 'Amazon Bedrock prices the global cross-Region endpoint and the in-Region and geographic (us., eu., ...) endpoints apart',
        };
      }
    }
  }
}

export function attachNotes(overlay: Overlay, entryFor: Lookup): void {
  for (const p of overlay.performance) {
    const e = entryFor(p.model, 'performance entry');
    if (!e) continue;
    const { model: _m, ...figures } = p;
    e.performance = figures;
  }
  for (const u of overlay.use_cases) {
    const e = entryFor(u.model, 'use-case entry');
    if (!e) continue;
    const { model: _m, ...info } = u;
    e.use_case = info;
  }
}
