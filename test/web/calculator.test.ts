import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRealServer } from '../http/helpers.js';
import { launchBrowser, seriousViolations, type TestBrowser, type TestPage } from './browser.js';

// The calculator page in a real Chromium against the real server (real catalog, real tools), checked against
// what the MCP tools answer through the SDK client.

const ROOT = join(import.meta.dirname, '..', '..');
const SCREENSHOTS = join(ROOT, 'docs', 'screenshots');
const WAIT = { timeout: 15_000 };
/** The page background of each theme (--bg in web/shared/base.css). */
const BACKGROUND = { light: 'rgb(246, 247, 249)', dark: 'rgb(17, 20, 24)' } as const;

type Server = Awaited<ReturnType<typeof startRealServer>>;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let server: Server;
let browser: TestBrowser;
let mcp: Client;
const pages: TestPage[] = [];

beforeAll(async () => {
  if (!readFileSafe(join(ROOT, 'dist', 'web', 'manifest.json'))) throw new Error('dist/web is missing: run npm run build first');
  server = await startRealServer();
  mcp = new Client({ name: 'web-test', version: '1' });
  await mcp.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await mcp?.close();
  await server?.cleanup();
});

afterEach(async () => {
  const opened = pages.splice(0);
  const problems = opened.flatMap((p) => p.problems);
  await Promise.all(opened.map((p) => p.close()));
  expect(problems, 'console errors, uncaught exceptions or failed requests').toEqual([]);
});

function readFileSafe(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function open(query = '', viewport?: { width: number; height: number }): Promise<TestPage> {
  const page = await browser.page(viewport);
  pages.push(page);
  await page.goto(`${server.url}/${query}`);
  await page.waitForSelector('body[data-ready]', WAIT);
  return page;
}

async function tool(name: string, args: Json): Promise<Json> {
  const r = await mcp.callTool({ name, arguments: args });
  expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
  return r.structuredContent as Json;
}

/** Waits until the shown estimate is for this model key, then reads it. */
async function shownEstimate(
  page: Page,
  key: string,
): Promise<{ total: number; text: string; lines: Array<{ item: string; cost: number }> }> {
  await page.waitForFunction((k) => document.querySelector('#estimate code')?.textContent === k, key, WAIT);
  return page.evaluate(() => ({
    total: Number(document.getElementById('total')!.dataset.total),
    text: document.getElementById('total')!.textContent ?? '',
    lines: [...document.querySelectorAll<HTMLTableRowElement>('#cost-lines tbody tr')].map((tr) => ({
      item: tr.dataset.item ?? '',
      cost: Number(tr.querySelector<HTMLElement>('[data-cost]')!.dataset.cost),
    })),
  }));
}

const usd = (n: number) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 10 }).format(n);

