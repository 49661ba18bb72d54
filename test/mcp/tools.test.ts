// Each tool through the SDK client: a happy path, and every mistake a caller can
// make coming back as an isError result whose text says what to fix.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool, cleanupTempDirs, connectSdk, tempDir, textOf, type Json, type SdkServer, type ToolResult } from './helpers.js';

let server: SdkServer;
let telemetryDir: string;

beforeAll(async () => {
  telemetryDir = await tempDir();
  server = await connectSdk({ telemetryDir });
});

afterAll(async () => {
  await server?.close();
  await cleanupTempDirs();
});

async function ok(name: string, args: Json): Promise<Json> {
  const r = await callTool(server.client, name, args);
  if (r.isError) throw new Error(`${name} failed: ${textOf(r)}`);
  const s = r.structuredContent!;
  expect(typeof s.data_as_of).toBe('string');
  expect(s.data_as_of.length).toBeGreaterThan(0);
  expect(typeof s.source).toBe('string');
  expect(textOf(r).length).toBeGreaterThan(10);
  return s;
}

async function fails(name: string, args: Json, ...expected: Array<string | RegExp>): Promise<ToolResult> {
  const r = await callTool(server.client, name, args);
  expect(r.isError, `${name} ${JSON.stringify(args)} should fail`).toBe(true);
  expect(r.structuredContent).toBeUndefined();
  for (const e of expected) expect(textOf(r)).toMatch(e);
  return r;
}

describe('get_all_pricing', () => {
  it('pages through the catalog', async () => {
    const first = await ok('get_all_pricing', {});
    expect(first.limit).toBe(50);
    expect(first.offset).toBe(0);
    expect(first.models).toHaveLength(50);
    expect(first.total).toBeGreaterThan(50);
    expect(first.next_offset).toBe(50);
    const m = first.models[0];
    expect(m).toHaveProperty('input_per_1m');
    expect(m).toHaveProperty('context_window');
    expect(['active', 'discontinued']).toContain(m.provider_status);

    const second = await ok('get_all_pricing', { offset: first.next_offset, limit: 50 });
    expect(second.models[0].key).not.toBe(first.models[0].key);
    const last = await ok('get_all_pricing', { offset: first.total - 3, limit: 200 });
    expect(last.models).toHaveLength(3);
    expect(last.next_offset).toBeNull();
  });

  it('filters by provider (id or name), category and deprecation', async () => {
    const openai = await ok('get_all_pricing', { provider: 'OpenAI', limit: 200 });
    expect(openai.total).toBeGreaterThan(5);
    expect(openai.models.every((m: Json) => m.provider === 'openai')).toBe(true);
    expect(openai.models.some((m: Json) => m.model === 'gpt-4')).toBe(true);

    const embeddings = await ok('get_all_pricing', { category: 'embedding', limit: 200 });
    expect(embeddings.total).toBeGreaterThan(0);
    expect(embeddings.models.every((m: Json) => m.category === 'embedding')).toBe(true);

    const withDeprecated = await ok('get_all_pricing', { include_deprecated: true, limit: 1 });
    const without = await ok('get_all_pricing', { limit: 1 });
    expect(withDeprecated.total).toBeGreaterThanOrEqual(without.total);

    const anyscale = await ok('get_all_pricing', { provider: 'anyscale', include_deprecated: true });
    expect(anyscale.total).toBeGreaterThan(0);
    expect(anyscale.models.every((m: Json) => m.provider_status === 'discontinued')).toBe(true);
  });

  it('rejects bad filters and page sizes with what to fix', async () => {
    await fails('get_all_pricing', { provider: 'acme-ai' }, /Unknown provider "acme-ai"/, /openai/, /anthropic/);
    await fails('get_all_pricing', { limit: 500 }, /limit must be at most 200, got 500/);
    await fails('get_all_pricing', { limit: 0 }, /limit must be at least 1/);
    await fails('get_all_pricing', { offset: -1 }, /offset cannot be negative/);
    await fails('get_all_pricing', { category: 'cheap' }, /category must be one of budget, standard, premium, embedding/);
    await fails('get_all_pricing', { providr: 'openai' }, /unknown argument providr/, /provider/);
  });
});

