// The calculator page at /: calculator, comparison, chart, price table. Reads its state from the URL, writes
// every change back (a link reproduces the view), and gets every figure from the REST API.
import './calculator.css';
import { getJson } from '../shared/api.js';
import { byId, debounce } from '../shared/dom.js';
import { McpSession } from '../shared/mcp.js';
import { applyTheme, type Theme } from '../shared/theme.js';
import { mountCalculator } from './calculator.js';
import type { PerformanceRow } from './chart.js';
import type { Completer } from './combobox.js';
import { attachCombobox } from './combobox.js';
import { mountCompare } from './compare.js';
import { costFields } from './fields.js';
import { mountPriceTable, type PriceRow } from './price-table.js';
import { formatState, parseState } from './state.js';

/** GET /pricing pages hold at most 200 rows. */
const PAGE_SIZE = 200;
const SUGGESTIONS = 12;

interface PricingPage {
  models: PriceRow[];
  total: number;
  data_as_of: string;
  source: string;
}

// Marks for test/web/measure-page.mjs, which reports where the first render's time goes.
performance.mark('script-start');
const state = parseState(location.search);
const save = (): void =>
  history.replaceState(null, '', `${location.pathname}${formatState(state) ? `?${formatState(state)}` : ''}${location.hash}`);

const themeSelect = byId<HTMLSelectElement>('theme');
themeSelect.value = state.theme;
applyTheme(state.theme);

/** The catalog's rows, loaded after the calculator's first answer so the first render does not queue behind them. */
let catalogRows: readonly PriceRow[] = [];
const mcp = new McpSession();

/** Model names: the catalog's own completion over MCP (ids, aliases, generic names), then provider-qualified ids. */
const complete: Completer = async (value, signal) => {
  const v = value.trim().toLowerCase();
  const names = await mcp.completeModel(value, signal).catch(() => [] as string[]);
  const keys = v === '' ? [] : catalogRows.filter((r) => r.key.toLowerCase().includes(v)).map((r) => r.key);
  return [...new Set([...names, ...keys])].slice(0, SUGGESTIONS);
};

async function start(): Promise<void> {
  const fields = costFields(await getJson('/openapi.json'));
  performance.mark('inputs-known');
  const calculator = mountCalculator(fields, state.cost, () => {
    save();
    compareLater();
  });
  const compareLater = debounce(() => void comparison.run(), 150);
  attachCombobox(byId<HTMLInputElement>('model'), complete, (name) => calculator.openModel(name));
  const open = (key: string): void => {
    calculator.openModel(key);
    byId('calculator').scrollIntoView({ block: 'start' });
    byId('model').focus({ preventScroll: true });
  };
  const comparison = mountCompare(state.compare, calculator.body, complete, save, open);
  byId('add-compare').addEventListener('click', () => comparison.add(state.cost.model_name ?? ''));

  await calculator.run();
  // What the first-render figure measures (test/web/measure.mjs): navigation start to this.
  performance.mark('calculator-rendered');
  void comparison.run();

  themeSelect.addEventListener('change', () => {
    state.theme = themeSelect.value as Theme;
    applyTheme(state.theme);
    save();
  });

  // The chart library is the larger part of the script: it loads with the data, after the first render.
  const [pricing, perf, { mountChart }] = await Promise.all([
    loadCatalog(),
    getJson<{ models: PerformanceRow[] }>('/performance?include_cost=true'),
    import('./chart.js'),
  ]);
  catalogRows = pricing.models;
  byId('provenance').textContent = `${pricing.models.length} models. Prices as of ${pricing.data_as_of}. Source: ${pricing.source}.`;
  mountPriceTable(pricing.models, state.table, save, open);
  const chart = mountChart(perf.models, state.chartX, open);
  const chartX = byId<HTMLSelectElement>('chart-x');
  chartX.value = state.chartX;
  chartX.addEventListener('change', () => {
    state.chartX = chartX.value === 'context' ? 'context' : 'throughput';
    save();
    chart.draw(state.chartX);
  });
  // The chart draws with colours read from CSS: a new theme needs a new drawing.
  themeSelect.addEventListener('change', () => chart.draw(state.chartX));
  document.body.dataset.ready = 'true';
}

/** Every model, deprecated ones too, in pages of GET /pricing. */
async function loadCatalog(): Promise<PricingPage> {
  const page = (offset: number) => getJson<PricingPage>(`/pricing?include_deprecated=true&limit=${PAGE_SIZE}&offset=${offset}`);
  const first = await page(0);
  const rest = [];
  for (let offset = PAGE_SIZE; offset < first.total; offset += PAGE_SIZE) rest.push(page(offset));
  const pages = await Promise.all(rest);
  return { ...first, models: [first, ...pages].flatMap((p) => p.models) };
}

start().catch((err: unknown) => {
  const box = byId('calc-error');
  box.textContent = `The page could not start: ${err instanceof Error ? err.message : String(err)}`;
  box.hidden = false;
});
