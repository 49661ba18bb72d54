// `prices update` against a real node:http server, `serve --prices` on what it wrote, and `prices audit`
// on the pinned snapshots: the built CLI in child processes (npm test builds first).
import { createServer, type Server } from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { diffPrices, loadBaseProviders, loadCatalog } from '../../src/pricing/index.js';
import type { BaseProvider } from '../../src/pricing/index.js';

const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');

let server: Server;
let baseUrl: string;
let dir: string;
let base: BaseProvider[];
const bodies = new Map<string, { status: number; body: string }>();

function edited(edit: (data: BaseProvider[]) => void): string {
  const data = JSON.parse(JSON.stringify(base)) as BaseProvider[];
  edit(data);
  return JSON.stringify(data);
}
const gpt4 = (data: BaseProvider[]) => data.find((p) => p.id === 'openai')!.models.find((m) => m.id === 'gpt-4')!;

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

beforeAll(async () => {
  base = await loadBaseProviders();
  dir = await mkdtemp(join(tmpdir(), 'prices-cli-'));
  const good = edited((d) => (gpt4(d).prices = { input_mtok: 45, output_mtok: 90 }));
  bodies.set('/good.json', { status: 200, body: good });
  bodies.set('/truncated.json', { status: 200, body: good.slice(0, good.length / 2) });
  bodies.set('/bad-schema.json', { status: 200, body: edited((d) => (gpt4(d).prices = { input_mtok: -1 })) });
  bodies.set('/dropped.json', {
    status: 200,
    body: edited((d) => {
      const openai = d.find((p) => p.id === 'openai')!;
      openai.models = openai.models.filter((m) => m.id !== 'gpt-4');
    }),
  });
  bodies.set('/error.json', { status: 500, body: 'oops' });
  server = createServer((req, res) => {
    const entry = bodies.get(req.url ?? '');
    res.writeHead(entry?.status ?? 404, { 'content-type': 'application/json' });
    res.end(entry?.body ?? '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  baseUrl = `http://127.0.0.1:${addr.port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

describe('prices update', () => {
  test('bad, truncated or unreachable data is refused and nothing is written', async () => {
    const to = join(dir, 'refused.json');
    const expected: Record<string, RegExp> = {
      '/truncated.json': /not valid JSON \(truncated/,
      '/bad-schema.json': /input_mtok/,
      '/error.json': /HTTP 500/,
    };
    for (const [path, reason] of Object.entries(expected)) {
      const r = await cli(['prices', 'update', '--from', `${baseUrl}${path}`, '--to', to]);
      expect(r.code, path).toBe(1);
      expect(r.out, path).toMatch(/\[REFUSED\]/);
      expect(r.out, path).toMatch(reason);
      expect(r.out, path).toMatch(/nothing written/);
      await expect(stat(to), path).rejects.toThrow();
    }
    // A port nothing listens on: the reason, not fetch's bare "fetch failed".
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = await cli(['prices', 'update', '--from', `http://127.0.0.1:${port}/prices.json`, '--to', to]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/cannot read http:\/\/127\.0\.0\.1:\d+\/prices\.json: fetch failed \(connect ECONNREFUSED/);
    await expect(stat(to)).rejects.toThrow();
  });

  test('good data is written atomically with its record, the drift is reported, and serve --prices serves it', async () => {
    const to = join(dir, 'prices.json');
    const r = await cli(['prices', 'update', '--from', `${baseUrl}/good.json`, '--to', to]);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/\[DRIFT\] {2}openai:gpt-4 input_mtok: 30 -> 45 \(\+50\.0%\)/);
    expect(r.out).toMatch(/\[DRIFT\] {2}openai:gpt-4 output_mtok: 60 -> 90 \(\+50\.0%\)/);
    const meta = JSON.parse(await readFile(`${to}.meta.json`, 'utf8')) as { source: string; fetched_at: string };
    expect(meta.source).toBe(`${baseUrl}/good.json`);
    const catalog = await loadCatalog({ pricesPath: to });
    expect(catalog.model('openai:gpt-4')?.rates).toMatchObject({ input: '45', output: '90' });
    expect(catalog.data_as_of).toContain(`fetched ${meta.fetched_at} from ${baseUrl}/good.json`);

    // Over stdio, a tool answer carries the new price and says where it came from.
    const call = JSON.stringify({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'estimate_cost', arguments: { model_name: 'gpt-4', input_tokens: 1000, output_tokens: 0 } },
    });
    const init = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    });
    const answer = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [MAIN, 'serve', '--stdio', '--prices', to, '--telemetry-dir', join(dir, 'telemetry')], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
      child.on('error', reject);
      child.on('exit', () => resolve(out));
      child.stdin.end(`${init}\n${call}\n`);
    });
    const result = answer
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { id: number; result?: { structuredContent?: Record<string, unknown> } });
    const sc = result.find((m) => m.id === 2)?.result?.structuredContent;
    expect(sc?.total_cost).toBe(0.045);
    expect(String(sc?.data_as_of)).toContain('fetched');
  });

  test('a model disappearing needs a note; with one it is accepted and recorded', async () => {
    const to = join(dir, 'dropped.json');
    const refused = await cli(['prices', 'update', '--from', `${baseUrl}/dropped.json`, '--to', to]);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/missing from the new data \(openai:gpt-4\).*--removed-note/);
    await expect(stat(to)).rejects.toThrow();
    const ok = await cli([
      'prices',
      'update',
      '--from',
      `${baseUrl}/dropped.json`,
      '--to',
      to,
      '--removed-note',
      'retired by OpenAI',
      '--json',
    ]);
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.out) as { removed: string[]; removed_note: string };
    expect(report).toMatchObject({ removed: ['openai:gpt-4'], removed_note: 'retired by OpenAI' });
  });

  test('serve --prices with a bad file refuses to start with a clear message (exit 1)', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '[{"id": "x"');
    const r = await cli(['serve', '--stdio', '--prices', bad, '--telemetry-dir', join(dir, 'telemetry')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/price data .*bad\.json is not valid JSON/);
  });
});

