// `deploy --prices URL`: new price data shipped as a blue-green release, read from a real node:http server.
// One controller for the file; the tests build on each other as an operator would: v1 with its bundled data,
// refused data (nothing changes), a changed file under load (phase 2 lists every changed price, zero failed
// requests), an instant rollback to the old data, then a rollback after the old colour was stopped.
import { createServer, type Server } from 'node:http';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBaseProviders } from '../../src/pricing/index.js';
import type { BaseProvider } from '../../src/pricing/index.js';
import { cli, controllerFixture, mcpLoad, readJsonLines, startController, waitFor } from './harness.js';

const fx = controllerFixture('price-release-', ['1.0.0']);
let server: Server;
let baseUrl: string;
let base: BaseProvider[];
const bodies = new Map<string, string>();

type BaseModel = BaseProvider['models'][number];
const model = (data: BaseProvider[], provider: string, id: string): BaseModel =>
  data.find((p) => p.id === provider)!.models.find((m) => m.id === id)!;
function edited(edit: (data: BaseProvider[]) => void): string {
  const data = JSON.parse(JSON.stringify(base)) as BaseProvider[];
  edit(data);
  return JSON.stringify(data);
}

beforeAll(async () => {
  base = await loadBaseProviders();
  // gpt-4 is what the load calls: $30/$60 per 1M in the bundled data, $33/$66 in the new file; and one more model.
  const changed = edited((d) => {
    model(d, 'openai', 'gpt-4').prices = { input_mtok: 33, output_mtok: 66 };
    const m = model(d, 'anthropic', 'claude-3-haiku');
    m.prices = { ...(m.prices as Record<string, unknown>), output_mtok: 1.5 } as BaseModel['prices'];
  });
  bodies.set('/changed.json', changed);
  bodies.set('/truncated.json', changed.slice(0, Math.floor(changed.length / 2)));
  bodies.set(
    '/bad-schema.json',
    edited((d) => (model(d, 'openai', 'gpt-4').prices = { input_mtok: -1 })),
  );
  bodies.set(
    '/dropped.json',
    edited((d) => {
      const openai = d.find((p) => p.id === 'openai')!;
      openai.models = openai.models.filter((m) => m.id !== 'gpt-4');
    }),
  );
  server = createServer((req, res) => {
    const body = bodies.get(req.url ?? '');
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
    res.end(body ?? '{"error":"not found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  baseUrl = `http://127.0.0.1:${addr.port}`;
  fx.ctl = await startController(fx.dir, fx.ports, { DEPLOY_ANALYSIS_WINDOW: '0' });
}, 60_000);

afterAll(async () => {
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
});

interface ColourView {
  status: string;
  version: string | null;
  pid: number | null;
  data: string | null;
  role: string;
}
async function status(): Promise<{ active: string | null; colours: Record<'blue' | 'green', ColourView> }> {
  const r = await cli(['status', '--dir', fx.dir, '--json']);
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as { data: never }).data;
}

/** gpt-4's input rate per 1M as the router's active colour answers it. */
async function gpt4Rate(): Promise<number> {
  const client = new Client({ name: 'price-check', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(fx.ctl!.url));
  await client.connect(transport);
  try {
    const r = await client.callTool({ name: 'estimate_cost', arguments: { model_name: 'gpt-4', input_tokens: 1000, output_tokens: 0 } });
    return (r.structuredContent as { rates_used: { input_per_1m: number } }).rates_used.input_per_1m;
  } finally {
    await transport.terminateSession().catch(() => {});
    await client.close();
  }
}

const pricesDir = () => join(fx.dir, 'prices');
const snapshot = () => ({
  state: readFileSync(join(fx.dir, 'state.json'), 'utf8'),
  log: readFileSync(join(fx.dir, 'deployment.log'), 'utf8'),
  prices: existsSync(pricesDir()) ? readdirSync(pricesDir()).sort() : [],
});

describe('deploy --prices: price data as a blue-green release', () => {
  it('starts from v1.0.0 serving its bundled data; status says so', async () => {
    const r = await cli(['deploy', '--dir', fx.dir, '--version', '1.0.0', '--from', fx.releases['1.0.0']!]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const s = await status();
    expect(s.active).toBe('blue');
    expect(s.colours.blue.data).toBe('bundled prices, bundled overlay');
    expect(await gpt4Rate()).toBe(30);
  });

  it('refuses truncated, invalid, unreachable or model-dropping data before anything starts; nothing changes', async () => {
    const before = snapshot();
    const pid = (await status()).colours.blue.pid;
    const cases: Array<[string, RegExp]> = [
      [`${baseUrl}/truncated.json`, /not valid JSON \(truncated or not price data\)/],
      [`${baseUrl}/bad-schema.json`, /invalid price data .*\n.*input_mtok: Too small/],
      [`${baseUrl}/missing.json`, /cannot read .*HTTP 404/],
      [`${baseUrl}/dropped.json`, /missing from the new data \(openai:gpt-4\).*--removed-note/],
    ];
    for (const [url, why] of cases) {
      const r = await cli(['deploy', '--dir', fx.dir, '--prices', url]);
      expect(r.code, url).toBe(1);
      expect(r.stderr, url).toMatch(/the price data was refused, nothing changed/);
      expect(r.stderr, url).toMatch(why);
      expect(r.stdout, url).not.toContain('[PHASE 1]');
    }
    expect(snapshot()).toEqual(before);
    const s = await status();
    expect([s.active, s.colours.blue.pid, s.colours.green.status]).toEqual(['blue', pid, 'STOPPED']);
  });

  it('a changed file: phase 2 lists every changed price, the switch costs no request, green serves the new data', async () => {
    const load = mcpLoad(fx.ctl!.url, 4);
    await waitFor(() => load.report.ok > 20, 20_000);
    const r = await cli(['deploy', '--dir', fx.dir, '--prices', `${baseUrl}/changed.json`]);
    const report = await load.stop();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/Price data http:\/\/127\.0\.0\.1:\d+\/changed\.json: \d+ priced models, 3 price\(s\) differ/);
    expect(out).toMatch(/Release v1\.0\.0: directory .*; prices from http:\/\/127\.0\.0\.1:\d+\/changed\.json \(sha256 [0-9a-f]{12}/);
    expect(out).toMatch(/\[INFO\] Prices changed from BLUE \(v1\.0\.0; bundled prices, bundled overlay\) to GREEN/);
    // Every changed price, model, field, old and new; nothing else.
    const listed = out.split('\n').filter((l) => /^ {6}\S+ \S+: \S+ -> \S+/.test(l));
    expect(listed.map((l) => l.trim())).toEqual([
      'anthropic:claude-3-haiku output_mtok: 1.25 -> 1.5 (+20.0%)',
      'openai:gpt-4 input_mtok: 30 -> 33 (+10.0%)',
      'openai:gpt-4 output_mtok: 60 -> 66 (+10.0%)',
    ]);
    expect(out).toContain('3 price(s) of 2 model(s) changed; 0 model(s) added, 0 removed:');
    expect(out).toMatch(/\[SUCCESS\] Traffic switched to GREEN \(v1\.0\.0\)/);
    expect(report.failed, report.failures.join('\n')).toBe(0);
    expect(report.ok).toBeGreaterThan(20);

    expect(await gpt4Rate()).toBe(33);
    const s = await status();
    expect(s.active).toBe('green');
    expect(s.colours.green.data).toMatch(
      /^prices from http:\/\/127\.0\.0\.1:\d+\/changed\.json \(sha256 [0-9a-f]{12}, .*prices-[0-9a-f]{16}\.json\), bundled overlay$/,
    );
    expect(s.colours.blue).toMatchObject({ role: 'standby', data: 'bundled prices, bundled overlay' });
    // The copy in the deploy directory is what green reads, with where it came from beside it.
    const copies = readdirSync(pricesDir());
    expect(copies.filter((f) => f.endsWith('.meta.json'))).toHaveLength(1);
    const log = readJsonLines(join(fx.dir, 'deployment.log'));
    const start = log.filter((e) => e.event === 'start').at(-1) as { release: { data: { prices: { source: string; file: string } } } };
    expect(start.release.data.prices.source).toBe(`${baseUrl}/changed.json`);
    expect(existsSync(start.release.data.prices.file)).toBe(true);
    expect(log.filter((e) => e.event === 'prices').at(-1)).toMatchObject({ from: 'blue', to: 'green', changes: 3 });
  });

  it('rollback returns to the old data at once while the old colour is warm', async () => {
    const r = await cli(['rollback', '--dir', fx.dir]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('still warm');
    expect(await gpt4Rate()).toBe(30);
    expect((await status()).active).toBe('blue');
  });

  it('after the old colour was stopped, rollback starts it again from its record, with the data it served', async () => {
    // The new data again, keeping nothing warm: blue stops after the switch.
    const again = await cli(['deploy', '--dir', fx.dir, '--prices', `${baseUrl}/changed.json`, '--keep-previous', '0']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(await gpt4Rate()).toBe(33);
    expect((await status()).colours.blue.status).toBe('STOPPED');

    const r = await cli(['rollback', '--dir', fx.dir]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('[ROLLBACK] v1.0.0 is not running');
    expect(r.stdout).toMatch(/Prices changed from GREEN \(v1\.0\.0; prices from .*\) to BLUE/);
    expect(r.stdout).toContain('openai:gpt-4 input_mtok: 33 -> 30 (-9.1%)');
    expect(await gpt4Rate()).toBe(30);
    const s = await status();
    expect([s.active, s.colours.blue.data]).toEqual(['blue', 'bundled prices, bundled overlay']);
  });

  it('--from without --version is a usage error', async () => {
    const r = await cli(['deploy', '--dir', fx.dir, '--from', fx.releases['1.0.0']!]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--version/);
  });
});
