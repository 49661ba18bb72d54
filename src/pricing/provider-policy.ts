// Which providers the catalog shows by default, and which provider an
// unqualified model name means.
//
// genai-prices carries 43 providers. Many resell other makers' models:
// OpenRouter alone has ~700 entries, every huggingface_* provider repeats the
// same open models, and Azure, GitHub Copilot and Cursor re-list OpenAI and
// Anthropic models. Shown by default, they would drown the user in
// duplicates. The rule:
//
//  1. LISTED by default: the guide's twelve providers, plus the first-party
//     APIs of model makers (DeepSeek, xAI, Moonshot, Z.AI, ...), since their
//     own price is the list price of their models.
//  2. NOT LISTED by default (resellers, routers, aggregators and other
//     inference clouds): still resolvable by a qualified name
//     ("openrouter:openai/gpt-4o") and listable when named as a provider
//     filter. Listing them is a deliberate act.
//
// An unqualified name that several providers know resolves to the provider
// ranked first below: the model's maker, then the guide's hosts, then the
// rest, and resellers last (so "gpt-4o" is OpenAI's, not Azure's).

/** Makers selling their own models through their own API, best-known first. */
const MAKERS = [
  'openai',
  'anthropic',
  'google',
  'mistral',
  'cohere',
  'ai21',
  'perplexity',
  'deepseek',
  'x-ai',
  'moonshotai',
  'zai',
  'zhipuai',
  'minimax',
  'voyageai',
  'arcee',
] as const;

/** The guide's hosts of open models (and Bedrock), after the makers. Anyscale is discontinued: last. */
const GUIDE_HOSTS = ['groq', 'together', 'fireworks', 'aws'] as const;

/** Resellers and routers: never the default interpretation of a bare name. */
const RESELLERS = ['azure', 'github-copilot', 'cursor', 'openrouter'] as const;

/** The guide's twelve providers, by the ids the catalog uses. */
export const GUIDE_PROVIDER_IDS: readonly string[] = [
  'openai',
  'anthropic',
  'google',
  'cohere',
  'mistral',
  'groq',
  'together',
  'fireworks',
  'perplexity',
  'ai21',
  'anyscale',
  'aws',
];

const LISTED = new Set<string>([...MAKERS, ...GUIDE_PROVIDER_IDS]);

export function isListedProvider(id: string): boolean {
  return LISTED.has(id);
}

/**
 * Rank of a provider when a bare name matches models of several providers:
 * lower wins. Makers < guide hosts < other clouds < discontinued < HF mirrors < resellers.
 */
export function providerRank(id: string, discontinued: boolean): number {
  const maker = (MAKERS as readonly string[]).indexOf(id);
  if (maker >= 0) return maker;
  const host = (GUIDE_HOSTS as readonly string[]).indexOf(id);
  if (host >= 0) return 100 + host;
  const reseller = (RESELLERS as readonly string[]).indexOf(id);
  if (reseller >= 0) return 400 + reseller;
  if (id.startsWith('huggingface_')) return 300;
  if (discontinued) return 250;
  return 200;
}