describe('the price diff the deployer will show', () => {
  test('lists every price that differs, model by model, with old and new', async () => {
    const before = await loadCatalog({ now: new Date('2026-12-02T00:00:00Z') });
    const file = join(dir, 'diff.json');
    await writeFile(
      file,
      edited((d) => (gpt4(d).prices = { input_mtok: 30, output_mtok: 61 })),
    );
    const after = await loadCatalog({ now: new Date('2026-12-02T00:00:00Z'), pricesPath: file });
    const changes = diffPrices(before, after).filter((c) => c.field !== 'model');
    expect(changes).toEqual([{ model: 'openai:gpt-4', field: 'output_mtok', old: '60', new: '61', change: 0.016666 }]);
  });
});

describe('prices audit', () => {
  test('the pinned snapshot shows no unexplained disagreement', async () => {
    const r = await cli(['prices', 'audit']);
    expect(r.out).toMatch(/models\.dev \(.*\): \d+ prices compared/);
    expect(r.out).not.toMatch(/\[UNEXPLAINED\]/);
    expect(r.code).toBe(0);
  });

  test('a new disagreement is reported as unexplained and fails the audit', async () => {
    // A list in LiteLLM's format that agrees on gpt-4o's output price and not on its input price.
    const list = { 'gpt-4o': { litellm_provider: 'openai', mode: 'chat', input_cost_per_token: 9e-6, output_cost_per_token: 1e-5 } };
    const file = join(dir, 'litellm-edited.json');
    await writeFile(file, JSON.stringify(list));
    const r = await cli(['prices', 'audit', '--against', file]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/\[UNEXPLAINED\] openai:gpt-4o input: ours 2\.5, litellm 9 as gpt-4o/);
    expect(r.out).not.toMatch(/gpt-4o output/);
  });
});
