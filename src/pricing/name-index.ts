// The lookup index: built once per data version, so resolving a known name is
// a map access. Order of interpretation for a name (all case-insensitive):
//
//  1. a curated overlay alias or generic open-model name (human decisions
//     that override the base data, e.g. the gemini-1.5-flash-8b fix);
//  2. "provider:model" or "provider/model" when the prefix names a provider
//     and the rest is an id or alias there;
//  3. an exact id, then an alias (genai-prices' `equals` rules, "-latest"
//     stripped) — among providers by rank (maker first, resellers last) and,
//     within one provider, exact ids before aliases;
//  4. the name without a trailing date ("-20240229", "-2024-08-06", "@20241022");
//  5. genai-prices' pattern rules (starts_with, contains, regex): within the
//     named provider of a qualified name, else providers by rank; only after
//     every exact interpretation failed, and remembered per name.
import type { ModelEntry, ProviderInfo, ResolveResult } from './types.js';
import { equalNames, matches, type MatchLogic } from './match-rule.js';
import { closeMatches } from './suggest.js';

type Via = 'exact' | 'alias' | 'snapshot' | 'qualified' | 'generic' | 'rule';

interface Candidate {
  entry: ModelEntry;
  kind: 0 | 1 | 2; // 0 exact id, 1 alias from the data (rule `equals`, overlay), 2 derived ("-latest" stripped)
  rank: number;
}

export interface IndexInput {
  models: readonly ModelEntry[];
  /** Match rules of base models by entry key. */
  rules: ReadonlyMap<string, MatchLogic>;
  providerRank: (p: ProviderInfo) => number;
  findProvider: (idOrName: string) => ProviderInfo | undefined;
  /** Overlay aliases: lower-case alias -> entry. */
  overlayAliases: ReadonlyMap<string, ModelEntry>;
  /** Generic names: lower-case name -> offers, cheapest first. */
  generic: ReadonlyMap<string, readonly ModelEntry[]>;
  providerNames: readonly string[];
  /** Provider id -> ids of providers whose models it also serves at their prices (genai-prices' fallbacks). */
  fallbacks: ReadonlyMap<string, readonly string[]>;
}

const DATED_SUFFIX = /[-@](?:20\d{2}-\d{2}-\d{2}|20\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))$/;
const LOOKS_DATED = /(?:-20\d{2}-\d{2}-\d{2}|[-@]20\d{6}|-\d{4})$/;
/** Rule-fallback answers remembered, bounded so that random names cannot grow memory without end. */
const RULE_CACHE_MAX = 5000;

export class NameIndex {
  private readonly byName = new Map<string, Candidate[]>();
  private readonly byProvider = new Map<string, ModelEntry[]>();
  private readonly ruleCache = new Map<string, ModelEntry | null>();
  private readonly completionNames: string[];
  private readonly suggestionNames: string[];

  constructor(private readonly input: IndexInput) {
    for (const entry of input.models) {
      const rank = input.providerRank(entry.provider);
      const list = this.byProvider.get(entry.provider.id) ?? [];
      list.push(entry);
      this.byProvider.set(entry.provider.id, list);
      this.add(entry.id.toLowerCase(), { entry, kind: 0, rank });
      const derived = entry.id.toLowerCase().endsWith('-latest') ? entry.id.toLowerCase().slice(0, -'-latest'.length) : undefined;
      for (const alias of entry.aliases) this.add(alias, { entry, kind: alias === derived ? 2 : 1, rank });
    }
    for (const list of this.byName.values()) list.sort((a, b) => a.rank - b.rank || a.kind - b.kind);
    const listedNames = new Set<string>();
    for (const e of input.models) {
      if (!e.listed) continue;
      listedNames.add(e.id.toLowerCase());
      for (const a of e.aliases) if (!LOOKS_DATED.test(a)) listedNames.add(a);
    }
    for (const name of input.overlayAliases.keys()) listedNames.add(name);
    for (const name of input.generic.keys()) listedNames.add(name);
    this.suggestionNames = [...listedNames];
    this.completionNames = [...listedNames].sort();
  }

