// Measures the deployment dashboard in Debian's Chromium, served by a real controller behind the router (`start`
// with this build as blue, in a temporary directory): bytes over the wire for a cold load (every response, headers
// included, as Resource Timing's transferSize counts them; the live stream, still open, is not counted), split into
// the page's own files and the API answers it reads, and the first render (navigation start to the first status
// shown: the 'dashboard-rendered' mark). Not a test: figures depend on the machine.
// Run after a build: `npm run measure:dashboard [-- RUNS]`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coldLoads, freePort, launch, median, ms, printLoad, printRender } from './measure-common.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUNS = Number(process.argv[2] ?? 9);

const [port, bluePort, greenPort] = [await freePort(), await freePort(), await freePort()];
const dir = mkdtempSync(join(tmpdir(), 'measure-dashboard-'));
const start = spawn(
  process.execPath,
  [
    join(ROOT, 'dist', 'cli', 'main.js'),
    'start',
    '--dir',
    dir,
    '--port',
    String(port),
    '--blue-port',
    String(bluePort),
    '--green-port',
    String(greenPort),
  ],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
    // This measures the page, not the release: validation's speed limits are loosened for a busy shared machine.
    env: { ...process.env, LOG_LEVEL: 'warn', DEPLOY_VALIDATE_MAX_AVG_MS: '2000', DEPLOY_VALIDATE_MAX_MAX_MS: '10000' },
  },
);
const exited = new Promise((resolve) => start.once('exit', resolve));
const stopAll = () => start.exitCode === null && start.kill('SIGTERM'); // `start` stops router, controller and blue
process.on('exit', () => {
  stopAll();
  rmSync(dir, { recursive: true, force: true }); // also when start failed; it stops what it started
});
// `start` prints its banner, ending with how to stop it, once router, controller and blue are up.
await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('start did not finish its banner within 60 s')), 60_000);
  start.once('exit', (code) => reject(new Error(`start exited (${code})`)));
  let out = '';
  start.stdout.on('data', (chunk) => {
    out += chunk.toString();
    if (out.includes('Ctrl-C stops')) {
      clearTimeout(timer);
      resolve();
    }
  });
});

const browser = await launch();
const url = `http://127.0.0.1:${port}/deploy/`;
try {
  const loads = await coldLoads(browser, url, RUNS, () => {
    const nav = performance.getEntriesByType('navigation')[0];
    const resources = performance.getEntriesByType('resource');
    const api = resources.filter((r) => new URL(r.name).pathname.startsWith('/deploy/api/'));
    const files = resources.filter((r) => !api.includes(r));
    const sum = (rs, k) => rs.reduce((s, r) => s + r[k], 0);
    return {
      html: nav.responseEnd,
      interactive: nav.domInteractive,
      rendered: performance.getEntriesByName('dashboard-rendered')[0].startTime,
      fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
      fileBytes: nav.transferSize + sum(files, 'transferSize'),
      fileDecoded: nav.decodedBodySize + sum(files, 'decodedBodySize'),
      fileResponses: 1 + files.length,
      apiBytes: sum(api, 'transferSize'),
      apiResponses: api.length,
    };
  });

  const kb = (x) => `${(x / 1024).toFixed(1)} KB`;
  const first = loads[0];
  const warm = loads.slice(1);
  printLoad();
  console.log(`dashboard page, ${RUNS} cold loads (empty cache, new browser context each), Chromium ${browser.version()}, router ${url}`);
  console.log(
    `  page weight over the wire: ${kb(first.fileBytes)} in ${first.fileResponses} responses (${kb(first.fileDecoded)} decoded), plus ${kb(first.apiBytes)} of API answers in ${first.apiResponses} responses`,
  );
  printRender(loads, 'first status shown');
  const at = (k) => ms(median(warm.map((l) => l[k])));
  console.log(`    medians: HTML received ${at('html')}, DOM interactive ${at('interactive')}`);
  console.log(`  first contentful paint: median ${ms(median(loads.map((l) => l.fcp)))}`);
} finally {
  await browser.close();
  stopAll();
  await exited;
}
