import { beforeAll, describe, expect, test } from 'vitest';
import {
  basePackageVersion,
  buildCatalog,
  GUIDE_PROVIDER_IDS,
  loadBaseProviders,
  loadCatalog,
  parseOverlay,
} from '../../src/pricing/index.js';
import type { BaseProvider, Catalog, ModelEntry } from '../../src/pricing/index.js';
import { numberToDecimal } from '../../src/pricing/decimal.js';

const NOW = new Date('2026-11-24T12:00:00Z');
let catalog: Catalog;
let base: BaseProvider[];
beforeAll(async () => {
  catalog = await loadCatalog({ now: NOW });
  base = await loadBaseProviders();
});

const get = (key: string): ModelEntry => {
  const m = catalog.all_models.find((x) => x.key === key);
  if (!m) throw new Error(`no ${key}`);
  return m;
};

describe('providers', () => {
  test("the guide's twelve come first, in the guide's order and names", () => {
    expect(catalog.providers.slice(0, 12).map((p) => p.name)).toEqual([
      'OpenAI',
      'Anthropic',
      'Google',
      'Cohere',
      'Mistral AI',
      'Groq',
      'Together AI',
      'Fireworks AI',
      'Perplexity AI',
      'AI21 Labs',
      'Anyscale',
      'Amazon Bedrock',
    ]);
    expect(GUIDE_PROVIDER_IDS).toHaveLength(12);
    for (const id of GUIDE_PROVIDER_IDS)
      expect(
        catalog.models.some((m) => m.provider.id === id),
        id,
      ).toBe(true);
  });

  test('Anyscale is listed as discontinued with its last prices, never dropped', () => {
    const anyscale = catalog.provider('Anyscale');
    expect(anyscale).toMatchObject({ id: 'anyscale', status: 'discontinued', origin: 'overlay' });
    expect(anyscale?.note).toMatch(/closed in 2024/);
    const models = catalog.listModels({ provider: 'anyscale' });
    expect(models.length).toBeGreaterThanOrEqual(5);
    for (const m of models) {
      expect(m.listed).toBe(true);
      expect(m.price_source.note).toMatch(/discontinued: last known price/);
    }
    expect(catalog.models.filter((m) => m.provider.id === 'anyscale')).toHaveLength(models.length);
  });

  test('AI21 Labs comes from the overlay with its pricing page as source', () => {
    const m = get('ai21:jamba-large');
    expect(m.provider).toMatchObject({ name: 'AI21 Labs', status: 'active', origin: 'overlay' });
    expect(m.price_source.source).toBe('https://www.ai21.com/pricing/');
    expect(m.context_window).toBe(256000);
  });

  test('aggregators and resellers are not listed by default but stay reachable', () => {
    const listed = new Set(catalog.models.map((m) => m.provider.id));
    for (const hidden of ['openrouter', 'azure', 'github-copilot', 'huggingface_together', 'cursor']) {
      expect(listed.has(hidden), hidden).toBe(false);
      expect(
        catalog.all_models.some((m) => m.provider.id === hidden),
        hidden,
      ).toBe(true);
      expect(catalog.listModels({ provider: hidden, include_deprecated: true }).length, hidden).toBeGreaterThan(0);
    }
    expect(catalog.all_models.filter((m) => m.provider.id === 'openrouter').length).toBeGreaterThan(500);
    expect(catalog.models.length).toBeLessThan(catalog.all_models.length / 2);
    expect(catalog.all_providers.length).toBe(base.length + 2); // + AI21 Labs + Anyscale
  });

  test('models priced per audio hour or page are left out; free models are kept at 0', () => {
    expect(catalog.all_models.some((m) => m.key === 'openai:whisper-1')).toBe(false);
    expect(catalog.all_models.some((m) => m.key === 'mistral:mistral-ocr-latest')).toBe(false);
    expect(get('mistral:devstral-small:free').rates).toEqual({ input: '0', output: '0' });
  });
});