describe('estimate_cost', () => {
  it('resolves qualified names and snapshots, scales by requests, prices cached input', async () => {
    const q = await ok('estimate_cost', { model_name: 'openai:gpt-4', input_tokens: 5000, output_tokens: 2000 });
    expect(q).toMatchObject({ model: 'gpt-4', provider: 'openai', total_cost: 0.27, resolved_via: 'qualified' });

    const snap = await ok('estimate_cost', { model_name: 'GPT-4o-2024-08-06', input_tokens: 1000, output_tokens: 1000 });
    expect(snap.provider).toBe('openai');
    expect(snap.model).toMatch(/^gpt-4o/);

    const volume = await ok('estimate_cost', { model_name: 'gpt-4', input_tokens: 5000, output_tokens: 2000, requests: 1000 });
    expect(volume).toMatchObject({ requests: 1000, total_cost: 270, per_request_total_cost: 0.27, input_cost: 150, output_cost: 120 });

    const plain = await ok('estimate_cost', { model_name: 'gpt-4o', input_tokens: 10_000, output_tokens: 0 });
    const cached = await ok('estimate_cost', { model_name: 'gpt-4o', input_tokens: 10_000, output_tokens: 0, cached_input_tokens: 8000 });
    expect(cached.cached_input_tokens).toBe(8000);
    expect(cached.cached_input_cost).toBeGreaterThan(0);
    expect(cached.total_cost).toBeLessThan(plain.total_cost);
    expect(cached.rates_used.cached_input_per_1m).toBeGreaterThan(0);
  });

  it('names close matches for an unknown model', async () => {
    const r = await fails('estimate_cost', { model_name: 'gpt-4x', input_tokens: 1, output_tokens: 1 }, /gpt-4x/, /did you mean/i);
    expect(textOf(r)).toContain('gpt-4');
  });

  it('rejects bad token counts and arguments, saying which and why', async () => {
    await fails('estimate_cost', { model_name: 'gpt-4', input_tokens: -5, output_tokens: 1 }, /input_tokens cannot be negative, got -5/);
    await fails(
      'estimate_cost',
      { model_name: 'gpt-4', input_tokens: 1, output_tokens: 2.5 },
      /output_tokens must be a whole number of tokens, got 2.5/,
    );
    await fails('estimate_cost', { model_name: 'gpt-4', input_tokens: 1000 }, /output_tokens is required/);
    await fails(
      'estimate_cost',
      { model_name: 'gpt-4', input_tokens: '5000', output_tokens: 1 },
      /input_tokens must be a whole number of tokens, got "5000"/,
    );
    await fails('estimate_cost', { input_tokens: 1, output_tokens: 1 }, /model_name is required/);
    await fails('estimate_cost', { model_name: '  ', input_tokens: 1, output_tokens: 1 }, /model_name must not be empty/);
    await fails('estimate_cost', { model_name: 'gpt-4', input_tokens: 1, output_tokens: 1, requests: 0 }, /requests must be at least 1/);
    await fails(
      'estimate_cost',
      { model_name: 'gpt-4', input_tokens: 100, output_tokens: 1, cached_input_tokens: 500 },
      /cached_input_tokens/,
    );
  });
});

