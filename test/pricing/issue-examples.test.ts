// Issue 8's "What was seen", example by example, in its order: each gives the right model, host and price, or an
// error naming the right choices. (The wider checks live beside: every catalog model's lines add up to its total in
// lines.test.ts, today's line-ups in coverage.test.ts, the audit in test/prices/.)
import { beforeAll, describe, expect, test } from 'vitest';
import { estimateCost, loadCatalog, PricingInputError } from '../../src/pricing/index.js';
import type { Catalog, ModelEntry } from '../../src/pricing/index.js';

let catalog: Catalog;
beforeAll(async () => {
  catalog = await loadCatalog({ now: new Date('2026-12-02T12:00:00Z') });
});

function resolved(name: string) {
  const r = catalog.resolve(name);
  if (!r.ok) throw new Error(r.message);
  return r;
}
const model = (name: string): ModelEntry => resolved(name).model;
const cost = (m: ModelEntry, input: number, output: number, mods = {}) =>
  estimateCost(m, { input_tokens: input, output_tokens: output }, mods, { model: (k) => catalog.model(k) });

describe('hidden fees: every line that makes the total is shown', () => {
  test('Perplexity sonar at 1k/1k: input $0.001 + output $0.001 + search fee at the default low context $0.005', () => {
    const c = estimateCost(model('sonar'), { input_tokens: 1000, output_tokens: 1000 });
    expect(c.lines.map((l) => [l.item, l.cost])).toEqual([
      ['input', 0.001],
      ['output', 0.001],
      ['search_fee', 0.005],
    ]);
    expect(c.lines[2]).toMatchObject({ label: 'Web search fee, low search context', quantity: 1, unit: 'requests', rate: 5, per: 1000 });
    expect(c.total_cost).toBe(0.007);
    const condition = c.conditions.find((x) => x.kind === 'search_context');
    expect(condition).toMatchObject({ option: 'low', default: 'low', options: ['low', 'medium', 'high'] });
    expect(condition?.description).toMatch(/low search context \(the default/);
    expect(c.modifiers.search_context).toBe('low');
  });
});

describe('the wrong model, silently: host-specific ids resolve on their host, or fail with that host’s names', () => {
  test.each([
    ['anthropic.claude-sonnet-4-5-20250929-v1:0', 'aws:regional.anthropic.claude-sonnet-4-5-20250929-v1:0', '3.3'],
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'aws:regional.anthropic.claude-sonnet-4-5-20250929-v1:0', '3.3'],
    ['eu.anthropic.claude-sonnet-4-5-20250929-v1:0', 'aws:regional.anthropic.claude-sonnet-4-5-20250929-v1:0', '3.3'],
    ['global.anthropic.claude-sonnet-4-5-20250929-v1:0', 'aws:global.anthropic.claude-sonnet-4-5-20250929-v1:0', '3'],
    ['amazon.nova-pro-v1:0', 'aws:amazon.nova-pro-v1:0', '0.8'],
  ])('%s is Bedrock’s %s at $%s/1M input', (name, key, input) => {
    const r = resolved(name);
    expect(r.model.key).toBe(key);
    expect(r.model.rates.input).toBe(input);
  });

  test('an unknown Bedrock id never falls through to Google Vertex or Anthropic', () => {
    const r = catalog.resolve('anthropic.claude-sonnet-4-5-v1:0');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toMatch(/at provider Amazon Bedrock/);
      expect(r.suggestions.length).toBeGreaterThan(0);
      for (const s of r.suggestions) expect(catalog.resolve(`aws:${s}`).ok, s).toBe(true);
    }
  });

  test('Bedrock’s global and regional endpoints of one model are a region modifier', () => {
    const m = resolved('us.anthropic.claude-sonnet-4-5-20250929-v1:0').model;
    expect(cost(m, 1000, 0).total_cost).toBe(0.0033);
    const global = cost(m, 1000, 0, { region: 'global' });
    expect(global.total_cost).toBe(0.003);
    expect(global.priced_as).toBe('aws:global.anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(() => cost(m, 1000, 0, { region: 'eu' })).toThrow(/choose one of: global, regional/);
  });

  test('an org/model id that hosts list as is belongs to those hosts, and the others are named', () => {
    const r = resolved('openai/gpt-oss-120b');
    expect(r.model.key).toBe('groq:openai/gpt-oss-120b');
    expect(r.others?.map((o) => o.key)).toContain('openai:gpt-oss-120b');
  });

  test("Together's org/model ids are Together's (meta-llama/Llama-3.3-70B-Instruct-Turbo at $0.88/$0.88)", () => {
    const m = model('meta-llama/Llama-3.3-70B-Instruct-Turbo');
    expect([m.key, m.rates.input, m.rates.output]).toEqual(['together:meta-llama/Llama-3.3-70B-Instruct-Turbo', '0.88', '0.88']);
  });

  test('a generic name answered by one host lists the other hosts', () => {
    const r = resolved('claude-sonnet-4-5');
    expect(r.model.key).toBe('anthropic:claude-sonnet-4-5');
    expect(r.others?.map((o) => o.key)).toContain('google:claude-sonnet-4-5');
  });

  test('xai:grok-4.3 is xAI’s model (the "xai" spelling of the provider works)', () => {
    expect(resolved('xai:grok-4.3').model.key).toBe('x-ai:grok-4.3');
  });

  test('open-mixtral-8x22b is Mistral’s API id at Mistral’s $2/$6, not another host’s price', () => {
    const m = resolved('open-mixtral-8x22b').model;
    expect([m.key, m.rates.input, m.rates.output]).toEqual(['mistral:open-mixtral-8x22b', '2', '6']);
  });
});

