import { beforeAll, describe, expect, test } from 'vitest';
import { buildCatalog, estimateCost, loadCatalog, parseOverlay, PricingInputError } from '../../src/pricing/index.js';
import type { Catalog, ModelEntry } from '../../src/pricing/index.js';

let catalog: Catalog;
beforeAll(async () => {
  catalog = await loadCatalog({ now: new Date('2026-11-24T12:00:00Z') });
});

function model(name: string): ModelEntry {
  const r = catalog.resolve(name);
  if (!r.ok) throw new Error(r.message);
  return r.model;
}

/** A one-model catalog from hand-made base data, to test the math on rates we choose. */
function synthetic(prices: Record<string, unknown> | unknown[], id = 'm'): ModelEntry {
  const c = buildCatalog(
    [{ id: 'p', name: 'P', models: [{ id, match: { equals: id }, prices: prices as never }] }],
    parseOverlay({ as_of: '2026-11-24' }),
    { now: new Date('2026-11-24T00:00:00Z'), baseVersion: 'test' },
  );
  const r = c.resolve(`p:${id}`);
  if (!r.ok) throw new Error(r.message);
  return r.model;
}

describe('the guide example', () => {
  test('gpt-4 with 5,000 input and 2,000 output tokens costs 0.15 + 0.12 = 0.27 exactly', () => {
    const cost = estimateCost(model('gpt-4'), { input_tokens: 5000, output_tokens: 2000 });
    expect(cost.input_cost).toBe(0.15);
    expect(cost.output_cost).toBe(0.12);
    expect(cost.total_cost).toBe(0.27);
    expect(cost.currency).toBe('USD');
    expect(cost.rates_used).toEqual({ input: '30', output: '60' });
    expect(cost.rates_per_1k).toEqual({ input: '0.03', output: '0.06' });
    expect(String(cost.total_cost)).toBe('0.27');
  });
});

describe('exact decimal arithmetic', () => {
  test('amounts that give float noise with naive math come out as the short decimal', () => {
    // Naive per-million math: (tokens / 1e6) * rate.
    const m = synthetic({ input_mtok: 0.15, output_mtok: 0.6 });
    const naive = (1_500_000 / 1e6) * 0.15;
    expect(naive).toBe(0.22499999999999998); // the problem we avoid
    const c = estimateCost(m, { input_tokens: 1_500_000, output_tokens: 0 });
    expect(c.input_cost).toBe(0.225);
    expect(String(c.total_cost)).toBe('0.225');
  });

  test('0.1 + 0.2 style sums stay exact', () => {
    const m = synthetic({ input_mtok: 0.1, output_mtok: 0.2 });
    expect((1e6 * 0.1) / 1e6 + (1e6 * 0.2) / 1e6).not.toBe(0.3);
    const c = estimateCost(m, { input_tokens: 1_000_000, output_tokens: 1_000_000 });
    expect(c.total_cost).toBe(0.3);
  });

  test('rates with many decimals (0.0375, 0.00875) multiply exactly', () => {
    const m = synthetic({ input_mtok: 0.0375, output_mtok: 0.00875 });
    const c = estimateCost(m, { input_tokens: 333, output_tokens: 777 });
    // 333 * 0.0375 / 1e6 = 0.0000124875 ; 777 * 0.00875 / 1e6 = 0.00000679875
    expect(c.input_cost).toBe(0.0000124875);
    expect(c.output_cost).toBe(0.0000067988); // rounded once, half-up, at 1e-10
    expect(c.total_cost).toBe(0.0000192863); // exact sum 0.00001928625 rounded once
  });

  test('every real model gives short decimals for a spread of token counts', () => {
    const counts = [1, 7, 333, 1234, 5000, 99_999, 1_000_000];
    for (const m of catalog.models) {
      for (const n of counts) {
        const c = estimateCost(m, { input_tokens: n, output_tokens: n }, { allow_over_context: true });
        for (const v of [c.input_cost, c.output_cost, c.total_cost]) {
          const text = String(v);
          // at most 10 decimals after rounding at 1e-10 (exponent form only for tiny values)
          if (!text.includes('e')) expect(text.split('.')[1]?.length ?? 0).toBeLessThanOrEqual(10);
        }
      }
    }
  });
});

describe('every model in the catalog can be estimated', () => {
  test('including aggregators whose data carries float artefacts (0.18000000000000002)', () => {
    for (const m of catalog.all_models) {
      const c = estimateCost(
        m,
        { input_tokens: 300_000, cached_input_tokens: 1000, cache_write_tokens: 1000, output_tokens: 1234 },
        { allow_over_context: true },
      );
      expect(Number.isFinite(c.total_cost), m.key).toBe(true);
    }
    const artefact = catalog.model('huggingface_together:Qwen/Qwen3-VL-8B-Instruct');
    expect(Object.values(artefact?.rates ?? {})).toContain('0.18');
  });
});

