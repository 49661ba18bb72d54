// Coverage of today's line-ups (issue 8, item 4) and a context window for every current model (item 3): what the
// overlay adds on top of genai-prices, checked against the catalog that `serve` builds.
import { beforeAll, describe, expect, test } from 'vitest';
import { loadCatalog, loadOverlay } from '../../src/pricing/index.js';
import type { Catalog, Overlay } from '../../src/pricing/index.js';

let catalog: Catalog;
let overlay: Overlay;
beforeAll(async () => {
  [catalog, overlay] = await Promise.all([loadCatalog({ now: new Date('2026-12-02T12:00:00Z') }), loadOverlay()]);
});

/**
 * Listed current models that no source reachable here gives a context window, and why. The test below asserts
 * this list is exact: a model that gains a window must leave it, and a new model without one fails the test.
 */
const NO_WINDOW_SOURCE: Record<string, string> = {
  // Image and speech generation: LiteLLM lists them without max_input_tokens, models.dev without limit.context.
  'openai:gpt-image-2': 'image generation',
  'openai:gpt-4o-mini-tts': 'speech generation',
  'aws:amazon.nova-sonic-v1:0': 'speech-to-speech',
  // Names genai-prices takes from OpenRouter (or its own) that neither list carries under that name.
  'openai:gpt-5-image': 'OpenRouter name, no list entry',
  'openai:gpt-5-image-mini': 'OpenRouter name, no list entry',
  'openai:gpt-5.4-image-2': 'OpenRouter name, no list entry',
  'openai:gpt-4o:extended': 'OpenRouter name, no list entry',
  'openai:gpt-chat-latest': 'no list entry under this name',
  'openai:gpt-3.5-0301': 'no list entry under this name',
  'google:gemini-3.1-flash-lite-image': 'no list entry under this name',
  'google:gemma-2-27b-it': "LiteLLM's gemini/gemini-gemma-2-27b-it has no max_input_tokens",
  'google:gemma-3n': 'no list entry under this name',
  'mistral:devstral-small:free': 'which Devstral Small (2505, 2507, 2512) is not said',
  'mistral:mistral-saba': 'no list entry under this name',
  'mistral:mistral-small-24b-instruct-2501': "only Fireworks' window (32768) is listed, not Mistral's",
  'mistral:mistral-small-24b-instruct-2501:free': "only Fireworks' window (32768) is listed, not Mistral's",
  'mistral:mistral-small-3.1-24b-instruct': 'no list entry under this name',
  'fireworks:qwen3p6-plus': 'no list entry under this name',
  'perplexity:r1-1776': 'no list entry under this name',
  'perplexity:sonar-pro-search': 'no list entry under this name',
  'voyageai:voyage-4': "LiteLLM's voyage entries stop at voyage-3.5",
  'voyageai:voyage-4-large': "LiteLLM's voyage entries stop at voyage-3.5",
  'voyageai:voyage-4-lite': "LiteLLM's voyage entries stop at voyage-3.5",
  'voyageai:voyage-large-2-instruct': 'no list entry under this name',
  'voyageai:voyage-multilingual-2': 'no list entry under this name',
  'arcee:deepseek/deepseek-v4-flash-latest': 'neither list has Arcee',
  'arcee:deepseek/deepseek-v4-pro': 'neither list has Arcee',
  'arcee:moonshotai/kimi-k3': 'neither list has Arcee',
  'arcee:thinkingmachines/inkling-small': 'neither list has Arcee',
  'arcee:trinity-large-thinking': 'neither list has Arcee',
  'arcee:zai-org/glm-5.2': 'neither list has Arcee',
};

const current = () => catalog.listModels({ include_deprecated: false }).filter((m) => m.provider.status === 'active');

