// Measures the calculator page in Debian's Chromium: bytes over the wire for a cold load (every response, headers
// included, as Resource Timing's transferSize counts them), the first render (navigation start to the calculator
// showing its first answer: the 'calculator-rendered' mark), and how long sorting and filtering the whole
// catalog take. Not a test: figures depend on the machine. Run after a build: `npm run measure:web [-- RUNS]`.
/* global document -- the functions given to page.evaluate run in the page */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { coldLoads, freePort, launch, median, ms, printLoad, printRender } from './measure-common.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUNS = Number(process.argv[2] ?? 9);

const port = await freePort();
const telemetry = mkdtempSync(join(tmpdir(), 'measure-web-'));
const server = spawn(
  process.execPath,
  [join(ROOT, 'dist', 'cli', 'main.js'), 'serve', '--http', '--port', String(port), '--telemetry-dir', telemetry],
  {
    stdio: ['ignore', 'ignore', 'pipe'],
  },
);
const exited = new Promise((resolve) => server.once('exit', resolve));
const stopServer = () => server.exitCode === null && server.kill('SIGTERM');
process.on('exit', stopServer);
// The server logs JSON lines on stderr, one with msg "ready" once it listens.
await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('server did not say ready within 30 s')), 30_000);
  server.once('exit', (code) => reject(new Error(`server exited (${code})`)));
  createInterface({ input: server.stderr }).on('line', (line) => {
    if (line.includes('"msg":"ready"')) {
      clearTimeout(timer);
      resolve();
    }
  });
});

const browser = await launch();
const url = `http://127.0.0.1:${port}/`;
try {
  const loads = await coldLoads(browser, url, RUNS, () => {
    const nav = performance.getEntriesByType('navigation')[0];
    const resources = performance.getEntriesByType('resource');
    const entry = (path) => resources.find((r) => new URL(r.name).pathname === path);
    const end = (path) => entry(path)?.responseEnd ?? NaN;
    return {
      html: nav.responseEnd,
      interactive: nav.domInteractive,
      openapi: end('/openapi.json'),
      scriptStart: performance.getEntriesByName('script-start')[0]?.startTime ?? NaN,
      inputsKnown: performance.getEntriesByName('inputs-known')[0]?.startTime ?? NaN,
      estimateSent: entry('/cost-estimate')?.startTime ?? NaN,
      estimate: end('/cost-estimate'),
      rendered: performance.getEntriesByName('calculator-rendered')[0].startTime,
      fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
      bytes: nav.transferSize + resources.reduce((s, r) => s + r.transferSize, 0),
      decoded: nav.decodedBodySize + resources.reduce((s, r) => s + r.decodedBodySize, 0),
      requests: 1 + resources.length,
    };
  });

  // The table with every model (deprecated too): time from a click on a sort header or a filter change until
  // the rows in view are laid out again, in the page itself.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${url}?tdeprecated=1`);
  await page.waitForSelector('body[data-ready]', { timeout: 30_000 });
  const table = await page.evaluate(() => {
    const rows = () => Number(document.getElementById('price-table').getAttribute('aria-rowcount')) - 1;
    const time = (act) => {
      const t0 = performance.now();
      act();
      void document.getElementById('price-table').offsetHeight; // force the layout the change causes
      return performance.now() - t0;
    };
    const header = (id) => document.querySelector(`th[data-column="${id}"] button`);
    const select = (id, value) => {
      const el = document.getElementById(id);
      el.value = value;
      el.dispatchEvent(new Event('change'));
    };
    const all = rows();
    const sorts = ['input', 'input', 'output', 'context', 'name', 'provider'].map((c) => time(() => header(c).click()));
    const filters = [
      time(() => select('table-category', 'premium')),
      time(() => select('table-category', '')),
      time(() => select('table-provider', 'openai')),
      time(() => select('table-provider', '')),
    ];
    return { all, sorts, filters };
  });
  await context.close();

  const first = loads[0];
  const warm = loads.slice(1);
  printLoad();
  console.log(`calculator page, ${RUNS} cold loads (empty cache, new browser context each), Chromium ${browser.version()}, server ${url}`);
  console.log(
    `  page weight over the wire: ${(first.bytes / 1024).toFixed(1)} KB in ${first.requests} responses (${(first.decoded / 1024).toFixed(1)} KB decoded)`,
  );
  printRender(loads, 'calculator answered');
  const at = (k) => ms(median(warm.map((l) => l[k])));
  console.log(
    `    medians: HTML received ${at('html')}, DOM interactive ${at('interactive')}, /openapi.json received ${at('openapi')}, script running ${at('scriptStart')}, inputs known ${at('inputsKnown')}, /cost-estimate sent ${at('estimateSent')} and received ${at('estimate')}`,
  );
  console.log(`  first contentful paint: median ${ms(median(loads.map((l) => l.fcp)))}`);
  console.log(
    `  price table, ${table.all} rows: sort median ${ms(median(table.sorts))} (max ${ms(Math.max(...table.sorts))}), filter median ${ms(median(table.filters))} (max ${ms(Math.max(...table.filters))})`,
  );
} finally {
  await browser.close();
  stopServer();
  await exited; // it writes its telemetry on the way out
  rmSync(telemetry, { recursive: true, force: true });
}