describe('long-context tiers', () => {
  const tiered = () =>
    synthetic({
      input_mtok: { base: 1.25, tiers: [{ start: 200_000, price: 2.5 }] },
      output_mtok: { base: 10, tiers: [{ start: 200_000, price: 15 }] },
    });

  test('at the threshold the base rate applies; above it the tier reprices the whole request', () => {
    const at = estimateCost(tiered(), { input_tokens: 200_000, output_tokens: 1000 });
    expect(at.rates_used.input).toBe('1.25');
    expect(at.rates_used.tier_start).toBeUndefined();
    expect(at.input_cost).toBe(0.25);
    expect(at.output_cost).toBe(0.01);
    const above = estimateCost(tiered(), { input_tokens: 200_001, output_tokens: 1000 });
    expect(above.rates_used).toMatchObject({ input: '2.5', output: '15', tier_start: 200_000 });
    expect(above.input_cost).toBe(0.5000025);
    expect(above.output_cost).toBe(0.015);
  });

  test('a real tiered model (gemini-2.5-pro) switches rate above 200K input tokens', () => {
    const m = model('gemini-2.5-pro');
    expect(m.rates.input_tiers?.length).toBeGreaterThan(0);
    const small = estimateCost(m, { input_tokens: 100_000, output_tokens: 0 });
    const large = estimateCost(m, { input_tokens: 300_000, output_tokens: 0 });
    expect(small.rates_used.input).toBe('1.25');
    expect(large.rates_used.input).toBe('2.5');
    expect(large.input_cost).toBe(0.75);
  });
});

describe('cached input', () => {
  test('cached tokens are charged at the cache-read rate, the rest at the input rate', () => {
    const m = model('gpt-4o'); // 2.5 input, 1.25 cached, 10 output
    const c = estimateCost(m, { input_tokens: 10_000, cached_input_tokens: 4_000, output_tokens: 1_000 });
    expect(c.input_cost).toBe(0.015); // 6,000 x 2.5 / 1M
    expect(c.cached_input_cost).toBe(0.005); // 4,000 x 1.25 / 1M
    expect(c.output_cost).toBe(0.01);
    expect(c.total_cost).toBe(0.03);
    expect(c.rates_used.cache_read).toBe('1.25');
  });

  test('a model without a cache price charges cached tokens at the input rate', () => {
    const m = model('gpt-4');
    const c = estimateCost(m, { input_tokens: 1000, cached_input_tokens: 1000, output_tokens: 0 });
    expect(c.cached_input_cost).toBe(0.03);
    expect(c.input_cost).toBe(0);
  });

  test('cache writes use the cache-write rate (Anthropic)', () => {
    const m = model('claude-3-5-sonnet'); // 3 input, 3.75 write, 0.3 read
    const c = estimateCost(m, { input_tokens: 3000, cache_write_tokens: 1000, cached_input_tokens: 1000, output_tokens: 0 });
    expect(c.input_cost).toBe(0.003);
    expect(c.cache_write_cost).toBe(0.00375);
    expect(c.cached_input_cost).toBe(0.0003);
    expect(c.total_cost).toBe(0.00705);
  });
});

describe('requests scale a per-request estimate', () => {
  test('1,000 requests of the guide example cost 270 and 0.27 each', () => {
    const c = estimateCost(model('gpt-4'), { input_tokens: 5000, output_tokens: 2000, requests: 1000 });
    expect(c.total_cost).toBe(270);
    expect(c.input_cost).toBe(150);
    expect(c.output_cost).toBe(120);
    expect(c.per_request_total_cost).toBe(0.27);
  });

  test('a per-request fee (Perplexity sonar, at the default low search context) is added once per request', () => {
    const m = model('perplexity:sonar');
    const one = estimateCost(m, { input_tokens: 1000, output_tokens: 1000 });
    expect(one.request_cost).toBe(0.005);
    const many = estimateCost(m, { input_tokens: 1000, output_tokens: 1000, requests: 10 });
    expect(many.request_cost).toBe(0.05);
    expect(many.per_request_total_cost).toBe(one.total_cost);
  });
});

describe('bad inputs are rejected with a message that says what to fix', () => {
  const m = () => model('gpt-4');
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['negative input', { input_tokens: -1, output_tokens: 0 }, /input_tokens must be a whole number >= 0 \(got -1\)/],
    ['fractional output', { input_tokens: 1, output_tokens: 1.5 }, /output_tokens must be a whole number/],
    ['NaN', { input_tokens: Number.NaN, output_tokens: 0 }, /input_tokens/],
    ['string', { input_tokens: '5', output_tokens: 0 }, /input_tokens must be a whole number >= 0 \(got "5"\)/],
    ['unsafe integer', { input_tokens: 2 ** 53, output_tokens: 0 }, /input_tokens/],
    ['cached > input', { input_tokens: 10, output_tokens: 0, cached_input_tokens: 11 }, /must not exceed input_tokens/],
    ['zero requests', { input_tokens: 1, output_tokens: 1, requests: 0 }, /requests must be a whole number >= 1/],
    ['huge volume', { input_tokens: 1e9, output_tokens: 1e9, requests: 1e8 }, /too large/],
  ];
  test.each(cases)('%s', (_label, input, message) => {
    expect(() => estimateCost(m(), input as never)).toThrow(PricingInputError);
    expect(() => estimateCost(m(), input as never)).toThrow(message);
  });
});
