// The pure part of the catalog: genai-prices' provider array + the overlay ->
// a Catalog with its index. No I/O; called once per data version.
import { createHash } from 'node:crypto';
import type { Catalog, ModelEntry, ModelFilter, MovingAlias, ProviderInfo, Provenance, ResolveResult } from './types.js';
import type { MatchLogic } from './match-rule.js';
import type { Overlay } from './overlay-schema.js';
import { GUIDE_PROVIDER_IDS, isListedProvider, providerRank } from './provider-policy.js';
import { blendedUnits } from './classify.js';
import { NameIndex } from './name-index.js';
import { baseEntry, baseNotes, overlayEntry, priceBaseModel, type BaseModel } from './model-entries.js';
import { applyModifierRules, applyPatches, attachNotes, deriveModifiers } from './model-extras.js';
import { PricingInputError } from './errors.js';
import { closeMatches } from './suggest.js';

/** The parts of a genai-prices provider we read (structural, so refreshed JSON fits). */
export interface BaseProvider {
  id: string;
  name: string;
  pricing_urls?: string[];
  price_comments?: string;
  /** Providers whose models (and prices) this one also serves, e.g. Azure -> OpenAI. */
  fallback_model_providers?: string[];
  models: BaseModel[];
}

export interface BuildOptions {
  /** Date at which date-conditional prices are chosen (default: now). */
  now?: Date;
  /** Version of the base data package, e.g. "0.1.8". */
  baseVersion?: string;
  /** Name of the base data, e.g. "genai-prices". */
  baseName?: string;
  /**
   * When the base data was read or published, for data that did not come
   * from the installed package (a refresh): the date becomes each base
   * price's as_of and the label goes into data_as_of.
   */
  baseAsOf?: { date: string; label: string };
}

