import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, cli, controllerFixture, mcpLoad, readJsonLines, startController } from '../deploy/harness.js';
import { launchBrowser, seriousViolations, type TestBrowser, type TestPage } from './browser.js';

// The deployment dashboard in a real Chromium, through the router of a real controller with two prepared
// releases of our build: a deploy shown while it happens (phases, the switch, live traffic, the analysis, the
// answer diff), a rollback asked from the page with the admin token, accessibility, phone width, screenshots.

const SCREENSHOTS = join(ROOT, 'docs', 'screenshots');
const WAIT = { timeout: 30_000 };
/** The bound: the page shows a switch within 2 s of it. */
const SHOWN_WITHIN_MS = 2000;
const TOKEN = randomBytes(16).toString('hex');

const fx = controllerFixture('web-dashboard-', ['1.0.0', '2.0.0']);
let browser: TestBrowser;
const pages: TestPage[] = [];

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

beforeAll(async () => {
  // v2.0.0 ships its own data, dated a day later: the answer diff before its switch has something to show.
  const data = join(fx.releases['2.0.0']!, 'data');
  rmSync(data);
  cpSync(join(ROOT, 'data'), data, { recursive: true });
  const overlay = JSON.parse(readFileSync(join(data, 'overlay.json'), 'utf8')) as { as_of: string };
  overlay.as_of = new Date(Date.parse(overlay.as_of) + 86_400_000).toISOString().slice(0, 10);
  writeFileSync(join(data, 'overlay.json'), JSON.stringify(overlay, null, 2));
  fx.ctl = await startController(fx.dir, fx.ports, { DEPLOY_ADMIN_TOKEN: TOKEN, DEPLOY_ANALYSIS_WINDOW: '60s' });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close(); // before the fixture stops the controller: no page is left with a stream to it
});

afterEach(async () => {
  const opened = pages.splice(0);
  const problems = opened.flatMap((p) => p.problems);
  await Promise.all(opened.map((p) => p.close()));
  expect(problems, 'console errors, uncaught exceptions or failed requests').toEqual([]);
});

const base = () => `http://127.0.0.1:${fx.ports.port}`;
const log = () => readJsonLines(join(fx.dir, 'deployment.log'));
const apiStatus = async (): Promise<Json> => (await (await fetch(`${base()}/deploy/api/status`)).json()) as Json;

async function open(viewport?: { width: number; height: number }, query = ''): Promise<TestPage> {
  const page = await browser.page(viewport);
  pages.push(page);
  await page.goto(`${base()}/deploy/${query}`);
  await page.waitForSelector('body[data-ready]', WAIT);
  return page;
}

/** Records, in the page, each change of the active colour and of the deploy's phase, with the wall-clock time it was shown. */
async function watchPage(page: TestPage): Promise<void> {
  await page.evaluate(() => {
    const seen: Array<{ at: number; active: string; phase: string; deploying: string }> = [];
    (window as unknown as { seen: typeof seen }).seen = seen;
    const deploy = document.getElementById('deploy')!;
    const note = () => {
      const last = seen.at(-1);
      const now = {
        at: Date.now(),
        active: document.body.dataset.active ?? '',
        phase: deploy.dataset.phase ?? '',
        deploying: deploy.dataset.deploying ?? '',
      };
      if (!last || last.active !== now.active || last.phase !== now.phase || last.deploying !== now.deploying) seen.push(now);
    };
    note();
    const watch = new MutationObserver(note);
    watch.observe(document.body, { attributes: true, attributeFilter: ['data-active'] });
    watch.observe(deploy, { attributes: true, attributeFilter: ['data-phase', 'data-deploying'] });
  });
}

async function seenOn(page: TestPage): Promise<Array<{ at: number; active: string; phase: string; deploying: string }>> {
  return page.evaluate(() => (window as unknown as { seen: Array<{ at: number; active: string; phase: string; deploying: string }> }).seen);
}

const fact = (page: TestPage, colour: string, key: string) => page.locator(`[data-colour="${colour}"] [data-fact="${key}"]`).textContent();

