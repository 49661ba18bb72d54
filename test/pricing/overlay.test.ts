import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildCatalog, DEFAULT_OVERLAY_PATH, loadBaseProviders, loadCatalog, OverlayError, parseOverlay } from '../../src/pricing/index.js';
import type { Catalog } from '../../src/pricing/index.js';

const realOverlay = (): Record<string, unknown> => JSON.parse(readFileSync(DEFAULT_OVERLAY_PATH, 'utf8')) as Record<string, unknown>;
const clone = <T>(v: T): T => structuredClone(v);

const goodModel = {
  provider: 'ai21',
  id: 'x-model',
  name: 'X',
  rates: { input: '1', output: '2' },
  source: 'https://example.com/pricing',
  as_of: '2026-01-01',
};

describe('the schema rejects a broken overlay with a message naming the entry and field', () => {
  test('missing source', () => {
    const { source: _s, ...noSource } = goodModel;
    expect(() => parseOverlay({ as_of: '2026-11-24', models: [noSource] })).toThrow(OverlayError);
    expect(() => parseOverlay({ as_of: '2026-11-24', models: [noSource] })).toThrow(
      /models\[0\]\.source \("x-model"\): source is required/,
    );
  });

  test('empty source', () => {
    expect(() => parseOverlay({ as_of: '2026-11-24', models: [{ ...goodModel, source: '  ' }] })).toThrow(/source is required/);
  });

  test.each([
    ['not a date', 'yesterday', /must be a date YYYY-MM-DD/],
    ['impossible date', '2026-02-30', /is not a real calendar date/],
    ['missing date', undefined, /must be a date YYYY-MM-DD/],
  ])('bad as_of: %s', (_label, asOf, message) => {
    const entry = { ...goodModel, as_of: asOf };
    expect(() => parseOverlay({ as_of: '2026-11-24', models: [entry] })).toThrow(message);
    expect(() => parseOverlay({ as_of: '2026-11-24', models: [entry] })).toThrow(/models\[0\]\.as_of \("x-model"\)/);
  });

  test.each([
    ['negative', '-1'],
    ['number instead of decimal text', 2.5],
    ['too many decimals', '0.0000000000001'],
    ['garbage', 'cheap'],
  ])('bad price: %s', (_label, price) => {
    const entry = { ...goodModel, rates: { input: price, output: '1' } };
    expect(() => parseOverlay({ as_of: '2026-11-24', models: [entry] })).toThrow(
      /models\[0\]\.rates\.input \("x-model"\): must be a non-negative decimal/,
    );
  });

  test('a bad top-level as_of and a performance entry without figures', () => {
    expect(() => parseOverlay({ as_of: '24/11/2026' })).toThrow(/as_of: must be a date/);
    const perf = { model: 'openai:gpt-4o', source: 's', as_of: '2026-01-01' };
    expect(() => parseOverlay({ as_of: '2026-11-24', performance: [perf] })).toThrow(/needs throughput_tps or latency_ms/);
    expect(() => parseOverlay({ as_of: '2026-11-24', performance: [{ ...perf, throughput_tps: -5 }] })).toThrow(
      /performance\[0\]\.throughput_tps/,
    );
  });

  test('a generic name must point at provider:model keys', () => {
    const g = { name: 'x', display_name: 'X', offers: ['no-colon'], source: 's', as_of: '2026-01-01' };
    expect(() => parseOverlay({ as_of: '2026-11-24', generic: [g] })).toThrow(/generic\[0\]\.offers\[0\] \("x"\): must be a catalog key/);
  });

  test('a patch: a schedule starts unconditioned, a daily window has both ends, one of rates/schedule/tiers, a larger extended window', () => {
    const patch = (p: object) => parseOverlay({ as_of: '2026-11-24', patches: [{ model: 'p:m', source: 's', as_of: '2026-01-01', ...p }] });
    const r = { input: '1' };
    expect(() => patch({ schedule: [{ start_date: '2026-01-01', rates: r }, { rates: r }] })).toThrow(
      /first price set of a schedule has no condition/,
    );
    expect(() => patch({ schedule: [{ rates: r }, { start_time: '01:00:00Z', rates: r }] })).toThrow(/needs both start_time and end_time/);
    expect(() => patch({ schedule: [{ rates: r }, { start_date: '2026-01-01T25:00Z', rates: r }] })).toThrow(/date-time/);
    expect(() => patch({ schedule: [{ rates: r }, { weekdays_only: true, start_date: '2026-01-01', rates: r }] })).toThrow(
      /weekdays_only goes with a daily window/,
    );
    expect(() => patch({ rates: r, tiers: { input_mtok: [{ start: 200_000, rate: '6' }] } })).toThrow(/one of rates, schedule and tiers/);
    expect(() => patch({ context_window: 200_000, extended_context: { window: 100_000, requires: 'x' } })).toThrow(
      /larger than context_window/,
    );
    expect(() => patch({ extended_context: { window: 1_000_000, requires: 'x', from: '2026-05-01', until: '2026-04-30' } })).toThrow(
      /from must be before until/,
    );
  });

  test('every problem is listed, not just the first', () => {
    const broken = { as_of: 'x', models: [{ ...goodModel, source: '', rates: { input: '-2' } }] };
    try {
      parseOverlay(broken);
      expect.unreachable();
    } catch (err) {
      const msg = (err as Error).message;
      expect(msg).toContain('as_of: must be a date');
      expect(msg).not.toContain('as_of: is not a real calendar date'); // one message per problem
      expect(msg).toContain('models[0].source');
      expect(msg).toContain('models[0].rates.input');
    }
  });
});