describe('the wrong model, silently: moving aliases follow the provider', () => {
  test('mistral-large-latest is Mistral Large 3 at $0.5/$1.5, not the 2024 model at $2/$6', () => {
    const m = resolved('mistral-large-latest').model;
    expect([m.key, m.rates.input, m.rates.output]).toEqual(['mistral:mistral-large-2512', '0.5', '1.5']);
  });

  /** Numbers in an id, compared left to right ("3.8" > "3.5", "2512" > "2411"). */
  const version = (id: string): number[] => (id.match(/\d+/g) ?? []).map(Number);
  const newer = (a: number[], b: number[]): number => {
    for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? -1) !== (b[i] ?? -1)) return (a[i] ?? -1) - (b[i] ?? -1);
    return 0;
  };

  test('each moving alias resolves to an existing model that is the newest of its family', () => {
    expect(catalog.moving_aliases.length).toBeGreaterThanOrEqual(8);
    for (const a of catalog.moving_aliases) {
      const r = resolved(a.alias);
      expect(r.model.key, a.alias).toBe(a.target);
      expect(catalog.model(a.target), a.alias).toBeDefined();
      const family = new RegExp(a.family, 'i');
      expect(family.test(r.model.id), `${a.alias}: ${r.model.id} is in its family ${a.family}`).toBe(true);
      const members = catalog.all_models.filter((m) => m.provider.id === r.model.provider.id && family.test(m.id) && !m.deprecated);
      for (const m of members)
        expect(newer(version(r.model.id), version(m.id)), `${a.alias}: ${r.model.id} vs ${m.id}`).toBeGreaterThanOrEqual(0);
      expect(a.source.length > 0 && /^\d{4}-\d{2}-\d{2}$/.test(a.as_of), a.alias).toBe(true);
    }
  });
});