  private add(name: string, c: Candidate): void {
    const list = this.byName.get(name);
    if (!list) this.byName.set(name, [c]);
    else if (!list.some((x) => x.entry === c.entry)) list.push(c);
  }

  resolve(rawName: string, providerFilter?: string): ResolveResult {
    const name = rawName.trim().toLowerCase();
    if (name === '') return { ok: false, message: 'model name is empty', suggestions: [] };
    // A display name typed with spaces ("Claude 3 Opus", "Jamba 1.5 Large") is tried as the hyphenated id.
    const hyphenated = /\s/.test(name) ? name.replace(/\s+/g, '-') : undefined;
    if (providerFilter !== undefined && providerFilter.trim() !== '') {
      const provider = this.input.findProvider(providerFilter);
      if (!provider) return this.unknownProvider(providerFilter);
      return (
        this.within(name, provider) ??
        (hyphenated ? this.within(hyphenated, provider) : undefined) ??
        this.notFound(rawName, `at provider ${provider.name}`, provider.id)
      );
    }
    return this.anywhere(name, rawName.trim()) ?? (hyphenated ? this.anywhere(hyphenated) : undefined) ?? this.notFound(rawName);
  }

  private anywhere(name: string, raw?: string): ResolveResult | undefined {
    const curated = this.curated(name);
    if (curated) return curated;
    const host = hostOfId(name);
    if (host) {
      // A host-specific id (Bedrock's "anthropic.…-v1:0", "us.…", Fireworks' "accounts/fireworks/models/…")
      // resolves on that host or not at all: never on another host that happens to match a pattern.
      const provider = this.input.findProvider(host);
      if (provider)
        return (
          this.within(name, provider) ??
          this.notFound(raw ?? name, `at provider ${provider.name} (the id is ${provider.name}'s)`, provider.id)
        );
    }
    // An "org/model" id that hosts list as is (Groq's and Together's "openai/gpt-oss-120b") is theirs before it
    // is read as "provider/model".
    const hosted = name.includes('/') ? this.direct(name, raw, true) : undefined;
    if (hosted) return this.withOthers(hosted, name);
    const qualified = this.qualified(name, false);
    if (qualified) return qualified;
    const direct = this.direct(name, raw);
    if (direct) return this.withOthers(direct, name);
    const undated = stripDate(name);
    if (undated !== name) {
      const r = this.curated(undated) ?? this.direct(undated);
      if (r?.ok) return { ...r, via: r.via === 'generic' ? 'generic' : 'snapshot' };
    }
    // Pattern rules last: a provider-qualified rule match, then any provider's.
    const qualifiedByRule = this.qualified(name, true);
    if (qualifiedByRule) return qualifiedByRule;
    const ruled = this.byRules(name, undefined);
    return ruled ? { ok: true, model: ruled, via: 'rule' } : undefined;
  }

  private curated(name: string): ResolveResult | undefined {
    const offers = this.input.generic.get(name);
    const first = offers?.[0];
    if (offers && first) return { ok: true, model: first, via: 'generic', offers: [...offers] };
    const alias = this.input.overlayAliases.get(name);
    return alias ? { ok: true, model: alias, via: 'alias' } : undefined;
  }

  /**
   * Best candidate for a name. Ids differing only in case at two hosts
   * (Groq's "meta-llama/llama-4-scout-…" and Together's "meta-llama/Llama-4-Scout-…")
   * are told apart by the exact spelling when the caller used one.
   */
  private direct(name: string, raw?: string, listedExactOnly = false): ResolveResult | undefined {
    const all = this.byName.get(name);
    const list = listedExactOnly ? all?.filter((x) => x.kind === 0 && x.rank < 200) : all;
    const top = list?.[0];
    // Only a tie between exact ids of makers or guide hosts: an alias of the maker (claude-3-opus) still beats a
    // reseller's exact id (Google Vertex's "claude-3-opus").
    const spelled =
      raw !== undefined && top?.kind === 0 ? list?.find((x) => x.kind === 0 && x.rank < 200 && x.entry.id === raw) : undefined;
    const c = spelled ?? top;
    if (!c) return undefined;
    return { ok: true, model: c.entry, via: c.kind === 0 ? 'exact' : LOOKS_DATED.test(name) ? 'snapshot' : 'alias' };
  }