describe('provenance and data version', () => {
  test('data_as_of and source say where and when, truthfully', () => {
    const version = basePackageVersion();
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    expect(catalog.base_version).toBe(version);
    expect(catalog.overlay_as_of).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(catalog.data_as_of).toContain(`overlay ${catalog.overlay_as_of}`);
    expect(catalog.data_as_of).toContain(`genai-prices ${version}`);
    expect(catalog.source).toBe(`genai-prices ${version} + llm-pricing-mcp overlay ${catalog.overlay_as_of}`);
    if (version === '0.1.8') expect(catalog.data_as_of).toContain('published 2026-09-23');
  });

  test("an unknown base version does not borrow the overlay's publish date", () => {
    const c = buildCatalog(
      base,
      parseOverlay({ as_of: '2026-11-24', base: { package: 'p', version: '0.1.8', published: '2026-09-23', source: 's' } }),
      {
        now: NOW,
        baseVersion: '9.9.9',
      },
    );
    expect(c.data_as_of).toContain('genai-prices 9.9.9 (publish date unknown)');
    const m = c.all_models.find((x) => x.key === 'openai:gpt-4');
    expect(m?.price_source.note).toMatch(/publish date unknown/);
  });

  test('every model says where its price comes from and as of when', () => {
    for (const m of catalog.all_models) {
      expect(m.price_source.source.length, m.key).toBeGreaterThan(0);
      expect(m.price_source.as_of, m.key).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    expect(get('openai:gpt-4').price_source.source).toMatch(/^genai-prices \S+: https:\/\//);
  });

  test('per-request fees and web searches are prices of their own; units no estimate counts are noted', () => {
    expect(get('perplexity:sonar').prices.requests_kcount).toBeDefined();
    expect(get('anthropic:claude-3-5-sonnet').prices.web_searches_kcount).toEqual({ rate: '10' });
    expect(get('openai:gpt-realtime').price_source.note).toMatch(/also charges cache_audio_read_mtok.* \(not in estimates\)/);
  });
});

describe('date-conditional prices', () => {
  test('the price in force at `now` is chosen (o3 was cut from $10/$40 to $2/$8 on 2025-06-10)', () => {
    const before = buildCatalog(base, parseOverlay({ as_of: '2026-11-24' }), { now: new Date('2025-06-09T00:00:00Z') });
    const after = buildCatalog(base, parseOverlay({ as_of: '2026-11-24' }), { now: new Date('2025-06-10T00:00:00Z') });
    const o3 = (c: Catalog) => c.all_models.find((m) => m.key === 'openai:o3')?.rates;
    expect(o3(before)).toMatchObject({ input: '10', output: '40' });
    expect(o3(after)).toMatchObject({ input: '2', output: '8' });
    expect(after.all_models.find((m) => m.key === 'openai:o3')?.price_source.note).toMatch(/since 2025-06-10/);
  });

  test('time-of-day windows are kept; the list rate is the standard (dearest) one, never the off-peak one', () => {
    const m = get('deepseek:deepseek-v4-flash');
    expect(m.price_source.note).toMatch(/time of day/);
    // genai-prices stores the off-peak price from 2026-08-17 and the peak price in two daily windows after it
    expect(m.rates).toMatchObject({ input: '0.44', output: '1.32' });
    expect(m.time_of_day?.outside.input_mtok).toEqual({ rate: '0.22' });
    expect(m.time_of_day?.windows).toHaveLength(2);
  });

  test('a synthetic schedule: later entries win once their start date has come', () => {
    const provider: BaseProvider = {
      id: 'p',
      name: 'P',
      models: [
        {
          id: 'm',
          match: { equals: 'm' },
          prices: [
            { prices: { input_mtok: 1, output_mtok: 2 } },
            { constraint: { type: 'start_date', start_date: '2026-01-01' }, prices: { input_mtok: 3, output_mtok: 4 } },
            { constraint: { type: 'start_date', start_date: '2027-01-01' }, prices: { input_mtok: 5, output_mtok: 6 } },
          ],
        },
      ],
    };
    const at = (d: string) => buildCatalog([provider], parseOverlay({ as_of: '2026-11-24' }), { now: new Date(d) }).all_models[0]?.rates;
    expect(at('2025-12-31T23:59:59Z')).toMatchObject({ input: '1', output: '2' });
    expect(at('2026-01-01T00:00:00Z')).toMatchObject({ input: '3', output: '4' });
    expect(at('2027-06-01T00:00:00Z')).toMatchObject({ input: '5', output: '6' });
  });
});

describe('category and cost tier from list prices (blended 3 input : 1 output per 1M)', () => {
  test.each([
    ['openai:gpt-4', 'premium', 'high'], // (3x30 + 60) / 4 = 37.5
    ['openai:gpt-4o', 'standard', 'medium'], // (3x2.5 + 10) / 4 = 4.375
    ['openai:gpt-4o-mini', 'budget', 'low'], // (3x0.15 + 0.6) / 4 = 0.2625
    ['anthropic:claude-3-opus-latest', 'premium', 'high'],
    ['openai:text-embedding-3-small', 'embedding', 'low'],
    ['cohere:embed-v4.0', 'embedding', 'low'],
    ['mistral:mistral-embed', 'embedding', 'low'],
  ])('%s is %s / %s', (key, category, tier) => {
    expect(get(key)).toMatchObject({ category, cost_tier: tier });
  });

  test('thresholds: blended < $1 low, < $10 medium, else high', () => {
    const tierOf = (input: number, output: number) =>
      buildCatalog(
        [{ id: 'p', name: 'P', models: [{ id: 'm', match: { equals: 'm' }, prices: { input_mtok: input, output_mtok: output } }] }],
        parseOverlay({ as_of: '2026-11-24' }),
        { now: NOW },
      ).all_models[0];
    expect(tierOf(1, 1)).toMatchObject({ cost_tier: 'medium', category: 'standard' }); // exactly 1
    expect(tierOf(0.999, 0.999)).toMatchObject({ cost_tier: 'low', category: 'budget' });
    expect(tierOf(10, 10)).toMatchObject({ cost_tier: 'high', category: 'premium' }); // exactly 10
    expect(tierOf(9.99, 10)).toMatchObject({ cost_tier: 'medium' }); // 9.9925
  });

  test('category and deprecation filters of the listing', () => {
    const embeddings = catalog.listModels({ category: 'embedding' });
    expect(embeddings.length).toBeGreaterThan(3);
    expect(embeddings.every((m) => m.category === 'embedding')).toBe(true);
    const withDeprecated = catalog.listModels({ provider: 'ai21', include_deprecated: true });
    const without = catalog.listModels({ provider: 'ai21' });
    expect(withDeprecated.some((m) => m.id === 'jamba-instruct')).toBe(true);
    expect(without.some((m) => m.id === 'jamba-instruct')).toBe(false);
  });
});

describe('the index', () => {
  test('is built once: repeated lookups return the same entry objects', () => {
    const a = catalog.resolve('gpt-4o');
    const b = catalog.resolve('GPT-4o');
    expect(a.ok && b.ok && a.model === b.model).toBe(true);
    const r1 = catalog.resolve('gemini-1.5-pro-002');
    const r2 = catalog.resolve('gemini-1.5-pro-002');
    expect(r1.ok && r2.ok && r1.model === r2.model).toBe(true);
  });

  test('every catalog key resolves to its own entry, and model(key) finds it', () => {
    for (const m of catalog.all_models) {
      const r = catalog.resolve(m.key);
      expect(r.ok && r.model.key, m.key).toBe(m.key);
      expect(catalog.model(m.key.toUpperCase())).toBe(m);
    }
    expect(catalog.model('openai:no-such')).toBeUndefined();
  });

  test('catalog keys are unique', () => {
    const keys = catalog.all_models.map((m) => m.key);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('decimal text of the published numbers', () => {
  test.each([
    [2.5, '2.5'],
    [0.0375, '0.0375'],
    [1e-7, '0.0000001'],
    [1.5e-7, '0.00000015'],
    [1e21, '1000000000000000000000'],
    [0, '0'],
  ])('%s -> %s', (n, text) => {
    expect(numberToDecimal(n)).toBe(text);
  });
});
