// The itemized answers (C1) and the questions users ask, through the SDK client.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool, cleanupTempDirs, connectSdk, tempDir, textOf, type Json, type SdkServer } from './helpers.js';

let server: SdkServer;

beforeAll(async () => {
  server = await connectSdk({ telemetryDir: await tempDir() });
});

afterAll(async () => {
  await server?.close();
  await cleanupTempDirs();
});

async function ok(name: string, args: Json): Promise<Json> {
  const r = await callTool(server.client, name, args);
  if (r.isError) throw new Error(`${name} failed: ${textOf(r)}`);
  return r.structuredContent!;
}

describe('estimate_cost answers itemized', () => {
  it('Perplexity sonar shows its search fee as a line, the context it assumed, and the host', async () => {
    const s = await ok('estimate_cost', { model_name: 'sonar', input_tokens: 1000, output_tokens: 1000 });
    expect(s.lines.map((l: Json) => [l.item, l.cost, l.pricing])).toEqual([
      ['input', 0.001, 'priced'],
      ['output', 0.001, 'priced'],
      ['search_fee', 0.005, 'priced'],
    ]);
    expect(s).toMatchObject({ total_cost: 0.007, request_cost: 0.005, host: 'perplexity', other_hosts: [] });
    expect(s.modifiers).toEqual({ batch: false, service_tier: null, cache_write_ttl: null, search_context: 'low', region: null, at: null });
    expect(
      textOf(await callTool(server.client, 'estimate_cost', { model_name: 'sonar', input_tokens: 1000, output_tokens: 1000 })),
    ).toMatch(/Web search fee, low search context \$0\.005/);
  });

  it('modifiers are arguments; one the model lacks is an isError naming what it has', async () => {
    const s = await ok('estimate_cost', { model_name: 'gpt-4o', input_tokens: 100_000, output_tokens: 0, batch: true });
    expect(s.total_cost).toBe(0.125);
    expect(s.conditions.map((c: Json) => c.kind)).toContain('batch');
    const r = await callTool(server.client, 'estimate_cost', {
      model_name: 'gpt-4',
      input_tokens: 10,
      output_tokens: 10,
      service_tier: 'flex',
    });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/service_tier "flex" does not apply to openai:gpt-4/);
    const bad = await callTool(server.client, 'estimate_cost', {
      model_name: 'gpt-4o',
      input_tokens: 10,
      output_tokens: 10,
      service_tier: 'gold',
    });
    expect(textOf(bad)).toMatch(/service_tier must be one of standard, flex, priority/);
  });

  it('an input over the context window fails, or is priced with a warning', async () => {
    const r = await callTool(server.client, 'estimate_cost', { model_name: 'gpt-4', input_tokens: 1_000_000, output_tokens: 0 });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/context window.*allow_over_context/);
    const s = await ok('estimate_cost', { model_name: 'gpt-4', input_tokens: 1_000_000, output_tokens: 0, allow_over_context: true });
    expect(s.warnings.join(' ')).toMatch(/context window/);
    expect(s.context_window).toBe(8192);
  });

  it('a name several hosts answer says which host priced it and lists the others', async () => {
    const s = await ok('estimate_cost', { model_name: 'openai/gpt-oss-120b', input_tokens: 1000, output_tokens: 1000 });
    expect(s.host).toBe('groq');
    expect(s.other_hosts).toContain('openai:gpt-oss-120b');
    expect(s.note).toMatch(/priced at Groq's offer/);
  });
});

describe('compare_costs takes the same arguments', () => {
  it('rows carry lines; a model the modifiers cannot price is listed apart', async () => {
    const s = await ok('compare_costs', {
      model_names: ['gpt-4o', 'claude-haiku-4-5', 'gpt-4'],
      input_tokens: 1000,
      output_tokens: 1000,
      batch: true,
    });
    expect(s.comparison.map((r: Json) => r.key).sort()).toEqual(['anthropic:claude-haiku-4-5', 'openai:gpt-4o']);
    for (const row of s.comparison) expect(row.lines.length).toBeGreaterThanOrEqual(2);
    expect(s.not_priced).toEqual([
      expect.objectContaining({ key: 'openai:gpt-4', message: expect.stringMatching(/batch: true does not apply/) }),
    ]);
  });
});

describe('the questions users ask', () => {
  it('cheapest model with tools and a 200k context is one get_all_pricing call', async () => {
    const s = await ok('get_all_pricing', { min_context_window: 200_000, capability: 'tools', sort_by: 'blended_price', limit: 20 });
    expect(s.models.length).toBeGreaterThan(3);
    const blended = s.models.map((m: Json) => m.blended_per_1m);
    for (let i = 1; i < blended.length; i++)
      if (blended[i] !== null && blended[i - 1] !== null) expect(blended[i]).toBeGreaterThanOrEqual(blended[i - 1]);
    for (const m of s.models) {
      expect(m.context_window).toBeGreaterThanOrEqual(200_000);
      expect(m.capabilities).toContain('tools');
    }
    expect(s.filters).toMatchObject({ min_context_window: 200_000, capability: 'tools', sort_by: 'blended_price' });
  });

  it('context_window sorts largest first; unknown sorts and capabilities are refused', async () => {
    const s = await ok('get_all_pricing', { sort_by: 'context_window', limit: 5 });
    expect(s.models[0].context_window).toBeGreaterThanOrEqual(s.models[4].context_window);
    const r = await callTool(server.client, 'get_all_pricing', { sort_by: 'cheapest' });
    expect(textOf(r)).toMatch(/sort_by must be one of provider, input_price/);
  });

  it('get_use_cases shows prices', async () => {
    const s = await ok('get_use_cases', { use_case: 'coding' });
    expect(s.models.length).toBeGreaterThan(0);
    expect(typeof s.models[0].input_per_1m).toBe('number');
  });

  it("the cheapest_model_for_workload prompt's task filters the shortlist", async () => {
    const text = async (task?: string): Promise<string> => {
      const r = await server.client.getPrompt({
        name: 'cheapest_model_for_workload',
        arguments: { input_tokens: '2000', output_tokens: '500', ...(task ? { task } : {}) },
      });
      const c = r.messages[0]!.content;
      return c.type === 'text' ? c.text : '';
    };
    const plain = await text();
    const coding = await text('write and review code');
    expect(coding).toMatch(/Only models whose use-case notes mention "write" or "review" or "code"/);
    expect(coding).not.toBe(plain);
    expect(await text('qqqqzzzz')).toMatch(/No model's use-case notes mention "qqqqzzzz"/);
  });
});