  /**
   * "provider:model" / "provider/model". Without rules first: "mistralai/Mixtral-8x7B-Instruct-v0.1" is
   * Together's exact id, and must not become Mistral AI's model through a starts_with rule.
   */
  private qualified(name: string, allowRules: boolean): ResolveResult | undefined {
    const m = /^([^:/]+)[:/](.+)$/.exec(name);
    if (!m?.[1] || !m[2]) return undefined;
    const provider = this.input.findProvider(m[1]);
    if (!provider) return undefined;
    const r = this.within(m[2], provider, allowRules);
    return r?.ok ? { ...r, via: 'qualified' } : undefined;
  }

  /**
   * Resolve inside one provider (qualified names and provider filters); then in
   * the providers it falls back to (Azure serves OpenAI's models at OpenAI's
   * price), whose entry is returned as is.
   */
  private within(name: string, provider: ProviderInfo, allowRules = true): ResolveResult | undefined {
    const own = this.withinOne(name, provider, allowRules);
    if (own) return own;
    for (const fallbackId of this.input.fallbacks.get(provider.id) ?? []) {
      const fallback = this.input.findProvider(fallbackId);
      const r = fallback ? this.withinOne(name, fallback, allowRules) : undefined;
      if (r) return r;
    }
    return undefined;
  }

  private withinOne(name: string, provider: ProviderInfo, allowRules: boolean): ResolveResult | undefined {
    const offer = this.input.generic.get(name)?.find((e) => e.provider.id === provider.id);
    if (offer) return { ok: true, model: offer, via: 'generic', offers: [offer] };
    // A catalog key ("mistral:mistral-medium-latest") names its own entry, even where a curated alias of the
    // same name points elsewhere.
    const exact = this.byName.get(name)?.find((x) => x.kind === 0 && x.entry.provider.id === provider.id);
    if (exact) return { ok: true, model: exact.entry, via: 'exact' };
    const alias = this.input.overlayAliases.get(name);
    if (alias && alias.provider.id === provider.id) return { ok: true, model: alias, via: 'alias' };
    for (const candidateName of [name, stripDate(name)]) {
      const c = this.byName.get(candidateName)?.find((x) => x.entry.provider.id === provider.id);
      if (c) {
        const via: Via = candidateName !== name ? 'snapshot' : c.kind === 0 ? 'exact' : LOOKS_DATED.test(name) ? 'snapshot' : 'alias';
        return { ok: true, model: c.entry, via };
      }
    }
    const ruled = allowRules ? this.byRules(name, provider.id) : undefined;
    return ruled ? { ok: true, model: ruled, via: 'rule' } : undefined;
  }

  private byRules(name: string, providerId: string | undefined): ModelEntry | undefined {
    const cacheKey = `${providerId ?? '*'}\u0000${name}`;
    const cached = this.ruleCache.get(cacheKey);
    if (cached !== undefined) return cached ?? undefined;
    let found: ModelEntry | null = null;
    const providerIds = providerId ? [providerId] : this.providerOrder();
    outer: for (const pid of providerIds) {
      for (const entry of this.byProvider.get(pid) ?? []) {
        const rule = this.input.rules.get(entry.key);
        if (rule && matches(rule, name)) {
          found = entry;
          break outer;
        }
      }
    }
    if (this.ruleCache.size >= RULE_CACHE_MAX) this.ruleCache.clear();
    this.ruleCache.set(cacheKey, found);
    return found ?? undefined;
  }

  private providerOrderCache: string[] | undefined;
  private providerOrder(): string[] {
    this.providerOrderCache ??= [...this.byProvider.keys()].sort((a, b) => {
      const pa = this.byProvider.get(a)?.[0]?.provider;
      const pb = this.byProvider.get(b)?.[0]?.provider;
      return (pa ? this.input.providerRank(pa) : 999) - (pb ? this.input.providerRank(pb) : 999);
    });
    return this.providerOrderCache;
  }