describe('the real overlay', () => {
  let catalog: Catalog;
  beforeAll(async () => {
    catalog = await loadCatalog({ now: new Date('2026-11-24T12:00:00Z') });
  });

  test('passes the schema', () => {
    expect(() => parseOverlay(realOverlay())).not.toThrow();
  });

  test('every entry has provenance: a source and a real as-of date', () => {
    const o = parseOverlay(realOverlay());
    const entries = [...o.providers, ...o.models, ...o.aliases, ...o.generic, ...o.performance, ...o.use_cases];
    expect(entries.length).toBeGreaterThan(100);
    for (const e of entries) {
      expect(e.source.trim()).not.toBe('');
      expect(e.as_of).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(e.as_of <= o.as_of).toBe(true); // nothing dated after the overlay itself
    }
  });

  test('figures without a published source are marked estimate: true and say so', () => {
    const o = parseOverlay(realOverlay());
    const estimates = o.performance.filter((p) => p.estimate);
    expect(estimates.length).toBeGreaterThan(30);
    for (const p of o.performance) {
      // anything not sourced from a URL is ours, so it must be flagged
      if (!/^https:\/\//.test(p.source)) expect(p.estimate).toBe(true);
      if (p.estimate) expect(p.note ?? '').toMatch(/not measured/);
    }
  });

  test('builds without warnings: every alias, generic offer, performance and use-case entry finds its model', () => {
    expect(catalog.warnings).toEqual([]);
  });

  test('at least 40 models carry both performance and use-case entries, across the providers', () => {
    const both = catalog.all_models.filter((m) => m.performance && m.use_case);
    expect(both.length).toBeGreaterThanOrEqual(40);
    const withUseCase = new Set(catalog.all_models.filter((m) => m.use_case).map((m) => m.provider.id));
    for (const id of [
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
    ]) {
      expect(withUseCase.has(id), id).toBe(true);
    }
  });

  test('a dangling reference in an overlay is reported, not silently dropped', async () => {
    const o = parseOverlay({
      ...realOverlay(),
      aliases: [{ alias: 'ghost', target: 'openai:no-such-model', source: 's', as_of: '2026-01-01' }],
    });
    const c = buildCatalog(await loadBaseProviders(), o, { baseVersion: 'test' });
    expect(c.warnings).toEqual(['overlay alias "ghost" points at "openai:no-such-model", which the catalog does not have']);
    expect(c.resolve('ghost').ok).toBe(false);
  });

  test('tiers for a price the model lacks are reported, not added', async () => {
    const o = parseOverlay({
      ...realOverlay(),
      patches: [{ model: 'openai:gpt-4', tiers: { cache_write_1h_mtok: [{ start: 1000, rate: '1' }] }, source: 's', as_of: '2026-01-01' }],
    });
    const c = buildCatalog(await loadBaseProviders(), o, { baseVersion: 'test' });
    expect(c.warnings).toEqual(['overlay patch of "openai:gpt-4" adds tiers to "cache_write_1h_mtok", a price the model does not have']);
  });

  test('a changed overlay gives a different catalog version; the same input the same version', async () => {
    const providers = await loadBaseProviders();
    const now = new Date('2026-11-24T00:00:00Z');
    const a = buildCatalog(providers, parseOverlay(realOverlay()), { now, baseVersion: 'v' });
    const b = buildCatalog(providers, parseOverlay(realOverlay()), { now, baseVersion: 'v' });
    const changed = clone(realOverlay());
    (changed.models as Array<{ rates: { input: string } }>)[0]!.rates.input = '99';
    const c = buildCatalog(providers, parseOverlay(changed), { now, baseVersion: 'v' });
    expect(a.version).toBe(b.version);
    expect(c.version).not.toBe(a.version);
  });
});
