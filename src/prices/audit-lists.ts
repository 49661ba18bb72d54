// Independent public price lists, read into one shape for the audit:
// LiteLLM's model_prices_and_context_window.json (USD per token, keyed by
// "provider/model" or bare ids) and models.dev's api.json (USD per 1M tokens,
// by provider). Only the guide's twelve providers are read.

/** One priced model of an outside list, mapped to our provider id; prices per 1M tokens, as decimal text. */
export interface ListEntry {
  provider: string;
  /** The model id as our catalog's provider would spell it (prefixes the list adds are removed). */
  id: string;
  /** The list's own key, for the report. */
  listKey: string;
  input?: string;
  output?: string;
  cache_read?: string;
  cache_write?: string;
}

export interface PriceList {
  name: 'litellm' | 'models.dev';
  /** What the snapshot says about itself (source, date, licence), when it says. */
  about: string;
  entries: ListEntry[];
}

/** LiteLLM's provider names for the twelve, and the prefix its keys carry. */
const LITELLM: Record<string, { provider: string; prefixes: string[] }> = {
  openai: { provider: 'openai', prefixes: [] },
  anthropic: { provider: 'anthropic', prefixes: [] },
  gemini: { provider: 'google', prefixes: ['gemini/'] },
  cohere: { provider: 'cohere', prefixes: ['cohere/'] },
  cohere_chat: { provider: 'cohere', prefixes: ['cohere_chat/'] },
  mistral: { provider: 'mistral', prefixes: ['mistral/'] },
  groq: { provider: 'groq', prefixes: ['groq/'] },
  together_ai: { provider: 'together', prefixes: ['together_ai/'] },
  fireworks_ai: { provider: 'fireworks', prefixes: ['fireworks_ai/accounts/fireworks/models/', 'fireworks_ai/'] },
  perplexity: { provider: 'perplexity', prefixes: ['perplexity/'] },
  ai21: { provider: 'ai21', prefixes: ['ai21/'] },
  anyscale: { provider: 'anyscale', prefixes: ['anyscale/'] },
  bedrock: { provider: 'aws', prefixes: ['bedrock/'] },
  bedrock_converse: { provider: 'aws', prefixes: ['bedrock/converse/', 'bedrock/'] },
};

/** models.dev's provider ids for the twelve. */
const MODELS_DEV: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  google: 'google',
  cohere: 'cohere',
  mistral: 'mistral',
  groq: 'groq',
  togetherai: 'together',
  'fireworks-ai': 'fireworks',
  perplexity: 'perplexity',
  ai21: 'ai21',
  'amazon-bedrock': 'aws',
};

/** USD per token (a float) -> USD per 1M tokens as short decimal text ("2.5e-6" -> "2.5"). */
function perMillion(v: unknown): string | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return undefined;
  return String(Number((v * 1e6).toPrecision(12)));
}

function perMillionAsIs(v: unknown): string | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return undefined;
  return String(Number(v.toPrecision(12)));
}

function about(data: Record<string, unknown>): string {
  const s = data._snapshot as Record<string, unknown> | undefined;
  return s ? [s.source, s.via, s.as_of].filter(Boolean).join('; ') : 'no snapshot note';
}

function fromLiteLLM(data: Record<string, unknown>): PriceList {
  const entries: ListEntry[] = [];
  for (const [key, raw] of Object.entries(data)) {
    if (!raw || typeof raw !== 'object' || key.startsWith('_') || key === 'sample_spec') continue;
    const v = raw as Record<string, unknown>;
    const map = LITELLM[String(v.litellm_provider)];
    if (!map) continue;
    const prefix = map.prefixes.find((p) => key.startsWith(p));
    let id = prefix ? key.slice(prefix.length) : key;
    // Bedrock keys may carry a region ("bedrock/us-east-1/anthropic.…"): the price of a region is not the list price.
    if (map.provider === 'aws' && /^[a-z]{2}(-gov)?-[a-z]+-\d\//.test(id)) continue;
    if (map.provider === 'fireworks') id = id.replace(/^accounts\/fireworks\/models\//, '');
    const e: ListEntry = { provider: map.provider, id, listKey: key };
    const put = (field: 'input' | 'output' | 'cache_read' | 'cache_write', value: unknown): void => {
      const text = perMillion(value);
      if (text !== undefined) e[field] = text;
    };
    put('input', v.input_cost_per_token);
    put('output', v.output_cost_per_token);
    put('cache_read', v.cache_read_input_token_cost);
    put('cache_write', v.cache_creation_input_token_cost);
    entries.push(e);
  }
  return { name: 'litellm', about: about(data), entries };
}

function fromModelsDev(data: Record<string, unknown>): PriceList {
  const entries: ListEntry[] = [];
  for (const [pid, raw] of Object.entries(data)) {
    const provider = MODELS_DEV[pid];
    if (!provider || !raw || typeof raw !== 'object') continue;
    const models = (raw as { models?: Record<string, { id?: string; cost?: Record<string, unknown> }> }).models ?? {};
    for (const [mid, m] of Object.entries(models)) {
      if (!m?.cost) continue;
      const e: ListEntry = { provider, id: m.id ?? mid, listKey: `${pid}/${mid}` };
      const put = (field: 'input' | 'output' | 'cache_read' | 'cache_write', value: unknown): void => {
        const text = perMillionAsIs(value);
        if (text !== undefined) e[field] = text;
      };
      put('input', m.cost.input);
      put('output', m.cost.output);
      put('cache_read', m.cost.cache_read);
      put('cache_write', m.cost.cache_write);
      entries.push(e);
    }
  }
  return { name: 'models.dev', about: about(data), entries };
}

/** Read either list from its parsed JSON, telling them apart by shape; throws on anything else. */
export function parsePriceList(data: unknown, origin: string): PriceList {
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error(`${origin}: not a price list (expected a JSON object)`);
  const obj = data as Record<string, unknown>;
  const values = Object.entries(obj).filter(([k]) => !k.startsWith('_'));
  if (values.some(([, v]) => v && typeof v === 'object' && 'litellm_provider' in v)) return fromLiteLLM(obj);
  if (values.some(([, v]) => v && typeof v === 'object' && 'models' in v)) return fromModelsDev(obj);
  throw new Error(`${origin}: neither LiteLLM's model_prices_and_context_window.json nor models.dev's api.json`);
}