  /**
   * Other makers and hosts (not resellers) that answer to the same name, so an answer can say which host it
   * is and list the rest.
   */
  private withOthers(r: ResolveResult, name: string): ResolveResult {
    if (!r.ok) return r;
    const seen = new Set<string>([r.model.key]);
    const others: ModelEntry[] = [];
    const add = (e: ModelEntry | undefined): void => {
      if (!e || seen.has(e.key) || this.input.providerRank(e.provider) >= 200 || e.provider.status !== 'active') return;
      seen.add(e.key);
      others.push(e);
    };
    for (const c of this.byName.get(name) ?? []) if (c.kind < 2) add(c.entry);
    const q = this.qualified(name, false);
    if (q?.ok) add(q.model);
    return others.length > 0 ? { ...r, others } : r;
  }

  private notFound(rawName: string, where = '', providerId?: string): ResolveResult {
    const pool = providerId ? this.namesOf(providerId) : this.suggestionNames;
    const suggestions = closeMatches(rawName.trim().toLowerCase(), pool, 3);
    const hint = suggestions.length > 0 ? ` Did you mean ${suggestions.map((s) => `"${s}"`).join(', ')}?` : '';
    const place = where ? ` ${where}` : '';
    return { ok: false, message: `Unknown model "${rawName.trim()}"${place}.${hint}`, suggestions };
  }

  private namesOf(providerId: string): string[] {
    return (this.byProvider.get(providerId) ?? []).flatMap((e) => [e.id.toLowerCase(), ...e.aliases]);
  }

  private unknownProvider(raw: string): ResolveResult {
    const suggestions = closeMatches(raw.trim().toLowerCase(), this.input.providerNames, 3);
    const hint = suggestions.length > 0 ? ` Did you mean ${suggestions.map((s) => `"${s}"`).join(', ')}?` : '';
    return { ok: false, message: `Unknown provider "${raw.trim()}".${hint}`, suggestions };
  }

  /** Completion: names starting with the prefix (shortest first), then names containing it. */
  complete(prefix: string, limit = 20): string[] {
    const p = prefix.trim().toLowerCase();
    const names = this.completionNames;
    let lo = 0;
    let hi = names.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((names[mid] ?? '') < p) lo = mid + 1;
      else hi = mid;
    }
    const starts: string[] = [];
    for (let i = lo; i < names.length; i++) {
      const n = names[i] ?? '';
      if (!n.startsWith(p)) break;
      starts.push(n);
    }
    starts.sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
    const out = starts.slice(0, limit);
    if (out.length < limit && p.length > 0) {
      for (const n of names) {
        if (out.length >= limit) break;
        if (!n.startsWith(p) && n.includes(p)) out.push(n);
      }
    }
    return out;
  }
}

/** Amazon Bedrock's model ids: a vendor prefix ("anthropic.", "meta.") or an inference-profile prefix ("us.", "global."). */
const BEDROCK_ID =
  /^(?:(?:us|eu|apac|au|ca|jp|in|us-gov|global|regional)\.)?(?:anthropic|amazon|meta|mistral|cohere|ai21|deepseek|openai|qwen|writer|google|nvidia|twelvelabs|stability|luma|moonshotai|minimax)\.[a-z0-9]/;

/** The provider an id belongs to by its shape alone, if it has a host-specific shape. */
export function hostOfId(name: string): string | undefined {
  if (BEDROCK_ID.test(name)) return 'aws';
  if (name.startsWith('accounts/fireworks/models/')) return 'fireworks';
  return undefined;
}

/** The name without a trailing snapshot date. */
export function stripDate(name: string): string {
  return name.replace(DATED_SUFFIX, '');
}

/** Aliases a base model gets from its own data: `equals` rule names and its id without "-latest". */
export function baseAliases(id: string, rule: MatchLogic | undefined): string[] {
  const lower = id.toLowerCase();
  const out = new Set<string>(rule ? equalNames(rule) : []);
  if (lower.endsWith('-latest')) out.add(lower.slice(0, -'-latest'.length));
  out.delete(lower);
  return [...out];
}
