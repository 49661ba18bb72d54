import { beforeAll, describe, expect, test } from 'vitest';
import { calcPrice } from '@pydantic/genai-prices';
import { loadCatalog, PricingInputError } from '../../src/pricing/index.js';
import type { Catalog, ResolveResult } from '../../src/pricing/index.js';

let catalog: Catalog;
beforeAll(async () => {
  catalog = await loadCatalog({ now: new Date('2026-11-24T12:00:00Z') });
});

function ok(r: ResolveResult): Extract<ResolveResult, { ok: true }> {
  if (!r.ok) throw new Error(r.message);
  return r;
}
const key = (name: string, provider?: string): string => ok(catalog.resolve(name, provider ? { provider } : undefined)).model.key;
const via = (name: string): string => ok(catalog.resolve(name)).via;

describe('case, aliases and display names', () => {
  test.each([
    ['gpt-4o', 'openai:gpt-4o', 'exact'],
    ['GPT-4O', 'openai:gpt-4o', 'exact'],
    ['  gpt-4  ', 'openai:gpt-4', 'exact'],
    ['claude-3-opus', 'anthropic:claude-3-opus-latest', 'alias'],
    ['codestral-latest', 'mistral:codestral', 'alias'],
    ['mistral-large-latest', 'mistral:mistral-large-2512', 'alias'],
    ['nova-pro', 'aws:amazon.nova-pro-v1:0', 'alias'],
    ['jamba-large-1.7', 'ai21:jamba-large', 'alias'],
    ['Claude 3 Opus', 'anthropic:claude-3-opus-latest', 'alias'],
    ['Jamba 1.5 Large', 'ai21:jamba-1.5-large', 'exact'],
  ])('%s -> %s (%s)', (name, expected, how) => {
    expect(key(name)).toBe(expected);
    expect(via(name)).toBe(how);
  });
});

describe('dated snapshots resolve to the model whose prices apply', () => {
  test.each([
    ['gpt-4o-2024-08-06', 'openai:gpt-4o'],
    ['gpt-4o-2024-11-20', 'openai:gpt-4o'],
    ['gpt-4o-mini-2024-07-18', 'openai:gpt-4o-mini'],
    ['claude-3-opus-20240229', 'anthropic:claude-3-opus-latest'],
    ['claude-3-5-sonnet-20241022', 'anthropic:claude-3-5-sonnet'],
    ['claude-opus-4-1-20250805', 'anthropic:claude-opus-4-1'],
    ['claude-3-5-haiku@20241022', 'anthropic:claude-3-5-haiku-latest'],
  ])('%s -> %s', (name, expected) => {
    expect(key(name)).toBe(expected);
    expect(via(name)).toBe('snapshot');
  });

  test("a snapshot with its own price keeps it: gpt-4o-2024-05-13 is $5/$15, not gpt-4o's $2.5/$10", () => {
    const m = ok(catalog.resolve('gpt-4o-2024-05-13')).model;
    expect(m.key).toBe('openai:gpt-4o-2024-05-13');
    expect(m.rates).toMatchObject({ input: '5', output: '15' });
  });
});

describe('provider-qualified names', () => {
  test.each([
    ['openai:gpt-4o', 'openai:gpt-4o'],
    ['openai/gpt-4o', 'openai:gpt-4o'],
    ['OpenAI:GPT-4o', 'openai:gpt-4o'],
    ['anthropic/claude-3-opus-20240229', 'anthropic:claude-3-opus-latest'],
    ['Mistral AI:mistral-large', 'mistral:mistral-large'],
    ['azure:gpt-4o', 'openai:gpt-4o'], // Azure bills OpenAI's list price: genai-prices' fallback_model_providers
    ['groq:llama-3.3-70b', 'groq:llama-3.3-70b-versatile'],
    ['together:meta-llama/Llama-3.3-70B-Instruct-Turbo', 'together:meta-llama/Llama-3.3-70B-Instruct-Turbo'],
    ['anyscale:meta-llama/Llama-2-70b-chat-hf', 'anyscale:meta-llama/Llama-2-70b-chat-hf'],
    ['bedrock:nova-lite', 'aws:amazon.nova-lite-v1:0'],
  ])('%s -> %s', (name, expected) => {
    expect(key(name)).toBe(expected);
  });

  test('openai/gpt-4o means OpenAI\'s gpt-4o even though OpenRouter has an id "openai/gpt-4o"', () => {
    expect(catalog.all_models.some((m) => m.key === 'openrouter:openai/gpt-4o')).toBe(true);
    expect(key('openai/gpt-4o')).toBe('openai:gpt-4o');
    expect(key('openrouter:openai/gpt-4o')).toBe('openrouter:openai/gpt-4o');
  });

  test('an id with a slash whose prefix is not a provider is an ordinary id', () => {
    expect(key('meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo')).toBe('together:meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo');
  });

  test('ids that differ only in case at two hosts are told apart by the exact spelling', () => {
    expect(key('meta-llama/Llama-4-Scout-17B-16E-Instruct')).toBe('together:meta-llama/Llama-4-Scout-17B-16E-Instruct');
    expect(key('meta-llama/llama-4-scout-17b-16e-instruct')).toBe('groq:meta-llama/llama-4-scout-17b-16e-instruct');
    expect(key('META-LLAMA/LLAMA-4-SCOUT-17B-16E-INSTRUCT')).toBe('groq:meta-llama/llama-4-scout-17b-16e-instruct'); // rank decides
  });

  test('an exact id beats a qualified reading that only a pattern rule would satisfy', () => {
    // "mistralai" names Mistral AI, whose rule `starts_with mixtral-8x7b` would take the rest; but the whole
    // string is Together's exact id, priced differently.
    expect(key('mistralai/Mixtral-8x7B-Instruct-v0.1')).toBe('together:mistralai/Mixtral-8x7B-Instruct-v0.1');
    expect(key('google/gemma-7b')).toBe('together:google/gemma-7b');
    // with no exact id anywhere, the qualified rule match is used
    expect(ok(catalog.resolve('mistralai/mixtral-8x7b-something'))).toMatchObject({
      via: 'qualified',
      model: { key: 'mistral:mixtral-8x7b' },
    });
  });
});