describe('a context window for every current model', () => {
  test('every listed current model has one, except the documented few no source gives', () => {
    const missing = current()
      .filter((m) => m.context_window === undefined)
      .map((m) => m.key)
      .sort();
    expect(missing).toEqual(Object.keys(NO_WINDOW_SOURCE).sort());
    expect(current().length).toBeGreaterThan(300);
  });

  test('every window the overlay sets names its source and date', () => {
    for (const m of catalog.all_models.filter((x) => x.context_source)) {
      expect(m.context_source?.source.length, m.key).toBeGreaterThan(0);
      expect(m.context_source?.as_of, m.key).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  test('every deprecation the overlay makes says what says so', () => {
    const deprecations = overlay.patches.filter((p) => p.deprecated === true);
    expect(deprecations.length).toBeGreaterThan(90);
    for (const p of deprecations) {
      expect(p.note?.length ?? 0, p.model).toBeGreaterThan(20);
      expect(catalog.model(p.model)?.deprecated, p.model).toBe(true);
    }
  });
});

describe("today's line-ups", () => {
  /** Together's serverless list as models.dev records it (providers/togetherai, commit f3fc692, 2026-07-02). */
  const TOGETHER_TODAY = [
    'LiquidAI/LFM2-24B-A2B',
    'MiniMaxAI/MiniMax-M2.7',
    'MiniMaxAI/MiniMax-M3',
    'Qwen/Qwen2.5-7B-Instruct-Turbo',
    'Qwen/Qwen3-235B-A22B-Instruct-2507-tput',
    'Qwen/Qwen3.5-397B-A17B',
    'Qwen/Qwen3.5-9B',
    'Qwen/Qwen3.6-Plus',
    'Qwen/Qwen3.7-Max',
    'deepcogito/cogito-v2-1-671b',
    'deepseek-ai/DeepSeek-V4-Pro',
    'essentialai/Rnj-1-Instruct',
    'google/gemma-3n-E4B-it',
    'google/gemma-4-31B-it',
    'meta-llama/Llama-3.3-70B-Instruct-Turbo',
    'meta-llama/Meta-Llama-3-8B-Instruct-Lite',
    'moonshotai/Kimi-K2.6',
    'moonshotai/Kimi-K2.7-Code',
    'nvidia/nemotron-3-ultra-550b-a55b',
    'openai/gpt-oss-120b',
    'openai/gpt-oss-20b',
    'pearl-ai/gemma-4-31b-it',
    'zai-org/GLM-5',
    'zai-org/GLM-5.1',
    'zai-org/GLM-5.2',
  ];

  test.each(TOGETHER_TODAY)('Together serves %s: on Together, priced, with a window', (id) => {
    const r = catalog.resolve(`together:${id}`);
    expect(r.ok, id).toBe(true);
    if (!r.ok) return;
    expect(r.model.provider.id).toBe('together');
    expect(r.model.deprecated).toBe(false);
    expect(Number(r.model.rates.input)).toBeGreaterThan(0);
    expect(r.model.context_window).toBeGreaterThan(0);
  });

  test("Together's current models outnumber its 2023 ones in the default listing", () => {
    const listed = catalog.listModels({ provider: 'together' });
    expect(listed.length).toBeGreaterThanOrEqual(TOGETHER_TODAY.length);
    for (const old of ['togethercomputer/RedPajama-INCITE-7B-Chat', 'meta-llama/Llama-2-70b-chat-hf', 'Qwen/Qwen1.5-72B'])
      expect(
        listed.some((m) => m.id === old),
        old,
      ).toBe(false);
    // Still resolvable by name, at the last price, for history.
    expect(catalog.resolve('together:meta-llama/Llama-2-70b-chat-hf').ok).toBe(true);
  });

  test('mistral-small-latest is Mistral Small 4 (2603) at $0.15/$0.6, and the stale Small 3.2 entry is not listed', () => {
    const r = catalog.resolve('mistral-small-latest');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([r.model.key, r.model.rates.input, r.model.rates.output]).toEqual(['mistral:mistral-small-2603', '0.15', '0.6']);
    expect(catalog.listModels({ provider: 'mistral' }).some((m) => m.key === 'mistral:mistral-small-latest')).toBe(false);
  });

  test.each([
    ['command-a-reasoning-08-2025', '2.5', 256000],
    ['command-a-vision-07-2025', '2.5', 128000],
    ['command-a-plus-05-2026', '2.5', 128000],
    ['command-r7b-arabic-02-2025', '0.0375', 128000],
  ])("Cohere's %s is priced ($%s in) with a %i-token window", (id, input, window) => {
    const m = catalog.model(`cohere:${id}`);
    expect([m?.rates.input, m?.context_window]).toEqual([input, window]);
  });

  test("xAI's dated grok-4.20 ids resolve on xAI", () => {
    for (const [name, key] of [
      ['grok-4.20-0309-reasoning', 'x-ai:grok-4.20'],
      ['xai:grok-4.20-0309-non-reasoning', 'x-ai:grok-4.20'],
    ]) {
      const r = catalog.resolve(name!);
      expect(r.ok && r.model.key, name).toBe(key);
    }
  });
});