describe('compare_costs', () => {
  it('ranks models cheapest first with the range', async () => {
    const r = await ok('compare_costs', {
      model_names: ['gpt-4', 'gpt-3.5-turbo', 'claude-3-opus'],
      input_tokens: 5000,
      output_tokens: 2000,
    });
    expect(r.comparison.map((c: Json) => c.model)).toEqual(['gpt-3.5-turbo', expect.stringMatching(/claude-3-opus/), 'gpt-4']);
    expect(r.comparison.map((c: Json) => c.rank)).toEqual([1, 2, 3]);
    expect(r.cheapest_model).toBe('gpt-3.5-turbo');
    expect(r.most_expensive_model).toBe('gpt-4');
    const totals = r.comparison.map((c: Json) => c.total_cost);
    expect(r.cost_range).toEqual({ min: totals[0], max: 0.27, difference: Math.round((0.27 - totals[0]) * 1e10) / 1e10 });
    expect(String(r.cost_range.difference).length).toBeLessThan(12); // no float noise like 0.26449999999999996
    expect(r.comparison[0].difference_from_cheapest).toBe(0);
    expect(r.unknown_models).toEqual([]);
  });

  it('lists unknown names with suggestions without failing', async () => {
    const r = await ok('compare_costs', { model_names: ['gpt-4', 'gpt-3.5-turbo', 'gpt-4x'], input_tokens: 1000, output_tokens: 1000 });
    expect(r.comparison).toHaveLength(2);
    expect(r.unknown_models).toHaveLength(1);
    expect(r.unknown_models[0].model_name).toBe('gpt-4x');
    expect(r.unknown_models[0].suggestions).toContain('gpt-4');
  });

  it('needs two known models and a sane list', async () => {
    await fails('compare_costs', { model_names: [], input_tokens: 1, output_tokens: 1 }, /at least 2 models/, /got 0/);
    await fails('compare_costs', { model_names: ['gpt-4'], input_tokens: 1, output_tokens: 1 }, /at least 2 models/, /estimate_cost/);
    await fails(
      'compare_costs',
      { model_names: ['gpt-4', 'zzz-unknown'], input_tokens: 1, output_tokens: 1 },
      /at least 2 different known models/,
      /zzz-unknown/,
    );
    await fails(
      'compare_costs',
      { model_names: ['gpt-4', 'openai:gpt-4'], input_tokens: 1, output_tokens: 1 },
      /at least 2 different known models/,
    );
    const many = Array.from({ length: 26 }, (_, i) => `model-${i}`);
    await fails('compare_costs', { model_names: many, input_tokens: 1, output_tokens: 1 }, /at most 25/);
    await fails('compare_costs', { model_names: 'gpt-4, gpt-4o', input_tokens: 1, output_tokens: 1 }, /model_names must be a list/);
    await fails(
      'compare_costs',
      { model_names: ['gpt-4', 'gpt-4o'], input_tokens: -1, output_tokens: 1 },
      /input_tokens cannot be negative/,
    );
  });
});

describe('get_performance_metrics', () => {
  it('lists figures with scores, the best model for each, and the formulas', async () => {
    const r = await ok('get_performance_metrics', {});
    expect(r.models.length).toBeGreaterThan(3);
    for (const k of ['throughput', 'latency', 'context_window', 'performance', 'value']) expect(r.best[k]).toEqual(expect.any(String));
    expect(r.scoring.performance_score).toMatch(/throughput_tps/);
    expect(r.scoring.value_score).toMatch(/blended/);
    for (const m of r.models) {
      if (m.performance_score !== null) expect(m.performance_score).toBeGreaterThanOrEqual(0);
      if (m.performance_score !== null) expect(m.performance_score).toBeLessThanOrEqual(100);
      if (m.value_score !== null) {
        expect(m.value_score).toBeCloseTo(m.performance_score / m.blended_cost_per_1m, 1);
      }
    }
    const fastest = Math.max(...r.models.map((m: Json) => m.throughput_tps ?? 0));
    expect(r.models.find((m: Json) => m.key === r.best.throughput).throughput_tps).toBe(fastest);
  });

  it('filters by provider and by names; include_cost false drops the value score', async () => {
    const groq = await ok('get_performance_metrics', { provider: 'groq' });
    expect(groq.models.length).toBeGreaterThan(0);
    expect(groq.models.every((m: Json) => m.provider === 'groq')).toBe(true);

    const named = await ok('get_performance_metrics', { model_names: ['gpt-4o', 'nonexistent-model-q'], include_cost: false });
    expect(named.models.map((m: Json) => m.model)).toEqual(['gpt-4o']);
    expect(named.unknown_models[0].model_name).toBe('nonexistent-model-q');
    expect(named.models[0].value_score).toBeNull();
    expect(named.models[0].blended_cost_per_1m).toBeNull();
  });

  it('rejects unknown providers and lists without a known model', async () => {
    await fails('get_performance_metrics', { provider: 'acme-ai' }, /Unknown provider "acme-ai"/);
    await fails('get_performance_metrics', { model_names: ['nonexistent-model-q'] }, /None of model_names is a known model/);
    await fails('get_performance_metrics', { model_names: [] }, /at least one model/);
    await fails('get_performance_metrics', { include_cost: 'yes' }, /include_cost must be true or false/);
  });
});