describe('missing or hidden conditions', () => {
  test('DeepSeek: deepseek-chat is retired, its dated prices kept; off-peak is named in words with its window', () => {
    const m = resolved('deepseek-chat').model;
    expect([m.key, m.deprecated, m.context_window]).toEqual(['deepseek:deepseek-chat', true, 1_000_000]);
    // Today: its last prices (an alias of deepseek-v4-flash from 2026-04-24 until its retirement on 2026-07-24).
    expect(cost(m, 10_000, 10_000).rates_used).toMatchObject({ input: '0.14', output: '0.28' });
    expect(cost(m, 10_000, 10_000).conditions[0]?.description).toMatch(/since 2026-04-24/);
    // V3 (until 2025-09-05 16:00 UTC): standard 00:30-16:30 UTC, off-peak at other times.
    const offPeak = cost(m, 10_000, 10_000, { at: '2025-03-01T20:00:00Z' });
    expect(offPeak.rates_used).toMatchObject({ input: '0.135', output: '0.55' });
    const words = offPeak.conditions.find((x) => x.kind === 'time_of_day');
    expect(words).toMatchObject({ applied: 'off_peak' });
    expect(words?.description).toMatch(
      /20:00 UTC, outside the peak hours 00:30–16:30 UTC .*the off-peak price applies: \$0\.135 in \/ \$0\.55 out/,
    );
    expect(words?.description).not.toMatch(/outside every daily window/);
    const peak = cost(m, 10_000, 10_000, { at: '2025-03-01T10:00:00Z' });
    expect(peak.rates_used).toMatchObject({ input: '0.27', output: '1.1' });
    expect(peak.conditions.find((x) => x.kind === 'time_of_day')?.description).toMatch(
      /in the peak hours 00:30–16:30 UTC\) the peak price/,
    );
    // The off-peak discount ended with V3.1 (2025-09-05 16:00 UTC); V3.2 cut the price on 2025-09-29.
    expect(cost(m, 10_000, 10_000, { at: '2025-09-05T20:00:00Z' }).rates_used).toMatchObject({ input: '0.56', output: '1.68' });
    expect(cost(m, 10_000, 10_000, { at: '2025-10-01T20:00:00Z' }).rates_used).toMatchObject({ input: '0.28', output: '0.42' });
    expect(cost(m, 10_000, 10_000, { at: '2025-10-01T20:00:00Z' }).conditions.some((x) => x.kind === 'time_of_day')).toBe(false);
  });

  test("DeepSeek's current Flash (deepseek-flash, V4.1): $0.15/$0.6 off-peak, twice that in the peak hours, 1M window", () => {
    const m = model('deepseek-flash');
    expect([m.key, m.context_window, m.deprecated]).toEqual(['deepseek:deepseek-flash', 1_000_000, false]);
    expect(cost(m, 100_000, 10_000, { at: '2026-12-02T12:00:00Z' }).total_cost).toBe(0.021);
    expect(cost(m, 100_000, 10_000, { at: '2026-12-02T02:30:00Z' }).total_cost).toBe(0.042);
    expect(cost(m, 100_000, 10_000).total_cost).toBe(0.042);
    // Peak is Monday to Friday: Saturday 2026-12-05 at 02:30 UTC is off-peak, and the answer says why.
    const saturday = cost(m, 100_000, 10_000, { at: '2026-12-05T02:30:00Z' });
    expect(saturday.total_cost).toBe(0.021);
    expect(saturday.conditions.find((x) => x.kind === 'time_of_day')?.description).toMatch(
      /outside the peak hours 01:00–04:00 UTC on weekdays/,
    );
  });

  test('DeepSeek V4 Pro: weekends off-peak from 2026-08-23 (Beijing), peak on Saturday 2026-08-22; the flat price before 2026-08-16 16:00 UTC', () => {
    const m = model('deepseek-v4-pro');
    const input = (at: string) => cost(m, 1_000_000, 0, { at }).rates_used.input;
    expect(input('2026-08-22T02:30:00Z')).toBe('1.32');
    expect(input('2026-08-29T02:30:00Z')).toBe('0.66');
    expect(input('2026-12-02T02:30:00Z')).toBe('1.32');
    expect(input('2026-08-01T02:30:00Z')).toBe('0.435'); // a window holds only once its dated set has started
  });

  test('DeepSeek V4: the default is the peak price with both peak windows named; at inside or outside says which', () => {
    const m = resolved('deepseek-v4-flash').model;
    const std = cost(m, 10_000, 10_000);
    expect(std.rates_used).toMatchObject({ input: '0.44', output: '1.32' });
    expect(std.conditions.find((x) => x.kind === 'time_of_day')?.description).toMatch(
      /peak hours 01:00–04:00 UTC: .*peak hours 06:00–10:00 UTC: .*other times: \$0\.22 in \/ \$0\.66 out/,
    );
    const evening = cost(m, 10_000, 10_000, { at: '2026-12-02T20:00:00Z' });
    expect(evening.rates_used).toMatchObject({ input: '0.22', output: '0.66' });
    expect(evening.conditions.find((x) => x.kind === 'time_of_day')?.description).toMatch(
      /outside the peak hours 01:00–04:00 UTC .* and the peak hours 06:00–10:00 UTC .*the off-peak price applies/,
    );
    expect(cost(m, 10_000, 10_000, { at: '2026-12-02T07:00:00Z' }).conditions.find((x) => x.kind === 'time_of_day')).toMatchObject({
      applied: 'peak',
      start_time: '06:00:00Z',
    });
  });

  test('at picks the dated price set in force then (o3 before and after the 2025-06-10 cut)', () => {
    const m = resolved('o3').model;
    expect(cost(m, 100_000, 0, { at: '2025-06-09T23:59:59Z' }).total_cost).toBe(1);
    expect(cost(m, 100_000, 0, { at: '2025-06-10' }).total_cost).toBe(0.2);
    expect(() => cost(m, 1, 1, { at: 'yesterday' })).toThrow(/at must be an ISO date-time/);
  });

  test('a tier boundary is "more than" its start for every model: exactly 200,000 tokens is the base price', () => {
    for (const name of ['claude-sonnet-4-5', 'gemini-2.5-pro']) {
      const m = resolved(name).model;
      const at = cost(m, 200_000, 0, { allow_over_context: true });
      const over = cost(m, 200_001, 0, { allow_over_context: true });
      expect(
        at.conditions.some((x) => x.kind === 'long_context_tier'),
        name,
      ).toBe(false);
      expect(
        over.conditions.find((x) => x.kind === 'long_context_tier'),
        name,
      ).toMatchObject({ threshold: 200_000 });
    }
  });

  test('a tier the data starts at 199,999 reads "200,000 or more"; one at 200,000 reads "more than 200,000"', () => {
    const grok = cost(resolved('xai:grok-4.3').model, 200_000, 0);
    const sonnet = cost(resolved('claude-sonnet-4-5').model, 200_001, 0, { allow_over_context: true });
    expect(grok.conditions.find((x) => x.kind === 'long_context_tier')).toMatchObject({ threshold: 199_999 });
    expect(grok.conditions.find((x) => x.kind === 'long_context_tier')?.description).toMatch(
      /has 200,000 or more input tokens \(200,000\)/,
    );
    expect(sonnet.conditions.find((x) => x.kind === 'long_context_tier')?.description).toMatch(
      /has more than 200,000 input tokens \(200,001\)/,
    );
  });

  test('claude-sonnet-4-20250514 at 300k/10k: $2.025 at the long-context tier while its 1M beta was open, named; refused today', () => {
    const m = resolved('claude-sonnet-4-20250514').model;
    // Retired by Anthropic on 2026-06-15: priced for history and `at`, marked deprecated.
    expect([m.key, m.context_window, m.deprecated]).toEqual(['anthropic:claude-sonnet-4-0', 200_000, true]);
    const then = cost(m, 300_000, 10_000, { at: '2026-01-15T12:00:00Z' });
    expect(then.total_cost).toBe(2.025);
    expect(then.rates_used).toMatchObject({ input: '6', output: '22.5', tier_start: 200_000 });
    expect(then.conditions.find((c) => c.kind === 'extended_context')).toMatchObject({
      standard_window: 200_000,
      window: 1_000_000,
      until: '2026-04-30',
      requires: expect.stringMatching(/context-1m-2025-08-07/),
    });
    expect(then.conditions.some((c) => c.kind === 'long_context_tier')).toBe(true);
    // The beta ended on 2026-04-30 (and had not begun on 2025-08-01): the error says so and how to price a past request.
    for (const at of ['2026-12-02T12:00:00Z', '2025-08-01T00:00:00Z'])
      expect(() => cost(m, 300_000, 10_000, { at })).toThrow(/1,000,000-token window \(the beta header .*context-1m-2025-08-07.*pass at/);
    expect(() => cost(m, 300_000, 10_000, { at: '2026-12-02T12:00:00Z' })).toThrow(/ended on 2026-04-30/);
    expect(() => cost(m, 1_200_000, 0, { at: '2026-01-15T12:00:00Z' })).toThrow(/200,000-token context window/);
    // Sonnet 4.5 had the same beta from its release; its tiers come from the base data.
    expect(cost(resolved('claude-sonnet-4-5').model, 300_000, 10_000, { at: '2025-10-01T00:00:00Z' }).total_cost).toBe(2.025);
  });

  test('over the context window is an error naming the fix, or a warning with allow_over_context', () => {
    const m = resolved('gpt-4').model; // 8,192 tokens
    expect(() => cost(m, 1_000_000, 0)).toThrow(PricingInputError);
    expect(() => cost(m, 1_000_000, 0)).toThrow(/8,192-token context window.*allow_over_context: true/);
    const c = cost(m, 1_000_000, 0, { allow_over_context: true });
    expect(c.warnings.join(' ')).toMatch(/context window/);
    expect(c.total_cost).toBe(30);
  });

  test('gemini-2.5-pro has a context window (1,048,576 tokens)', () => {
    expect(model('gemini-2.5-pro').context_window).toBe(1_048_576);
  });

  test('a modifier the model lacks is an error naming the ones it has', () => {
    expect(() => cost(resolved('gpt-4').model, 1, 1, { batch: true })).toThrow(/batch: true does not apply to openai:gpt-4.*it has none/);
    expect(() => cost(resolved('gpt-5.5').model, 1, 1, { search_context: 'low' })).toThrow(/it has region \(global, us, eu\)/);
    expect(() => cost(resolved('sonar').model, 1, 1, { search_context: 'huge' })).toThrow(/choose one of: low, medium, high/);
  });

  test('batch halves Anthropic token prices; cache writes follow the chosen TTL', () => {
    const m = resolved('claude-haiku-4-5').model;
    const usage = { input_tokens: 10_000, cache_write_tokens: 4_000, output_tokens: 1_000 };
    const std = estimateCost(m, usage);
    const batch = estimateCost(m, usage, { batch: true, cache_write_ttl: '1h' });
    expect(std.lines.find((l) => l.item === 'cache_write_5m')).toMatchObject({ rate: 1.25 });
    expect(batch.lines.find((l) => l.item === 'cache_write_1h')).toMatchObject({ rate: 1 });
    expect(batch.lines.find((l) => l.item === 'input')).toMatchObject({ rate: 0.5 });
    expect(batch.modifiers).toMatchObject({ batch: true, cache_write_ttl: '1h' });
    expect(batch.conditions.map((c) => c.kind)).toEqual(expect.arrayContaining(['batch', 'cache_write_ttl']));
  });
});

