// Pins the exact bytes of a set of tool answers (the CallToolResult a tools/call
// returns, serialized as every transport serializes it), so that work on the
// per-call path (validation, the cost core, rendering) shows any change at once.
// The pinned file is regenerated with `npx vitest run test/mcp/pinned-answers.test.ts -u`
// when an answer is meant to change (new price data, new wording), and the diff read.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type ServerContext } from '../../src/mcp/context.js';
import { runTool } from '../../src/mcp/dispatch.js';
import { TOOLS } from '../../src/mcp/tools/index.js';

type Args = Record<string, unknown>;

const est = (args: Args): [string, Args] => ['estimate_cost', args];
const AT_NOON = '2026-03-04T12:00:00Z';

// Every case names `at` where time could change the answer (schedules, time-of-day windows).
const CASES: Array<[string, string, Args]> = [
  ['the bench call', ...est({ model_name: 'gpt-4', input_tokens: 1000, output_tokens: 500 })],
  ['volume, cache', ...est({ model_name: 'gpt-4o', input_tokens: 10_000, output_tokens: 10, cached_input_tokens: 8000, requests: 1000 })],
  ['batch', ...est({ model_name: 'gpt-4o', input_tokens: 100_000, output_tokens: 0, batch: true, at: AT_NOON })],
  ['service tier', ...est({ model_name: 'gpt-5', input_tokens: 1234, output_tokens: 567, service_tier: 'flex', at: AT_NOON })],
  [
    'cache writes 1h, batch, web searches',
    ...est({
      model_name: 'claude-haiku-4-5',
      input_tokens: 10_000,
      cache_write_tokens: 4000,
      cached_input_tokens: 1000,
      output_tokens: 1000,
      web_searches: 2,
      batch: true,
      cache_write_ttl: '1h',
      requests: 3,
      at: AT_NOON,
    }),
  ],
  ['long-context tier', ...est({ model_name: 'gemini-2.5-pro', input_tokens: 250_000, output_tokens: 2000, at: AT_NOON })],
  [
    'at the tier boundary',
    ...est({ model_name: 'claude-sonnet-4-5', input_tokens: 200_000, output_tokens: 0, allow_over_context: true, at: AT_NOON }),
  ],
  [
    'over the tier boundary',
    ...est({ model_name: 'claude-sonnet-4-5', input_tokens: 200_001, output_tokens: 0, allow_over_context: true, at: AT_NOON }),
  ],
  [
    'reasoning priced apart, search context',
    ...est({ model_name: 'sonar-deep-research', input_tokens: 1000, output_tokens: 1000, reasoning_tokens: 400, at: AT_NOON }),
  ],
  [
    'search context',
    ...est({ model_name: 'sonar', input_tokens: 1000, output_tokens: 1000, requests: 10, search_context: 'high', at: AT_NOON }),
  ],
  ['reasoning inside output', ...est({ model_name: 'o3', input_tokens: 1000, output_tokens: 1000, reasoning_tokens: 900, at: AT_NOON })],
  ['a dated price set', ...est({ model_name: 'o3', input_tokens: 100_000, output_tokens: 0, at: '2025-06-09T23:59:59Z' })],
  [
    'time of day, off-peak',
    ...est({ model_name: 'deepseek-chat', input_tokens: 10_000, output_tokens: 10_000, at: '2026-12-02T20:00:00Z' }),
  ],
  [
    'time of day named, no at',
    ...est({ model_name: 'deepseek-chat', input_tokens: 10_000, output_tokens: 10_000, at: '2026-12-02T10:00:00Z' }),
  ],
  [
    'region',
    ...est({
      model_name: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      input_tokens: 1000,
      output_tokens: 10,
      region: 'global',
      at: AT_NOON,
    }),
  ],
  ['several hosts', ...est({ model_name: 'openai/gpt-oss-120b', input_tokens: 1000, output_tokens: 1000, at: AT_NOON })],
  [
    'other usage',
    ...est({
      model_name: 'gpt-4o-audio-preview',
      input_tokens: 5000,
      output_tokens: 500,
      other_usage: { input_audio_tokens: 1000, output_audio_tokens: 50 },
      at: AT_NOON,
    }),
  ],
  ['input-only model', ...est({ model_name: 'text-embedding-3-small', input_tokens: 1000, output_tokens: 10, at: AT_NOON })],
  [
    'over the context window, allowed',
    ...est({ model_name: 'gpt-4', input_tokens: 1_000_000, output_tokens: 0, allow_over_context: true }),
  ],
  ['over the context window', ...est({ model_name: 'gpt-4', input_tokens: 1_000_000, output_tokens: 0 })],
  ['unknown model', ...est({ model_name: 'gpt-4x', input_tokens: 1, output_tokens: 1 })],
  ['bad argument', ...est({ model_name: 'gpt-4', input_tokens: -5, output_tokens: 1.5, colour: 'red' })],
  ['modifier the model lacks', ...est({ model_name: 'gpt-4', input_tokens: 10, output_tokens: 10, service_tier: 'flex' })],
  [
    'compare_costs',
    'compare_costs',
    {
      model_names: ['gpt-4o', 'claude-haiku-4-5', 'gpt-4x', 'gemini-2.5-pro', 'gpt-4'],
      input_tokens: 150_000,
      output_tokens: 1000,
      allow_over_context: true,
      at: AT_NOON,
    },
  ],
  [
    'compare_costs, batch',
    'compare_costs',
    { model_names: ['gpt-4o', 'claude-haiku-4-5', 'gemini-2.5-pro'], input_tokens: 2000, output_tokens: 300, batch: true, at: AT_NOON },
  ],
  ['get_all_pricing', 'get_all_pricing', { provider: 'OpenAI', limit: 5 }],
  ['get_performance_metrics', 'get_performance_metrics', { model_names: ['gpt-4o', 'nonexistent-model-q'], include_cost: true }],
  ['get_use_cases', 'get_use_cases', { use_case: 'Coding' }],
];

let ctx: ServerContext;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pinned-answers-telemetry-'));
  ctx = await createContext({ telemetryDir: dir });
});
afterAll(async () => {
  await ctx.telemetry.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('tool answers, byte for byte', () => {
  it('are the pinned ones', async () => {
    const byName = new Map(TOOLS.map((t) => [t.name, t]));
    const answers = CASES.map(([label, name, args]) => {
      const run = runTool(byName.get(name)!, args, ctx);
      expect(run.internal, label).toBe(false);
      return `## ${label}\n${JSON.stringify(run.result)}\n`;
    });
    await expect(answers.join('\n')).toMatchFileSnapshot('./__pinned__/tool-answers.txt');
  });
});
