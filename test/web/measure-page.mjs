// Measures the calculator page in Debian's Chromium: bytes over the wire for a cold load (every response, headers
// included, as Resource Timing's transferSize counts them), the first render (navigation start to the calculator
// showing its first answer: the 'calculator-rendered' mark), and how long sorting and filtering the whole
// catalog take. Not a test: figures depend on the machine. Run after a build: `npm run measure:web [-- RUNS]`.
/* global document -- the functions given to page.evaluate run in the page */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUNS = Number(process.argv[2] ?? 9);

const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
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

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const url = `http://127.0.0.1:${port}/`;
const loads = [];
try {
  for (let i = 0; i < RUNS; i++) {
    // A new context each time: an empty cache, as a first visit.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForSelector('body[data-ready]', { timeout: 30_000 });
    loads.push(
      await page.evaluate(() => {
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
      }),
    );
    await context.close();
  }

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

  const sorted = (xs) => [...xs].sort((a, b) => a - b);
  const median = (xs) => sorted(xs)[Math.floor(xs.length / 2)];
  const ms = (x) => `${x.toFixed(0)} ms`;
  const first = loads[0];
  const warm = loads.slice(1);
  console.log(
    `load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} on ${cpus().length} cores (a shared machine)`,
  );
  console.log(`calculator page, ${RUNS} cold loads (empty cache, new browser context each), Chromium ${browser.version()}, server ${url}`);
  console.log(
    `  page weight over the wire: ${(first.bytes / 1024).toFixed(1)} KB in ${first.requests} responses (${(first.decoded / 1024).toFixed(1)} KB decoded)`,
  );
  console.log(
    `  first render (navigation start -> calculator answered): first load ${ms(first.rendered)}; next ${warm.length}: median ${ms(median(warm.map((l) => l.rendered)))}, min ${ms(Math.min(...warm.map((l) => l.rendered)))}, max ${ms(Math.max(...warm.map((l) => l.rendered)))}`,
  );
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
