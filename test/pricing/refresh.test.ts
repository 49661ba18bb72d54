import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CatalogStore, loadBaseProviders, parseBaseData } from '../../src/pricing/index.js';
import type { BaseProvider } from '../../src/pricing/index.js';

let server: Server;
let baseUrl: string;
let dir: string;
let base: BaseProvider[];
const bodies = new Map<string, { status: number; body: string }>();

/** Base data as genai-prices publishes it (plain JSON), with gpt-4's prices changed. */
function withGpt4(input: number, output: number): unknown {
  const data = JSON.parse(JSON.stringify(base)) as BaseProvider[];
  const openai = data.find((p) => p.id === 'openai');
  const gpt4 = openai?.models.find((m) => m.id === 'gpt-4');
  if (!gpt4) throw new Error('no gpt-4 in base data');
  gpt4.prices = { input_mtok: input, output_mtok: output };
  return data;
}

beforeAll(async () => {
  base = await loadBaseProviders();
  dir = await mkdtemp(join(tmpdir(), 'pricing-refresh-'));
  server = createServer((req, res) => {
    const entry = bodies.get(req.url ?? '');
    res.writeHead(entry?.status ?? 404, { 'content-type': 'application/json' });
    res.end(entry?.body ?? '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  baseUrl = `http://127.0.0.1:${addr.port}`;
  bodies.set('/up.json', { status: 200, body: JSON.stringify(withGpt4(45, 90)) });
  bodies.set('/same.json', { status: 200, body: JSON.stringify(withGpt4(30, 60)) });
  bodies.set('/garbage.json', { status: 200, body: '{"not": "json"' });
  bodies.set('/bad-schema.json', {
    status: 200,
    body: JSON.stringify([{ id: 'x', name: 'X', models: [{ id: 'm', match: { equals: 'm' }, prices: { input_mtok: -1 } }] }]),
  });
  bodies.set('/tiny.json', { status: 200, body: JSON.stringify([base[0]]) });
  bodies.set('/error.json', { status: 500, body: 'oops' });
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

const gpt4Input = (store: CatalogStore): string | undefined => {
  const r = store.catalog.resolve('gpt-4');
  return r.ok ? r.model.rates.input : undefined;
};

describe('refreshing base prices at run time', () => {
  test('the embedded data passes the published-data schema', () => {
    expect(() => parseBaseData(JSON.parse(JSON.stringify(base)))).not.toThrow();
  });

  test('a good refresh swaps in a new catalog atomically and reports drift', async () => {
    const store = await CatalogStore.open({ now: () => new Date('2026-11-24T12:00:00Z') });
    const old = store.catalog;
    expect(gpt4Input(store)).toBe('30');
    const r = await store.refresh(`${baseUrl}/up.json`);
    expect(r.ok).toBe(true);
    expect(r.error).toBeUndefined();
    expect(r.previous_version).toBe(old.version);
    expect(r.version).not.toBe(old.version);
    expect(store.catalog.version).toBe(r.version);
    expect(gpt4Input(store)).toBe('45');
    // the old catalog object is untouched: a request holding it finishes on consistent data
    const before = old.resolve('gpt-4');
    expect(before.ok && before.model.rates.input).toBe('30');
    expect(r.drift).toEqual(
      expect.arrayContaining([
        { key: 'openai:gpt-4', field: 'input', from: '30', to: '45', change: 0.5 },
        { key: 'openai:gpt-4', field: 'output', from: '60', to: '90', change: 0.5 },
      ]),
    );
    expect(store.catalog.data_as_of).toContain(`fetched 2026-11-24T12:00:00.000Z from ${baseUrl}/up.json`);
    expect(
      store.catalog.resolve('gpt-4').ok &&
        (store.catalog.resolve('gpt-4') as { model: { price_source: { as_of: string } } }).model.price_source.as_of,
    ).toBe('2026-11-24');
    // overlay providers survive a base refresh
    expect(store.catalog.provider('AI21 Labs')?.id).toBe('ai21');
  });

  test('unchanged prices report no drift; a higher threshold hides small moves', async () => {
    const store = await CatalogStore.open({ driftFraction: 0.6 });
    const same = await store.refresh(`${baseUrl}/same.json`);
    expect(same.ok).toBe(true);
    expect(same.drift).toEqual([]);
    const up = await store.refresh(`${baseUrl}/up.json`);
    expect(up.drift.filter((d) => d.key === 'openai:gpt-4')).toEqual([]); // +50% is under 60%
  });

  test.each([
    ['/garbage.json', /not valid JSON/],
    ['/bad-schema.json', /invalid provider data.*\n.*input_mtok/],
    ['/tiny.json', /refused: the new data has \d+ priced models where the current has \d+/],
    ['/error.json', /HTTP 500/],
  ])('a failed refresh (%s) keeps the last good data and says why', async (path, message) => {
    const store = await CatalogStore.open();
    const old = store.catalog;
    const r = await store.refresh(`${baseUrl}${path}`);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(message);
    expect(r.error).toContain(`keeping data version ${old.version}`);
    expect(store.catalog).toBe(old);
    expect(r.version).toBe(old.version);
  });

  test('a file path works, and an oversized source is refused', async () => {
    const file = join(dir, 'data.json');
    await writeFile(file, JSON.stringify(withGpt4(45, 90)));
    const store = await CatalogStore.open();
    expect((await store.refresh(file)).ok).toBe(true);
    expect(gpt4Input(store)).toBe('45');
    const small = await CatalogStore.open({ maxBytes: 1000 });
    const r = await small.refresh(file);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/exceeds the 1000-byte limit/);
  });

  test('good data is cached on disk and used at the next start; a corrupt cache is ignored', async () => {
    const cacheFile = join(dir, 'cache', 'prices.json');
    const first = await CatalogStore.open({ cacheFile });
    expect((await first.refresh(`${baseUrl}/up.json`)).ok).toBe(true);
    const cached = JSON.parse(await readFile(cacheFile, 'utf8')) as { source: string };
    expect(cached.source).toBe(`${baseUrl}/up.json`);
    const second = await CatalogStore.open({ cacheFile });
    expect(gpt4Input(second)).toBe('45');
    expect(second.catalog.data_as_of).toContain('fetched');
    await writeFile(cacheFile, '{"broken":');
    const third = await CatalogStore.open({ cacheFile });
    expect(gpt4Input(third)).toBe('30');
  });

  test('concurrent refreshes run one at a time and the last one wins', async () => {
    const store = await CatalogStore.open();
    const [a, b] = await Promise.all([store.refresh(`${baseUrl}/up.json`), store.refresh(`${baseUrl}/same.json`)]);
    expect(a.ok && b.ok).toBe(true);
    expect(b.previous_version).toBe(a.version);
    expect(gpt4Input(store)).toBe('30');
  });
});