describe('deployment dashboard', () => {
  it('shows a deploy while it happens: its phases, the switch within 2 s, live traffic per colour, the analysis against its threshold, the answer diff', async () => {
    expect((await cli(['deploy', '--dir', fx.dir, '--version', '1.0.0', '--from', fx.releases['1.0.0']!])).code).toBe(0);
    const page = await open();
    await page.waitForSelector('body[data-active="blue"]', WAIT);
    await expect(fact(page, 'blue', 'version')).resolves.toBe('v1.0.0');
    const before = await apiStatus();
    await expect(fact(page, 'blue', 'health')).resolves.toBe(before.colours.blue.health);
    await expect(page.locator('[data-colour="blue"]').getAttribute('data-role')).resolves.toBe('active');
    await expect(page.locator('#live').textContent()).resolves.toBe('Live');

    await watchPage(page);
    const load = mcpLoad(`${base()}/mcp`, 1, 3);
    try {
      const deploy = cli(['deploy', '--dir', fx.dir, '--version', '2.0.0', '--from', fx.releases['2.0.0']!]);
      await page.waitForSelector('body[data-active="green"]', WAIT);
      const done = await deploy;
      expect(done.code, done.stdout + done.stderr).toBe(0);

      // The switch: the router had the new table at the `switch` event; the page showed green within 2 s of it.
      const sw = log().find((e) => e.event === 'switch' && e.to === 'green')!;
      const seen = await seenOn(page);
      const green = seen.find((s) => s.active === 'green')!;
      expect(green.at - Date.parse(sw.ts as string), JSON.stringify(seen)).toBeLessThan(SHOWN_WITHIN_MS);
      // While it happened, the page showed the deploy under way before the switch (phase 1 or 2 on blue).
      const during = seen.filter((s) => s.active === 'blue' && s.deploying === 'true').map((s) => s.phase);
      expect(
        during.some((p) => p === '1' || p === '2'),
        JSON.stringify(seen),
      ).toBe(true);
      await page.waitForSelector('#deploy[data-deploying="false"]', WAIT);
      await expect(page.locator('#deploy-headline').textContent()).resolves.toMatch(/^Last deployment: v2\.0\.0 to GREEN, succeeded in /);
      await expect(page.locator('#deploy li[data-state="done"]').count()).resolves.toBe(5);

      // Live traffic through the router on the active colour, from the same status object the CLI prints.
      await page.waitForFunction(
        () => Number(document.querySelector('[data-colour="green"] [data-fact="rps"]')?.textContent) > 0,
        undefined,
        WAIT,
      );
      await expect(fact(page, 'green', 'error-rate')).resolves.toBe('0.0%');
      await expect(fact(page, 'green', 'latency')).resolves.toMatch(/^[\d.,]+ ms$/);
      const cliStatus = JSON.parse((await cli(['status', '--dir', fx.dir, '--json'])).stdout) as { data: Json };
      expect(cliStatus.data.traffic.colours.green.rps).toBeGreaterThan(0);
      await expect(fact(page, 'blue', 'version')).resolves.toBe('v1.0.0');
      await expect(page.locator('[data-colour="blue"]').getAttribute('data-role')).resolves.toBe('standby');

      // The post-switch analysis, with its error rate against the threshold the controller acts on.
      await page.waitForSelector('#analysis[data-watching="true"]', WAIT);
      const analysis = (await apiStatus()).analysis as Json;
      expect(analysis.colour).toBe('green');
      await expect(page.locator('#analysis-rate').getAttribute('data-threshold')).resolves.toBe(String(analysis.maxErrorRate));
      await expect(page.locator('#analysis-rate').textContent()).resolves.toBe('0.0% against a threshold of 10.0%');
    } finally {
      const report = await load.stop();
      expect(report.failed, report.failures.join('\n')).toBe(0);
    }

    // The answer diff phase 2 logged: the page lists every changed leaf.
    const answers = log().findLast((e) => e.event === 'answers')!;
    expect((answers.changes as string[]).length).toBeGreaterThan(0);
    await expect(page.locator('#answer-diff').getAttribute('data-changes')).resolves.toBe(String((answers.changes as string[]).length));
    const shown = await page.locator('#answer-diff li').allTextContents();
    expect(shown).toHaveLength((answers.changes as string[]).length);
    expect(shown.join('\n')).toContain('data_as_of');
    await expect(page.locator('#history-body tr[data-event="switch"]').first().textContent()).resolves.toContain('to GREEN v2.0.0');
  }, 120_000);

  it('has no serious or critical accessibility violations (axe-core), in light and dark; fits a phone; writes screenshots', async () => {
    for (const theme of ['light', 'dark']) {
      const page = await open(undefined, `?theme=${theme}`);
      const serious = await seriousViolations(page);
      expect(serious, `${theme}: ${JSON.stringify(serious)}`).toEqual([]);
    }
    mkdirSync(SCREENSHOTS, { recursive: true });
    for (const [name, viewport] of [
      ['desktop', { width: 1280, height: 900 }],
      ['phone', { width: 390, height: 844 }],
    ] as const) {
      const page = await open(viewport);
      await page.waitForSelector('body[data-active="green"]', WAIT);
      // A phone must not scroll sideways: the history table scrolls inside its own region.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${name}: page wider than the screen`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(SCREENSHOTS, `dashboard-${name}.png`), fullPage: true });
    }
  }, 60_000);

  it('refuses bad action requests with a clear error and changes nothing; serves the history filtered by event', async () => {
    const act = (verb: string, init: { headers?: Record<string, string>; body?: string } = {}) =>
      fetch(`${base()}/deploy/api/actions/${verb}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...init.headers },
        body: init.body ?? '{}',
      });
    const refusals: Array<[Promise<Response>, number, string]> = [
      [act('rollback', { headers: { authorization: 'Bearer wrong' } }), 401, 'unauthorized'],
      [act('rollback', { headers: { authorization: '' } }), 401, 'unauthorized'],
      [act('rollback', { headers: { origin: 'http://evil.example' } }), 403, 'forbidden'],
      [act('rollback', { headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type'],
      [act('rollback', { body: '{"previousVersion": 7}' }), 400, 'bad_request'],
      [act('rollback', { body: '{"now": true}' }), 400, 'bad_request'],
      [act('rollback', { body: 'not json' }), 400, 'bad_request'],
      [act('rollback', { body: JSON.stringify({ previousVersion: 'x'.repeat(5000) }) }), 413, 'too_large'],
      [act('shutdown'), 404, 'not_found'],
      [act('promote'), 409, ''], // understood, and refused by the verb itself: nothing is waiting
    ];
    for (const [pending, status, error] of refusals) {
      const res = await pending;
      const body = (await res.json()) as { error?: string; message?: string };
      expect(res.status, JSON.stringify(body)).toBe(status);
      if (error) expect(body.error).toBe(error);
      expect(body.message ?? body.error, JSON.stringify(body)).toBeTruthy();
    }
    expect((await fetch(`${base()}/deploy/api/actions/rollback`)).status).toBe(405);
    expect((await apiStatus()).active).toBe('green');
    expect(log().some((e) => e.event === 'rollback')).toBe(false);

    const answers = (await (await fetch(`${base()}/deploy/api/history?event=answers&limit=5`)).json()) as Json[];
    expect(answers.map((e) => e.event)).toEqual(['answers']);
    expect((await fetch(`${base()}/deploy/api/history?event=${encodeURIComponent('<x>')}`)).status).toBe(400);
  });

  it('rolls back from the page with the keyboard: confirmed, refused without the admin token, done with it, shown within 2 s', async () => {
    const page = await open();
    await page.waitForSelector('body[data-active="green"]', WAIT);
    await expect(page.locator('button[data-verb="promote"]').isDisabled()).resolves.toBe(true);
    await expect(page.locator('#why-promote').textContent()).resolves.toBe('no deployment is waiting for promotion');
    const rollback = page.locator('button[data-verb="rollback"]');
    await expect(rollback.isDisabled()).resolves.toBe(false);

    // Escape calls the confirmation off: nothing is sent.
    await rollback.focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('#confirm[open]', WAIT);
    await expect(page.locator('#confirm-question').textContent()).resolves.toBe('Switch traffic back to BLUE (v1.0.0) at once?');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('confirm-token');
    await page.keyboard.press('Escape');
    await page.locator('#confirm').waitFor({ state: 'hidden', ...WAIT });

    // A wrong token: refused, and nothing changes.
    await rollback.focus();
    await page.keyboard.press('Enter');
    await page.keyboard.type('not-the-token');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('action-output')?.textContent?.includes('refused'), undefined, WAIT);
    await expect(page.locator('#action-output').textContent()).resolves.toContain('needs the admin token');
    expect(page.refusals.join('\n')).toContain('401');
    expect((await apiStatus()).active).toBe('green');

    // The admin token: the rollback is done through the admin handler, and the page shows it.
    await watchPage(page);
    await rollback.focus();
    await page.keyboard.press('Enter');
    await page.locator('#confirm-token').fill('');
    await page.keyboard.type(TOKEN);
    await page.keyboard.press('Enter');
    await page.waitForSelector('body[data-active="blue"]', WAIT);
    const rolled = log().findLast((e) => e.event === 'rollback')!;
    expect(rolled).toMatchObject({ from: 'green', to: 'blue', version: '1.0.0' });
    const blue = (await seenOn(page)).find((s) => s.active === 'blue')!;
    expect(blue.at - Date.parse(rolled.ts as string)).toBeLessThan(SHOWN_WITHIN_MS);
    await page.waitForFunction(() => document.getElementById('action-output')?.textContent?.includes('Roll back: done'), undefined, WAIT);
    await expect(page.locator('#action-output pre').textContent()).resolves.toContain('[SUCCESS] Traffic switched back to BLUE (v1.0.0)');
    expect(log().some((e) => e.event === 'action' && e.verb === 'rollback' && e.via === 'dashboard')).toBe(true);
    await page.waitForSelector('#history-body tr[data-event="rollback"]', WAIT);
    expect((await apiStatus()).active).toBe('blue');
  }, 60_000);
});
