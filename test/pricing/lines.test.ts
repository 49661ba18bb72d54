import { beforeAll, describe, expect, test } from 'vitest';
import { buildCatalog, estimateCost, loadCatalog, parseOverlay } from '../../src/pricing/index.js';
import type { Catalog, CostBreakdown, CostInput, ModelEntry } from '../../src/pricing/index.js';
import { parseDecimal } from '../../src/pricing/decimal.js';

let catalog: Catalog;
beforeAll(async () => {
  catalog = await loadCatalog({ now: new Date('2026-11-24T12:00:00Z') });
});

function model(name: string): ModelEntry {
  const r = catalog.resolve(name);
  if (!r.ok) throw new Error(r.message);
  return r.model;
}

/** Exact sum of the priced lines, as decimals (float addition would add its own noise). */
function linesSum(c: CostBreakdown): bigint {
  return c.lines.reduce(
    (s, l) => s + (l.cost === null ? 0n : parseDecimal(String(l.cost).includes('e') ? l.cost.toFixed(10) : String(l.cost))),
    0n,
  );
}
function exact(n: number): bigint {
  return parseDecimal(String(n).includes('e') ? n.toFixed(10) : String(n));
}

const MIXES: Array<[string, CostInput]> = [
  ['plain', { input_tokens: 1234, output_tokens: 567 }],
  ['cached and cache writes', { input_tokens: 50_000, cached_input_tokens: 20_000, cache_write_tokens: 5_000, output_tokens: 2_000 }],
  ['reasoning and searches, a volume', { input_tokens: 7, output_tokens: 9_999, reasoning_tokens: 4_000, web_searches: 2, requests: 37 }],
  [
    'media and citations',
    {
      input_tokens: 300_001,
      output_tokens: 3_000,
      other_usage: { input_audio_tokens: 1_000, input_image_tokens: 2_000, citation_tokens: 100, output_audio_tokens: 50 },
    },
  ],
  ['nothing', { input_tokens: 0, output_tokens: 0 }],
];

describe('the lines of every catalog model add up exactly to total_cost', () => {
  test.each(MIXES)('%s', (_label, usage) => {
    let priced = 0;
    for (const m of catalog.all_models) {
      const c = estimateCost(m, usage, { allow_over_context: true }, { model: (k) => catalog.model(k) });
      expect(linesSum(c), m.key).toBe(exact(c.total_cost));
      expect(c.lines.map((l) => l.item).slice(0, 1), m.key).toEqual(['input']);
      expect(
        c.lines.some((l) => l.item === 'output'),
        m.key,
      ).toBe(true);
      for (const l of c.lines) {
        if (l.pricing === 'unpriced') expect([l.rate, l.cost], `${m.key} ${l.item}`).toEqual([null, null]);
        if (l.pricing === 'free') expect([l.rate, l.cost, m.free], `${m.key} ${l.item}`).toEqual([0, 0, true]);
        if (l.pricing === 'priced') {
          expect(l.rate, `${m.key} ${l.item}`).not.toBeNull();
          priced++;
        }
      }
      // per-request fees always show
      if (m.prices.requests_kcount)
        expect(
          c.lines.some((l) => l.item === 'request_fee' || l.item === 'search_fee'),
          m.key,
        ).toBe(true);
      // the parts of input and output are counted once: quantities add up to what was asked
      const n = usage.requests ?? 1;
      const inputSide = c.lines.filter((l) =>
        ['input', 'cached_input', 'cache_write', 'cache_write_5m', 'cache_write_1h', 'input_audio', 'input_image', 'input_video'].includes(
          l.item,
        ),
      );
      expect(
        inputSide.reduce((s, l) => s + l.quantity, 0),
        m.key,
      ).toBe(usage.input_tokens * n);
      const outputSide = c.lines.filter((l) =>
        ['output', 'reasoning', 'citation', 'output_audio', 'output_image', 'output_video'].includes(l.item),
      );
      expect(
        outputSide.reduce((s, l) => s + l.quantity, 0),
        m.key,
      ).toBe(usage.output_tokens * n);
    }
    expect(priced).toBeGreaterThan(catalog.all_models.length);
  });
});

