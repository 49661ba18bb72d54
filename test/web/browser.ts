import axe from 'axe-core';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

// Debian's Chromium, driven by playwright-core: one browser per test file, a fresh profile each time. Missing
// Chromium is a failure that says how to install it, never a silent skip.

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** Chromium's own line for a fetch answered 4xx: the API refusing an input (the page shows why), not a page fault. */
const REFUSED = /^Failed to load resource: the server responded with a status of 4\d\d/;

export type TestPage = Page & { problems: string[]; refusals: string[] };

export interface TestBrowser {
  context: BrowserContext;
  /** A new tab that records console errors, uncaught exceptions and failed requests into `problems`, refused inputs into `refusals`. */
  page(viewport?: { width: number; height: number }): Promise<TestPage>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the browser tests need it (apt-get install -y chromium; .ci/run installs it)`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'web-test-chromium-'));
  let context: BrowserContext;
  try {
    // headless: true is playwright's --headless.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1280, height: 900 },
    });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  // A step that cannot happen fails with playwright's own message instead of hanging until the test times out.
  context.setDefaultTimeout(15_000);
  return {
    context,
    async page(viewport = { width: 1280, height: 900 }) {
      const page = (await context.newPage()) as TestPage;
      await page.setViewportSize(viewport);
      page.problems = [];
      page.refusals = [];
      page.on('console', (m) => {
        if (m.type() !== 'error') return;
        if (REFUSED.test(m.text())) page.refusals.push(m.text());
        else page.problems.push(`console error: ${m.text()}`);
      });
      page.on('pageerror', (e) => page.problems.push(`uncaught: ${e.message}`));
      page.on('requestfailed', (r) => {
        // A superseded request is aborted on purpose (a newer keystroke replaced it).
        if (r.failure()?.errorText !== 'net::ERR_ABORTED') page.problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
      });
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** axe-core's serious and critical violations on the page as it is now (id, impact, first three nodes). */
export async function seriousViolations(page: Page): Promise<Array<{ id: string; impact?: string | null; nodes: string[] }>> {
  await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const run = (window as unknown as { axe: typeof axe }).axe.run;
    const result = await run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
