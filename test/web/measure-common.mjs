// What the two page measurements share: a free port, Debian's Chromium, cold loads of a page (a new browser
// context each, so an empty cache, as a first visit), and the summary of the render times.
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { chromium } from 'playwright-core';

export const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });

export const launch = () =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });

/** `runs` cold loads of `url`, each read by `measure` (run in the page) once the page marks body[data-ready]. */
export async function coldLoads(browser, url, runs, measure) {
  const loads = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForSelector('body[data-ready]', { timeout: 30_000 });
    loads.push(await page.evaluate(measure));
    await context.close();
  }
  return loads;
}

const sorted = (xs) => [...xs].sort((a, b) => a - b);
export const median = (xs) => sorted(xs)[Math.floor(xs.length / 2)];
export const ms = (x) => `${x.toFixed(0)} ms`;

export function printLoad() {
  console.log(
    `load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} on ${cpus().length} cores (a shared machine)`,
  );
}

/** The first load's render time, then the others' median, min and max; `what` names what the render ends with. */
export function printRender(loads, what) {
  const [first, ...warm] = loads;
  const rendered = warm.map((l) => l.rendered);
  console.log(
    `  first render (navigation start -> ${what}): first load ${ms(first.rendered)}; next ${warm.length}: median ${ms(median(rendered))}, min ${ms(Math.min(...rendered))}, max ${ms(Math.max(...rendered))}`,
  );
}