export function buildCatalog(providers: readonly BaseProvider[], overlay: Overlay, opts: BuildOptions = {}): Catalog {
  const now = opts.now ?? new Date();
  const baseName = opts.baseName ?? 'genai-prices';
  const baseVersion = opts.baseVersion ?? 'unknown';
  const warnings: string[] = [];
  const basePublished = opts.baseAsOf?.date ?? (overlay.base && overlay.base.version === baseVersion ? overlay.base.published : undefined);
  const baseLabel = `${baseName} ${baseVersion}`;

  // Providers: base ones (renamed by the overlay where the guide uses another name), then overlay-only ones.
  const overlayProviders = new Map(overlay.providers.map((p) => [p.id, p]));
  const providerList: ProviderInfo[] = [];
  const providerByName = new Map<string, ProviderInfo>();
  const nameProvider = (p: ProviderInfo, names: string[]): void => {
    for (const n of [p.id, p.name, ...names]) providerByName.set(n.trim().toLowerCase(), p);
  };
  for (const bp of providers) {
    const o = overlayProviders.get(bp.id);
    const info: ProviderInfo = {
      id: bp.id,
      name: o?.name ?? bp.name,
      status: o?.status ?? 'active',
      pricing_urls: [...(bp.pricing_urls ?? [])],
      origin: 'genai-prices',
    };
    if (o?.note) info.note = o.note;
    providerList.push(info);
    nameProvider(info, [bp.name, ...(o?.aliases ?? [])]);
  }
  for (const o of overlay.providers) {
    if (providerByName.has(o.id)) continue;
    if (!o.status) {
      warnings.push(`overlay provider "${o.id}" renames a provider the base data lacks`);
      continue;
    }
    const info: ProviderInfo = { id: o.id, name: o.name, status: o.status, pricing_urls: o.pricing_urls, origin: 'overlay' };
    if (o.note) info.note = o.note;
    providerList.push(info);
    nameProvider(info, o.aliases);
  }
  const findProvider = (idOrName: string): ProviderInfo | undefined => providerByName.get(idOrName.trim().toLowerCase());
  const rankOf = (p: ProviderInfo): number => providerRank(p.id, p.status === 'discontinued');

  // Models from the base data.
  const models: ModelEntry[] = [];
  const rules = new Map<string, MatchLogic>();
  const keys = new Set<string>();
  const asOf = basePublished ?? now.toISOString().slice(0, 10);
  for (const bp of providers) {
    const provider = findProvider(bp.id);
    if (!provider) continue;
    const source = bp.pricing_urls?.[0] ?? baseLabel;
    for (const bm of bp.models) {
      const priced = priceBaseModel(bm.prices, now);
      if (!priced) continue; // priced per audio hour / page: outside a token-price catalog
      const key = `${bp.id}:${bm.id}`;
      if (keys.has(key)) continue;
      keys.add(key);
      const notes = baseNotes(priced);
      if (!basePublished) notes.push(`${baseLabel} publish date unknown; as_of is the load date`);
      const price_source: Provenance = { source: `${baseLabel}: ${source}`, as_of: asOf };
      if (notes.length > 0) price_source.note = notes.join('; ');
      models.push(baseEntry(bm, provider, priced, price_source));
      rules.set(key, bm.match);
    }
  }

  // Models from the overlay (providers the base lacks, e.g. AI21 Labs and Anyscale, and models it lacks).
  for (const om of overlay.models) {
    const provider = findProvider(om.provider);
    if (!provider) {
      warnings.push(`overlay model "${om.id}" names unknown provider "${om.provider}"`);
      continue;
    }
    const key = `${provider.id}:${om.id}`;
    if (keys.has(key)) {
      warnings.push(`overlay model "${key}" duplicates a base model; the base entry is kept (patch it instead)`);
      continue;
    }
    keys.add(key);
    models.push(overlayEntry(om, provider));
  }

  const byKey = new Map(models.map((m) => [m.key.toLowerCase(), m]));
  const entryFor = (key: string, what: string): ModelEntry | undefined => {
    const e = byKey.get(key.toLowerCase());
    if (!e) warnings.push(`overlay ${what} points at "${key}", which the catalog does not have`);
    return e;
  };

  applyPatches(overlay, entryFor, now, warnings);
  applyModifierRules(overlay, models, entryFor, warnings);
  deriveModifiers(models, byKey);
  attachNotes(overlay, entryFor);

  const overlayAliases = new Map<string, ModelEntry>();
  for (const a of overlay.aliases) {
    const e = entryFor(a.target, `alias "${a.alias}"`);
    if (e) overlayAliases.set(a.alias.toLowerCase(), e);
  }
  const movingAliases: MovingAlias[] = [];
  for (const a of overlay.moving_aliases) {
    const e = entryFor(a.target, `moving alias "${a.alias}"`);
    if (!e) continue;
    overlayAliases.set(a.alias.toLowerCase(), e);
    movingAliases.push({ ...a, target: e.key });
  }
  const generic = new Map<string, ModelEntry[]>();
  for (const g of overlay.generic) {
    const offers = g.offers
      .map((k) => entryFor(k, `generic name "${g.name}"`))
      .filter((e): e is ModelEntry => e !== undefined && e.provider.status === 'active');
    offers.sort((a, b) => compareBig(blendedUnits(a.rates), blendedUnits(b.rates)) || rankOf(a.provider) - rankOf(b.provider));
    if (offers.length > 0) generic.set(g.name.toLowerCase(), offers);
  }

  const index = new NameIndex({
    models,
    rules,
    providerRank: rankOf,
    findProvider,
    overlayAliases,
    generic,
    providerNames: [...providerByName.keys()],
    fallbacks: new Map(providers.map((p) => [p.id, p.fallback_model_providers ?? []])),
  });

  // Listing order: the guide's twelve in its order, then other listed providers by rank.
  const guideOrder = (p: ProviderInfo): number => {
    const i = GUIDE_PROVIDER_IDS.indexOf(p.id);
    return i >= 0 ? i : 100 + rankOf(p);
  };
  const sortModels = (list: ModelEntry[]): ModelEntry[] =>
    list.sort((a, b) => guideOrder(a.provider) - guideOrder(b.provider) || (a.id.toLowerCase() < b.id.toLowerCase() ? -1 : 1));
  sortModels(models);
  const listedProviders = providerList.filter((p) => isListedProvider(p.id)).sort((a, b) => guideOrder(a) - guideOrder(b));
  const listedModels = models.filter((m) => m.listed);
  const modelsByProvider = new Map<string, ModelEntry[]>();
  for (const m of models) {
    const l = modelsByProvider.get(m.provider.id) ?? [];
    l.push(m);
    modelsByProvider.set(m.provider.id, l);
  }

  const hash = createHash('sha256');
  hash.update(JSON.stringify(providers));
  hash.update(JSON.stringify(overlay));
  hash.update(now.toISOString().slice(0, 10)); // date-conditional prices may change with the day
  const digest = hash.digest('hex').slice(0, 12);
  const version = `${baseVersion}+${overlay.as_of}+${digest}`;
  const baseAsOf = opts.baseAsOf
    ? `${baseLabel} (${opts.baseAsOf.label})`
    : basePublished
      ? `${baseLabel} (published ${basePublished})`
      : `${baseLabel} (publish date unknown)`;

  const genericNames = new Map<string, readonly string[]>([...generic].map(([n, offers]) => [n, offers.map((e) => e.key)]));

  const catalog: Catalog = {
    version,
    data_as_of: `overlay ${overlay.as_of}; ${baseAsOf}`,
    source: `${baseLabel} + llm-pricing-mcp overlay ${overlay.as_of}`,
    providers: listedProviders,
    models: listedModels,
    all_providers: providerList,
    all_models: models,
    generic_names: genericNames,
    base_version: baseVersion,
    overlay_as_of: overlay.as_of,
    warnings,
    moving_aliases: movingAliases,
    priced_on: now.toISOString().slice(0, 10),
    provider: findProvider,
    model: (key: string) => (typeof key === 'string' ? byKey.get(key.trim().toLowerCase()) : undefined),
    resolve(name: string, o?: { provider?: string }): ResolveResult {
      if (typeof name !== 'string') return { ok: false, message: 'model name must be a string', suggestions: [] };
      return index.resolve(name, o?.provider);
    },
    complete: (prefix: string, limit?: number) => index.complete(prefix, limit),
    listModels(filter: ModelFilter = {}): ModelEntry[] {
      let list: readonly ModelEntry[] = listedModels;
      if (filter.provider !== undefined && filter.provider.trim() !== '') {
        const p = findProvider(filter.provider);
        if (!p) {
          const close = closeMatches(filter.provider.trim().toLowerCase(), providerByName.keys(), 3);
          const hint = close.length > 0 ? ` Did you mean ${close.map((c) => `"${c}"`).join(', ')}?` : '';
          throw new PricingInputError(`Unknown provider "${filter.provider}".${hint}`);
        }
        list = modelsByProvider.get(p.id) ?? [];
      }
      return list.filter(
        (m) => (filter.include_deprecated === true || !m.deprecated) && (filter.category === undefined || m.category === filter.category),
      );
    },
  };
  return catalog;
}

function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