describe('calculator page', () => {
  it('shows the same total as estimate_cost for a model and tokens a user types, itemized into lines that add up to it', async () => {
    const page = await open();
    await page.getByLabel('Model', { exact: true }).fill('claude-3-5-sonnet');
    await page.getByLabel('Input tokens', { exact: true }).fill('123456');
    await page.getByLabel('Output tokens', { exact: true }).fill('7890');
    await page.getByLabel('Cached input tokens', { exact: true }).fill('20000');
    await page.getByLabel('Requests', { exact: true }).fill('3');
    const expected = await tool('estimate_cost', {
      model_name: 'claude-3-5-sonnet',
      input_tokens: 123456,
      output_tokens: 7890,
      cached_input_tokens: 20000,
      requests: 3,
    });
    await page.waitForFunction((t) => document.getElementById('total')?.dataset.total === String(t), expected.total_cost, WAIT);
    const shown = await shownEstimate(page, expected.key);
    expect(shown.total).toBe(expected.total_cost);
    expect(shown.text).toBe(usd(expected.total_cost));
    // The lines are the tool's own figures, and together they are the total (to the tool's 1e-10 rounding).
    const byItem = Object.fromEntries(shown.lines.map((l) => [l.item, l.cost]));
    expect(byItem).toEqual({ input: expected.input_cost, cached_input: expected.cached_input_cost, output: expected.output_cost });
    expect(shown.lines.reduce((s, l) => s + l.cost, 0)).toBeCloseTo(expected.total_cost, 10);
    await expect(page.locator('#price-source').textContent()).resolves.toContain(expected.data_as_of);
    // The state went into the URL.
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      model_name: 'claude-3-5-sonnet',
      input_tokens: '123456',
      output_tokens: '7890',
      cached_input_tokens: '20000',
      requests: '3',
    });
  });

  it('offers every cost input the REST schema of /cost-estimate has, each with a label', async () => {
    const page = await open();
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as Json;
    const props = Object.keys(doc.paths['/cost-estimate'].post.requestBody.content['application/json'].schema.properties);
    expect(props.length).toBeGreaterThanOrEqual(5);
    for (const name of props) {
      const labelled = await page.evaluate((n) => {
        const el = document.querySelector<HTMLInputElement>(`#calc-form [name="${n}"]`);
        return el ? [...(el.labels ?? [])].map((l) => l.textContent?.trim()).join('') : null;
      }, name);
      expect(labelled, `input for ${name}`).toBeTruthy();
    }
  });

  it('completes model names from the catalog with the keyboard', async () => {
    const page = await open();
    const model = page.getByLabel('Model', { exact: true });
    await model.fill('claude-3-5-hai');
    const first = page.locator('#suggestions-1 [role="option"]').first();
    await first.waitFor(WAIT);
    const offered = await page.locator('#suggestions-1 [role="option"]').allTextContents();
    expect(offered.every((n) => n.includes('claude-3-5-hai'))).toBe(true);
    // The catalog's own completion, over MCP, comes first; provider-qualified ids follow.
    const completion = await mcp.complete({
      ref: { type: 'ref/prompt', name: 'compare_models' },
      argument: { name: 'models', value: 'claude-3-5-hai' },
    });
    expect(completion.completion.values.length).toBeGreaterThan(0);
    expect(offered.slice(0, completion.completion.values.length)).toEqual(completion.completion.values.slice(0, offered.length));
    expect(offered.some((n) => n.includes(':'))).toBe(true);
    await model.press('ArrowDown');
    await expect(model.getAttribute('aria-activedescendant')).resolves.toBe('suggestions-1-0');
    await model.press('Enter');
    await expect(model.inputValue()).resolves.toBe(offered[0]);
    const expected = await tool('estimate_cost', { model_name: offered[0], input_tokens: 10000, output_tokens: 1000 });
    expect((await shownEstimate(page, expected.key)).total).toBe(expected.total_cost);
  });

  it("shows the tool's message for an unknown model, and its suggestions as buttons that fix it", async () => {
    const page = await open('?model_name=gpt-4-o&input_tokens=1000&output_tokens=100');
    const alert = page.getByRole('alert').filter({ hasText: 'Unknown model' });
    await alert.waitFor(WAIT);
    const refusal = await mcp.callTool({
      name: 'estimate_cost',
      arguments: { model_name: 'gpt-4-o', input_tokens: 1000, output_tokens: 100 },
    });
    expect(refusal.isError).toBe(true);
    await expect(alert.locator('p').first().textContent()).resolves.toBe((refusal.content as Array<{ text: string }>)[0]!.text);
    const suggestion = alert.getByRole('button').first();
    const name = await suggestion.textContent();
    await suggestion.click();
    await expect(page.getByLabel('Model', { exact: true }).inputValue()).resolves.toBe(name);
    await page.waitForSelector('#total', WAIT);
    expect(await page.locator('#calc-error').isHidden()).toBe(true);
    expect(page.refusals).toHaveLength(1); // the one 400 for "gpt-4-o"; the browser logs it
  });

  it('compares several models side by side, cheapest first and marked, with the totals compare_costs gives', async () => {
    const page = await open('?model_name=gpt-4o&input_tokens=50000&output_tokens=2000&compare=gpt-4o,claude-3-5-sonnet,gemini-1.5-flash');
    await page.getByLabel('Model to compare', { exact: true }).fill('mistral-large');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll('#compare-table tbody tr').length === 4, undefined, WAIT);
    const rows = await page.$$eval('#compare-table tbody tr', (trs) =>
      trs.map((tr) => ({
        key: (tr as HTMLElement).dataset.key,
        total: Number(tr.querySelector<HTMLElement>('[data-total]')?.dataset.total),
        cheapest: tr.classList.contains('cheapest'),
        badge: tr.querySelector('.badge')?.textContent ?? null,
      })),
    );
    const expected = await tool('compare_costs', {
      model_names: ['gpt-4o', 'claude-3-5-sonnet', 'gemini-1.5-flash', 'mistral-large'],
      input_tokens: 50000,
      output_tokens: 2000,
    });
    expect(rows.map((r) => [r.key, r.total])).toEqual(expected.comparison.map((c: Json) => [c.key, c.total_cost]));
    expect(rows[0]).toMatchObject({ cheapest: true, badge: 'Cheapest' });
    expect(rows.slice(1).some((r) => r.cheapest)).toBe(false);
    expect(new URL(page.url()).searchParams.get('compare')).toBe('gpt-4o,claude-3-5-sonnet,gemini-1.5-flash,mistral-large');
    // Removing one re-prices the rest.
    await page.getByRole('button', { name: 'Remove claude-3-5-sonnet from the comparison' }).click();
    await page.waitForFunction(() => document.querySelectorAll('#compare-table tbody tr').length === 3, undefined, WAIT);
  });

  it('sorts the price table by any column (mouse and keyboard) and filters it by provider, category, context window and text', async () => {
    const page = await open();
    const total = (await tool('get_all_pricing', { include_deprecated: true, limit: 1 })).total as number;
    // Only the rows in view (and a margin) are in the document; the count says how many match.
    const matching = async () => Number(/^Showing (\d+) of/.exec((await page.locator('#table-count').textContent()) ?? '')?.[1]);
    const cells = (column: number) =>
      page.$$eval(
        '#price-table tbody tr:not(.spacer)',
        (trs, c) => trs.map((tr) => (tr.children[c] as HTMLElement).textContent ?? ''),
        column,
      );
    const money = (s: string) => (s === '—' ? null : Number(s.replace(/[$,]/g, '')));
    const ascendingNumbers = (xs: Array<number | null>) => {
      const firstNull = xs.indexOf(null);
      const priced = (firstNull === -1 ? xs : xs.slice(0, firstNull)) as number[];
      return priced.every((v, i) => i === 0 || priced[i - 1]! <= v) && (firstNull === -1 || xs.slice(firstNull).every((v) => v === null));
    };

    await page.getByLabel('Include deprecated and discontinued', { exact: true }).check();
    await page.waitForFunction((n) => document.querySelector('#table-count')?.textContent === `Showing ${n} of ${n} models`, total, WAIT);
    await expect(page.locator('#price-table').getAttribute('aria-rowcount')).resolves.toBe(String(total + 1));

    await page.getByRole('button', { name: 'Input $/1M', exact: true }).click();
    await expect(page.locator('th[data-column="input"]').getAttribute('aria-sort')).resolves.toBe('ascending');
    const top = (await cells(3)).map(money);
    expect(top.length).toBeGreaterThan(10);
    expect(ascendingNumbers(top)).toBe(true);
    // Scrolled to the end, the last rows are in the document, still in order, the very last one last.
    await page.locator('.table-wrap[role="region"]').evaluate((wrap) => wrap.scrollTo(0, wrap.scrollHeight));
    await page.waitForSelector(`#price-table tbody tr[aria-rowindex="${total + 1}"]`, WAIT);
    expect(ascendingNumbers((await cells(3)).map(money))).toBe(true);
    expect(Math.min(...(top.filter((v) => v !== null) as number[]))).toBeLessThanOrEqual(
      Math.min(...((await cells(3)).map(money).filter((v) => v !== null) as number[])),
    );
    await page.locator('.table-wrap[role="region"]').evaluate((wrap) => wrap.scrollTo(0, 0));

    // The same header again, from the keyboard: descending.
    await page.getByRole('button', { name: 'Input $/1M', exact: true }).focus();
    await page.keyboard.press('Enter');
    await expect(page.locator('th[data-column="input"]').getAttribute('aria-sort')).resolves.toBe('descending');
    const descending = (await cells(3)).map(money).filter((v): v is number => v !== null);
    expect(descending).toEqual([...descending].sort((a, b) => b - a));

    await page.getByRole('button', { name: 'Context window' }).click();
    const contexts = (await cells(6)).filter((s) => s !== '—').map((s) => Number(s.replace(/,/g, '')));
    expect(contexts).toEqual([...contexts].sort((a, b) => a - b));

    await page.getByLabel('Provider', { exact: true }).selectOption('anthropic');
    await page.getByLabel('Category', { exact: true }).selectOption('premium');
    const fromTool = await tool('get_all_pricing', { provider: 'anthropic', category: 'premium', include_deprecated: true, limit: 200 });
    await page.waitForFunction(
      (n) => document.querySelector('#table-count')?.textContent?.startsWith(`Showing ${n} of`),
      fromTool.total,
      WAIT,
    );
    expect((await cells(1)).every((c) => c === 'Anthropic')).toBe(true);
    expect((await cells(2)).every((c) => c === 'premium')).toBe(true);
    expect(await cells(0)).toHaveLength(fromTool.total); // few enough to all be in view
    const anthropicPremium = await matching();

    await page.getByLabel('Context window', { exact: true }).selectOption('200000');
    await page.waitForFunction(
      (n) => Number(/\d+/.exec(document.querySelector('#table-count')?.textContent ?? '')?.[0]) < n,
      anthropicPremium + 1,
      WAIT,
    );
    expect((await cells(6)).every((s) => Number(s.replace(/,/g, '')) >= 200000)).toBe(true);

    await page.getByLabel('Search', { exact: true }).fill('opus');
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('#price-table tbody tr:not(.spacer)')].every((tr) => tr.textContent!.toLowerCase().includes('opus')),
      undefined,
      WAIT,
    );
    expect(await matching()).toBeGreaterThan(0);
    expect(await matching()).toBeLessThan(anthropicPremium);
    const params = Object.fromEntries(new URL(page.url()).searchParams);
    expect(params).toMatchObject({
      tprovider: 'anthropic',
      tcategory: 'premium',
      tcontext: '200000',
      tq: 'opus',
      tsort: 'context',
      tdeprecated: '1',
    });
  });

  it('reproduces a view from a shared link', async () => {
    const first = await open();
    await first.getByLabel('Model', { exact: true }).fill('gemini-1.5-pro');
    await first.getByLabel('Input tokens', { exact: true }).fill('300000');
    await first.getByLabel('Output tokens', { exact: true }).fill('4000');
    await first.getByLabel('Provider', { exact: true }).selectOption('google');
    await first.getByRole('button', { name: 'Output $/1M' }).click();
    await first.getByLabel('Horizontal axis', { exact: true }).selectOption('context');
    await first.getByLabel('Theme').selectOption('dark');
    // A model whose context window holds the 300k-token prompt (gpt-4o-mini's 128k would be refused).
    await first.getByLabel('Model to compare', { exact: true }).fill('gpt-4.1-mini');
    await first.getByLabel('Model to compare', { exact: true }).press('Enter');
    await first.waitForFunction(() => document.querySelectorAll('#compare-table tbody tr').length === 1, undefined, WAIT);
    const key = (await tool('estimate_cost', { model_name: 'gemini-1.5-pro', input_tokens: 300000, output_tokens: 4000 })).key;
    const view = async (page: Page) => ({
      estimate: await shownEstimate(page, key),
      fields: await page.$$eval('#calc-form input, #calc-form select', (els) => els.map((e) => (e as HTMLInputElement).value)),
      tableRows: await page.$$eval('#price-table tbody tr:not(.spacer)', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.key)),
      compare: await page.$$eval('#compare-table tbody tr', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.key)),
      axis: await page.locator('#chart-x').inputValue(),
      theme: await page.evaluate(() => document.documentElement.dataset.theme),
    });
    const before = await view(first);
    const second = await open(new URL(first.url()).search);
    expect(await view(second)).toEqual(before);
    expect(before).toMatchObject({ axis: 'context', theme: 'dark', compare: ['openai:gpt-4.1-mini'] });
  });

  it('opens a model from the chart: a click on a point, or arrow keys and Enter', async () => {
    const page = await open('?model_name=gpt-4o&input_tokens=1000&output_tokens=1000');
    const chart = page.locator('#chart');
    await chart.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    const marker = page.locator('#chart-marker');
    const keyboardKey = await marker.getAttribute('data-key');
    expect(keyboardKey).toBeTruthy();
    await page.keyboard.press('Enter');
    await expect(page.getByLabel('Model', { exact: true }).inputValue()).resolves.toBe(keyboardKey);
    await shownEstimate(page, keyboardKey!);

    // Pick another point by keyboard only to learn where it is drawn, then click there with the mouse. Models with
    // the same price and figure are drawn on the same spot (points are ordered by position, so they are neighbours
    // in keyboard order): the click opens one of them.
    await chart.focus();
    await page.keyboard.press('ArrowLeft');
    const here = async () => ({ key: (await marker.getAttribute('data-key'))!, box: (await marker.boundingBox())! });
    const start = await here();
    expect(start.key).not.toBe(keyboardKey);
    const sameSpot = new Set([start.key]);
    const walk = async (key: string, limit: number): Promise<number> => {
      for (let step = 1; step <= limit; step++) {
        await page.keyboard.press(key);
        const p = await here();
        if (p.box.x !== start.box.x || p.box.y !== start.box.y) return step;
        sameSpot.add(p.key);
      }
      return limit;
    };
    const left = await walk('ArrowLeft', 20);
    for (let i = 0; i < left; i++) await page.keyboard.press('ArrowRight');
    await walk('ArrowRight', 20);
    await page.mouse.click(start.box.x + start.box.width / 2, start.box.y + start.box.height / 2);
    const key = await page.getByLabel('Model', { exact: true }).inputValue();
    expect([...sameSpot]).toContain(key);
    const expected = await tool('estimate_cost', { model_name: key, input_tokens: 1000, output_tokens: 1000 });
    expect((await shownEstimate(page, expected.key)).total).toBe(expected.total_cost);
  });

  it('has no serious or critical accessibility violations (axe-core), in light and dark', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const page = await open(`?theme=${theme}&compare=gpt-4o,claude-3-5-sonnet`);
      await page.waitForFunction(() => document.querySelectorAll('#compare-table tbody tr').length === 2, undefined, WAIT);
      const serious = await seriousViolations(page);
      expect(serious, `${theme}: ${JSON.stringify(serious)}`).toEqual([]);
      expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(BACKGROUND[theme]);
    }
  });

  it('follows the system preference unless the theme is chosen', async () => {
    for (const [scheme, query, expected] of [
      ['dark', '', 'dark'],
      ['dark', '?theme=light', 'light'],
      ['light', '?theme=dark', 'dark'],
    ] as const) {
      const page = await open(query);
      await page.emulateMedia({ colorScheme: scheme });
      expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), `${scheme} ${query}`).toBe(BACKGROUND[expected]);
    }
  });

  it('writes screenshots at desktop and phone width', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const query =
      '?model_name=claude-3-5-sonnet&input_tokens=20000&output_tokens=1500&cached_input_tokens=5000&compare=gpt-4o,gemini-1.5-flash,claude-3-5-sonnet';
    for (const [name, viewport] of [
      ['desktop', { width: 1280, height: 900 }],
      ['phone', { width: 390, height: 844 }],
    ] as const) {
      const page = await open(query, viewport);
      await page.waitForFunction(() => document.querySelectorAll('#compare-table tbody tr').length === 3, undefined, WAIT);
      // A phone must not scroll sideways: wide tables scroll inside their own region.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${name}: page wider than the screen`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(SCREENSHOTS, `calculator-${name}.png`), fullPage: true });
    }
  });
});