describe('unpriced, free and priced at $0 are three different answers', () => {
  const oneModel = (prices: Record<string, unknown>): ModelEntry => {
    const c = buildCatalog(
      [{ id: 'p', name: 'P', models: [{ id: 'm', match: { equals: 'm' }, prices: prices as never }] }],
      parseOverlay({ as_of: '2026-11-24' }),
      {
        now: new Date('2026-11-24T00:00:00Z'),
        baseVersion: 'test',
      },
    );
    return c.model('p:m')!;
  };

  test('a model the data prices at nothing is free: every line says free, cost 0', () => {
    const c = estimateCost(oneModel({}), { input_tokens: 100, output_tokens: 100 });
    expect(c.lines.map((l) => l.pricing)).toEqual(['free', 'free']);
    expect(c.total_cost).toBe(0);
  });

  test('an explicit 0 rate is priced at $0, not free', () => {
    const c = estimateCost(oneModel({ input_mtok: 0, output_mtok: 2 }), { input_tokens: 1_000_000, output_tokens: 1_000_000 });
    expect(c.lines[0]).toMatchObject({ item: 'input', pricing: 'priced', rate: 0, cost: 0 });
    expect(c.total_cost).toBe(2);
  });

  test('output of an input-only model is unpriced: no rate, no cost, a warning, and not in the total', () => {
    const c = estimateCost(model('text-embedding-3-small'), { input_tokens: 1000, output_tokens: 10 });
    expect(c.lines[1]).toMatchObject({ item: 'output', pricing: 'unpriced', rate: null, cost: null });
    expect(c.warnings.join(' ')).toMatch(/not in the total/);
    expect(c.total_cost).toBe(0.00002);
  });

  test('a real free model in the catalog answers free', () => {
    const free = catalog.all_models.find((m) => m.free);
    expect(free).toBeDefined();
    const c = estimateCost(free!, { input_tokens: 10, output_tokens: 10 }, { allow_over_context: true });
    expect(new Set(c.lines.map((l) => l.pricing))).toEqual(new Set(['free']));
  });
});

describe('fees are lines of their own', () => {
  test('search_context high is the $12 per 1,000 requests fee; 10 requests pay it 10 times', () => {
    const c = estimateCost(model('sonar'), { input_tokens: 1000, output_tokens: 1000, requests: 10 }, { search_context: 'high' });
    expect(c.lines.find((l) => l.item === 'search_fee')).toMatchObject({ quantity: 10, rate: 12, cost: 0.12 });
    expect(c.total_cost).toBe(0.14);
    expect(c.per_request_total_cost).toBe(0.014);
  });

  test('Anthropic web searches are $10 per 1,000 searches; reasoning priced apart on sonar-deep-research', () => {
    const claude = estimateCost(model('claude-sonnet-4-5'), { input_tokens: 1000, output_tokens: 100, web_searches: 3 });
    expect(claude.lines.find((l) => l.item === 'web_search')).toMatchObject({ quantity: 3, rate: 10, cost: 0.03 });
    const deep = estimateCost(model('sonar-deep-research'), { input_tokens: 1000, output_tokens: 1000, reasoning_tokens: 400 });
    expect(deep.lines.filter((l) => l.item === 'output' || l.item === 'reasoning').map((l) => [l.item, l.quantity, l.rate])).toEqual([
      ['output', 600, 8],
      ['reasoning', 400, 3],
    ]);
  });

  test('a model without a reasoning price keeps reasoning tokens in its output line', () => {
    const c = estimateCost(model('o3'), { input_tokens: 1000, output_tokens: 1000, reasoning_tokens: 900 });
    expect(c.lines.find((l) => l.item === 'output')?.quantity).toBe(1000);
    expect(c.lines.some((l) => l.item === 'reasoning')).toBe(false);
  });
});