describe('get_use_cases', () => {
  it('lists what models are good for, filtered by words and provider', async () => {
    const all = await ok('get_use_cases', {});
    expect(all.total).toBeGreaterThan(5);
    const m = all.models[0];
    expect(m.best_for.length).toBeGreaterThan(0);
    expect(Array.isArray(m.use_cases)).toBe(true);
    expect(Array.isArray(m.strengths)).toBe(true);
    expect(['low', 'medium', 'high']).toContain(m.cost_tier);

    const coding = await ok('get_use_cases', { use_case: 'Coding' });
    expect(coding.total).toBeGreaterThan(0);
    expect(coding.total).toBeLessThan(all.total);
    for (const c of coding.models) {
      expect([c.model, c.name, c.best_for, ...c.use_cases, ...c.strengths].join(' ').toLowerCase()).toContain('coding');
    }

    const anthropic = await ok('get_use_cases', { provider: 'anthropic' });
    expect(anthropic.models.every((x: Json) => x.provider === 'anthropic')).toBe(true);

    const none = await ok('get_use_cases', { use_case: 'underwater basket weaving' });
    expect(none.total).toBe(0);
    expect(none.note).toMatch(/Try fewer or broader words/);
  });

  it('rejects unknown providers and empty filters', async () => {
    await fails('get_use_cases', { provider: 'acme-ai' }, /Unknown provider "acme-ai"/);
    await fails('get_use_cases', { use_case: '' }, /use_case must not be empty/);
    await fails('get_use_cases', { use_case: 42 }, /use_case must be a string/);
  });
});

describe('get_telemetry', () => {
  it('counts the calls made so far with latency percentiles', async () => {
    await ok('estimate_cost', { model_name: 'gpt-4', input_tokens: 1, output_tokens: 1 });
    await fails('estimate_cost', { model_name: 'gpt-4', input_tokens: -1, output_tokens: 1 });
    const t = await ok('get_telemetry', { include_details: true, limit: 100 });
    expect(t.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(t.color).toBeNull();
    expect([t.scope, t.replica]).toEqual(['host', null]);
    expect(t.uptime_s).toBeGreaterThanOrEqual(0);
    expect(t.requests_total).toBeGreaterThanOrEqual(t.process.requests);
    expect(t.errors_total).toBeGreaterThan(0);
    const est = t.tools.find((x: Json) => x.tool === 'estimate_cost');
    expect(est.calls).toBeGreaterThanOrEqual(2);
    expect(est.errors).toBeGreaterThanOrEqual(1);
    expect(est.p50_ms).toBeGreaterThan(0);
    expect(est.p95_ms).toBeGreaterThanOrEqual(est.p50_ms);
    expect(est.p99_ms).toBeGreaterThanOrEqual(est.p95_ms);
    expect(est.p99_ms).toBeLessThanOrEqual(est.max_ms);
    expect(t.details.store.dir).toBe(telemetryDir);
    expect(t.details.catalog.models).toBeGreaterThan(100);

    const short = await ok('get_telemetry', { limit: 1 });
    expect(short.tools).toHaveLength(1);
    expect(short).not.toHaveProperty('details');
  });

  it('rejects bad limits and flags', async () => {
    await fails('get_telemetry', { limit: 0 }, /limit must be at least 1/);
    await fails('get_telemetry', { limit: 1000 }, /limit must be at most 100/);
    await fails('get_telemetry', { include_details: 'yes' }, /include_details must be true or false/);
  });
});
