import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectCanonicalAnswers, diffAnswers, MAX_DIFF_LINES } from '../../src/check/validate/canonical.js';
import { splitCommandLine } from '../../src/check/shell-words.js';
import { baseUrlOf } from '../../src/check/http-get.js';
import { startHttpFixture } from './helpers.js';
import type { RunningServer } from './helpers.js';

describe('diffAnswers', () => {
  it('names each differing leaf with its path, before -> after', () => {
    const before = { estimate_cost: { total_cost: 0.27, currency: 'USD', rates: [1, 2] }, get_use_cases: { models: [{ model: 'a' }] } };
    const after = {
      estimate_cost: { total_cost: 0.3, currency: 'USD', rates: [1] },
      get_use_cases: { models: [{ model: 'b' }] },
      extra: { x: 1 },
    };
    expect(diffAnswers(before, after)).toEqual([
      'estimate_cost.rates[1]: 2 -> (absent)',
      'estimate_cost.total_cost: 0.27 -> 0.3',
      'extra: (absent) -> {"x":1}',
      'get_use_cases.models[0].model: "a" -> "b"',
    ]);
  });

  it('is empty for equal answers and caps long diffs', () => {
    expect(diffAnswers({ a: { b: [1, { c: null }] } }, { a: { b: [1, { c: null }] } })).toEqual([]);
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]));
    const lines = diffAnswers({ t: many }, { t: {} });
    expect(lines).toHaveLength(MAX_DIFF_LINES + 1);
    expect(lines.at(-1)).toBe(`… and ${100 - MAX_DIFF_LINES} more differences`);
  });
});

describe('collectCanonicalAnswers', () => {
  let a: RunningServer;
  let b: RunningServer;
  beforeAll(async () => {
    [a, b] = await Promise.all([startHttpFixture(), startHttpFixture('--mode', 'bad-output')]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('collects each stable tool answer and diffs two servers', async () => {
    const before = await collectCanonicalAnswers({ url: a.url });
    const after = await collectCanonicalAnswers({ url: b.url });
    expect(Object.keys(before)).not.toContain('get_telemetry');
    expect(before.estimate_cost).toMatchObject({ model: 'gpt-4', total_cost: 0.06, currency: 'USD' });
    expect(diffAnswers(before, after)).toEqual(['estimate_cost.total_cost: 0.06 -> "0.06"']);
  });

  it('throws when nothing answers', async () => {
    const gone = await startHttpFixture();
    await gone.stop();
    await expect(collectCanonicalAnswers({ url: gone.url, timeoutMs: 2000 })).rejects.toThrow();
  });
});

describe('helpers', () => {
  it('splitCommandLine honours quotes and escapes', () => {
    expect(splitCommandLine(`node "dist/cli/main.js" serve --stdio`)).toEqual(['node', 'dist/cli/main.js', 'serve', '--stdio']);
    expect(splitCommandLine(`a 'b c' "d \\"e\\"" f\\ g ''`)).toEqual(['a', 'b c', 'd "e"', 'f g', '']);
    expect(() => splitCommandLine(`a "b`)).toThrow(/unterminated/);
  });

  it('baseUrlOf strips /mcp', () => {
    expect(baseUrlOf('http://127.0.0.1:8002/mcp')).toBe('http://127.0.0.1:8002');
    expect(baseUrlOf('http://127.0.0.1:8002/')).toBe('http://127.0.0.1:8002');
    expect(baseUrlOf('http://h:1/prefix/mcp/')).toBe('http://h:1/prefix');
  });
});