describe("an unqualified name resolves to the model's maker", () => {
  test.each([
    ['gpt-4o', 'openai'], // also sold by Azure, OpenRouter, GitHub Copilot
    ['gpt-4', 'openai'],
    ['claude-3-5-sonnet', 'anthropic'], // Google (Vertex) and Bedrock resell it
    ['claude-3-haiku', 'anthropic'],
    ['claude-sonnet-4-5', 'anthropic'],
    ['gpt-oss-120b', 'openai'], // Groq, Fireworks, Cerebras host it too
    ['command-r-plus', 'cohere'],
    ['meta-llama/Llama-2-70b-chat-hf', 'together'], // Anyscale (closed) had the same id
  ])('%s -> %s', (name, provider) => {
    expect(ok(catalog.resolve(name)).model.provider.id).toBe(provider);
  });
});

describe("generic open-model names resolve to every host's offer", () => {
  test.each([
    ['llama-3.1-70b', ['groq', 'together', 'aws']],
    ['llama-3.3-70b', ['groq', 'together', 'aws']],
    ['llama-3.1-8b', ['groq', 'together', 'fireworks', 'aws']],
    ['mixtral-8x7b', ['groq', 'together', 'aws', 'mistral']],
  ])('%s has offers from %j, cheapest first', (name, hosts) => {
    const r = ok(catalog.resolve(name));
    expect(r.via).toBe('generic');
    const offers = r.offers ?? [];
    expect(offers.map((o) => o.provider.id).sort()).toEqual([...hosts].sort());
    expect(r.model).toBe(offers[0]);
    const blended = offers.map((o) => 3 * Number(o.rates.input) + Number(o.rates.output ?? 0));
    expect(blended).toEqual([...blended].sort((a, b) => a - b));
  });

  test("a provider filter picks that host's offer", () => {
    expect(key('llama-3.1-8b', 'Fireworks AI')).toBe('fireworks:llama-v3p1-8b-instruct');
    expect(key('mixtral-8x7b', 'bedrock')).toBe('aws:mistral.mixtral-8x7b-instruct-v0:1');
  });

  test('discontinued hosts are never offered', () => {
    for (const offers of catalog.generic_names.values()) {
      for (const k of offers) expect(k.startsWith('anyscale:')).toBe(false);
    }
  });
});

describe("guards against mis-matches in the base data's match rules", () => {
  test('gemini-1.5-flash-8b is the 8B model ($0.0375), not Gemini 1.5 Flash ($0.075)', () => {
    // genai-prices itself gets this wrong: its rule `contains "gemini-1.5-flash"` matches first.
    const base = calcPrice({ input_tokens: 1_000_000 }, 'gemini-1.5-flash-8b', { providerId: 'google' });
    expect(base?.model.id).toBe('gemini-1.5-flash');
    for (const name of ['gemini-1.5-flash-8b', 'gemini-1.5-flash-8b-001', 'Gemini-1.5-Flash-8B-latest']) {
      const m = ok(catalog.resolve(name)).model;
      expect(m.key).toBe('google:gemini-flash-1.5-8b');
      expect(m.rates.input).toBe('0.0375');
    }
  });

  test("command-r-plus-04-2024 keeps its own $3/$15 price, never the 08-2024 model's $2.5/$10", () => {
    const m = ok(catalog.resolve('command-r-plus-04-2024')).model;
    expect(m.rates).toMatchObject({ input: '3', output: '15' });
  });

  test('an exact id beats an alias derived from another id: ministral-8b is not ministral-8b-latest', () => {
    expect(key('ministral-8b')).toBe('mistral:ministral-8b');
    expect(key('ministral-8b-latest')).toBe('mistral:ministral-8b-latest');
  });

  test('the data\'s own equals-rule beats an alias we derive from "-latest"', () => {
    // genai-prices maps "mistral-medium" to mistral-medium-3-1 explicitly; mistral-medium-latest must not steal it.
    expect(key('mistral-medium')).toBe('mistral:mistral-medium-3-1');
  });

  test("claude-opus-4-1 is Anthropic's, although Google's rules would file it under claude-4-opus", () => {
    const base = calcPrice({ input_tokens: 1 }, 'claude-opus-4-1-20250805', { providerId: 'google' });
    expect(base?.model.id).toBe('claude-4-opus');
    expect(key('claude-opus-4-1-20250805')).toBe('anthropic:claude-opus-4-1');
  });

  test('an exact id resolves even where the base rules do not match it (codestral)', () => {
    expect(calcPrice({ input_tokens: 1 }, 'codestral', { providerId: 'mistral' })).toBeNull();
    expect(ok(catalog.resolve('codestral'))).toMatchObject({ via: 'exact', model: { key: 'mistral:codestral' } });
  });

  test('a pattern rule is a fallback only: gemini-1.5-pro-002 resolves by rule, gemini-1.5-pro exactly', () => {
    expect(ok(catalog.resolve('gemini-1.5-pro-002'))).toMatchObject({ via: 'rule', model: { key: 'google:gemini-1.5-pro' } });
    expect(via('gemini-1.5-pro')).toBe('exact');
  });
});