describe("stale data: today's line-ups (Together's in coverage.test.ts; refreshing in test/prices/)", () => {
  test('Groq: retired models are deprecated with their notice; the ones it serves are not', () => {
    for (const id of ['llama-3.3-70b-versatile', 'llama-3.1-8b-instant', 'mixtral-8x7b-32768', 'gemma2-9b-it', 'llama3-70b-8192']) {
      const m = catalog.model(`groq:${id}`);
      expect(m?.deprecated, id).toBe(true);
    }
    for (const id of ['openai/gpt-oss-120b', 'openai/gpt-oss-20b']) expect(catalog.model(`groq:${id}`)?.deprecated, id).toBe(false);
    const groq = catalog.listModels({ provider: 'groq' });
    expect(groq.length).toBeLessThan(10);
    expect(groq.every((m) => m.context_window !== undefined)).toBe(true);
  });

  test.each([
    ['nova-micro', 'aws:amazon.nova-micro-v1:0'],
    ['nova-lite', 'aws:amazon.nova-lite-v1:0'],
    ['nova-pro', 'aws:amazon.nova-pro-v1:0'],
    ['nova-premier', 'aws:amazon.nova-premier-v1:0'],
    ['nova-2-lite', 'aws:regional.amazon.nova-2-lite-v1:0'],
  ])('Amazon Nova by its plain name: %s is %s', (name, key) => {
    const r = catalog.resolve(name);
    expect(r.ok && r.model.key).toBe(key);
  });

  test('Gemini -latest aliases resolve to Gemini models', () => {
    for (const alias of ['gemini-flash-latest', 'gemini-pro-latest']) expect(model(alias).provider.id, alias).toBe('google');
  });
});