describe('unknown names', () => {
  test('a typo gets up to three close suggestions', () => {
    const r = catalog.resolve('gpt-4o-mni');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.suggestions.length).toBeGreaterThan(0);
    expect(r.suggestions.length).toBeLessThanOrEqual(3);
    expect(r.suggestions[0]).toBe('gpt-4o-mini');
    expect(r.message).toMatch(/^Unknown model "gpt-4o-mni"\. Did you mean "gpt-4o-mini"/);
  });

  test.each([
    ['claude-3-opsu', 'claude-3-opus'],
    ['jamba-larg', 'jamba-large'],
    ['lama-3.3-70b', 'llama-3.3-70b'],
  ])('%s suggests %s', (name, suggestion) => {
    const r = catalog.resolve(name);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.suggestions).toContain(suggestion);
  });

  test('nonsense gets no suggestions but a clear message; empty names are rejected', () => {
    const r = catalog.resolve('qqqqqqqqqqqqqqqqqq');
    expect(r).toMatchObject({ ok: false, suggestions: [] });
    expect(catalog.resolve('   ')).toMatchObject({ ok: false, message: 'model name is empty' });
  });

  test('a model missing at the named provider says so', () => {
    const r = catalog.resolve('gpt-4o', { provider: 'cohere' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('at provider Cohere');
  });
});

describe("provider filters accept the guide's names, genai-prices' names and ids, in any case", () => {
  test.each([
    ['Mistral AI', 'mistral'],
    ['Mistral', 'mistral'],
    ['mistral', 'mistral'],
    ['Fireworks AI', 'fireworks'],
    ['Fireworks', 'fireworks'],
    ['Perplexity AI', 'perplexity'],
    ['perplexity', 'perplexity'],
    ['Amazon Bedrock', 'aws'],
    ['AWS Bedrock', 'aws'],
    ['aws', 'aws'],
    ['AI21 Labs', 'ai21'],
    ['ai21', 'ai21'],
    ['ANYSCALE', 'anyscale'],
    ['Together AI', 'together'],
  ])('%s -> %s', (filter, id) => {
    expect(catalog.provider(filter)?.id).toBe(id);
    const list = catalog.listModels({ provider: filter, include_deprecated: true });
    expect(list.length).toBeGreaterThan(0);
    expect(list.every((m) => m.provider.id === id)).toBe(true);
  });

  test("the listing shows the guide's names", () => {
    const names = catalog.providers.map((p) => p.name);
    for (const n of ['Mistral AI', 'Fireworks AI', 'Perplexity AI', 'Amazon Bedrock']) expect(names).toContain(n);
    for (const n of ['Mistral', 'Fireworks', 'Perplexity', 'AWS Bedrock']) expect(names).not.toContain(n);
  });

  test('an unknown provider is an error with suggestions', () => {
    expect(() => catalog.listModels({ provider: 'antropic' })).toThrow(PricingInputError);
    expect(() => catalog.listModels({ provider: 'antropic' })).toThrow(/Unknown provider "antropic"\. Did you mean "anthropic"/);
    const r = catalog.resolve('gpt-4o', { provider: 'opnai' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.suggestions).toContain('openai');
  });
});

describe('completion', () => {
  test('ids starting with the prefix come first, shortest first, any case', () => {
    const c = catalog.complete('GPT-4o', 5);
    expect(c[0]).toBe('gpt-4o');
    expect(c).toContain('gpt-4o-mini');
    expect(c.length).toBeLessThanOrEqual(5);
    expect(c.every((n) => n.startsWith('gpt-4o'))).toBe(true);
  });

  test('generic names, overlay models and aliases are completed; containing matches follow', () => {
    expect(catalog.complete('llama-3.3')).toContain('llama-3.3-70b');
    expect(catalog.complete('jamba')).toEqual(expect.arrayContaining(['jamba-large', 'jamba-mini', 'jamba-1.5-large']));
    expect(catalog.complete('opus', 50)).toContain('claude-3-opus-latest');
    expect(catalog.complete('no-such-model-prefix')).toEqual([]);
  });
});
