// The whole catalog as a table (GET /pricing rows): sortable by any column, filtered by provider, category,
// context window and text. Each row is built once, and only the rows in view (and a margin) are in the document:
// laying out ~500 rows took a third of a second on every sort, a window of them takes a few milliseconds.
import { byId, debounce, h } from '../shared/dom.js';
import { int, rate } from '../shared/format.js';
import type { SortDir, TableState } from './state.js';

/** One row of get_all_pricing (GET /pricing): the server's own row type, so the table cannot drift from the tool. */
export type { PricingRow as PriceRow } from '../../src/mcp/catalog-view.js';
import type { PricingRow as PriceRow } from '../../src/mcp/catalog-view.js';

interface Column {
  id: string;
  label: string;
  numeric: boolean;
  value: (r: PriceRow) => string | number | null;
  cell: (r: PriceRow, open: (key: string) => void) => HTMLElement;
}

const price = (v: number | null) => (v === null ? '—' : rate(v));
const status = (r: PriceRow) => (r.provider_status === 'discontinued' ? 'discontinued' : r.deprecated ? 'deprecated' : 'active');

const COLUMNS: Column[] = [
  {
    id: 'name',
    label: 'Model',
    numeric: false,
    value: (r) => r.name.toLowerCase(),
    cell: (r, open) =>
      h(
        'th',
        { scope: 'row' },
        h('button', { type: 'button', class: 'link', title: `Open ${r.key} in the calculator`, onclick: () => open(r.key) }, r.name),
      ),
  },
  {
    id: 'provider',
    label: 'Provider',
    numeric: false,
    value: (r) => r.provider_name.toLowerCase(),
    cell: (r) => h('td', {}, r.provider_name),
  },
  { id: 'category', label: 'Category', numeric: false, value: (r) => r.category, cell: (r) => h('td', {}, r.category) },
  {
    id: 'input',
    label: 'Input $/1M',
    numeric: true,
    value: (r) => r.input_per_1m,
    cell: (r) => h('td', { class: 'num' }, price(r.input_per_1m)),
  },
  {
    id: 'output',
    label: 'Output $/1M',
    numeric: true,
    value: (r) => r.output_per_1m,
    cell: (r) => h('td', { class: 'num' }, price(r.output_per_1m)),
  },
  {
    id: 'cached',
    label: 'Cached input $/1M',
    numeric: true,
    value: (r) => r.cached_input_per_1m,
    cell: (r) => h('td', { class: 'num' }, price(r.cached_input_per_1m)),
  },
  {
    id: 'context',
    label: 'Context window',
    numeric: true,
    value: (r) => r.context_window,
    cell: (r) => h('td', { class: 'num' }, r.context_window === null ? '—' : int(r.context_window)),
  },
  {
    id: 'status',
    label: 'Status',
    numeric: false,
    value: status,
    cell: (r) => h('td', {}, status(r) + (r.tiered_pricing ? ' · tiered' : '')),
  },
];

/** One collator for every comparison: String.localeCompare would build one per call. */
const collator = new Intl.Collator('en');

/** Rows kept in the document above and below the visible ones, so a quick scroll shows no gap. */
const MARGIN_ROWS = 20;

export interface PriceTable {
  /** Shows the rows filtered and sorted by the state. */
  update(): void;
}

export function mountPriceTable(
  rows: readonly PriceRow[],
  state: TableState,
  onChange: () => void,
  open: (key: string) => void,
): PriceTable {
  const table = byId<HTMLTableElement>('price-table');
  const tbody = table.tBodies[0]!;
  const wrap = table.parentElement!;
  const count = byId('table-count');
  const built = new Map<PriceRow, HTMLTableRowElement>();
  const rowOf = (r: PriceRow): HTMLTableRowElement => {
    let tr = built.get(r);
    if (!tr) {
      tr = h('tr', { 'data-key': r.key }, ...COLUMNS.map((c) => c.cell(r, open)));
      built.set(r, tr);
    }
    return tr;
  };
  const spacer = (): HTMLTableRowElement => h('tr', { class: 'spacer', 'aria-hidden': 'true' }, h('td', { colspan: COLUMNS.length }));
  const above = spacer();
  const below = spacer();

  let shown: PriceRow[] = [];
  let rowHeight = 0;
  /** Puts the rows in view into the table, with spacers standing for the rest. */
  const paint = (): void => {
    if (rowHeight === 0 && shown.length > 0) {
      tbody.replaceChildren(rowOf(shown[0]!));
      rowHeight = tbody.rows[0]!.getBoundingClientRect().height || 30;
    }
    const top = Math.max(0, wrap.scrollTop - (table.tHead?.offsetHeight ?? 0));
    const first = Math.max(0, Math.floor(top / rowHeight) - MARGIN_ROWS);
    // Before the rows are in, the box is only as tall as its header: no more than the window is ever in view.
    const view = Math.max(wrap.clientHeight, innerHeight);
    const last = Math.min(shown.length, Math.ceil((top + view) / rowHeight) + MARGIN_ROWS);
    above.cells[0]!.style.height = `${first * rowHeight}px`;
    below.cells[0]!.style.height = `${(shown.length - last) * rowHeight}px`;
    const rows = shown.slice(first, last).map((r, i) => {
      const tr = rowOf(r);
      tr.setAttribute('aria-rowindex', String(first + i + 2)); // the header row is 1
      tr.classList.toggle('alt', (first + i) % 2 === 1);
      return tr;
    });
    tbody.replaceChildren(above, ...rows, below);
  };
  let frame = 0;
  wrap.addEventListener('scroll', () => (frame ||= requestAnimationFrame(() => ((frame = 0), paint()))), { passive: true });

  const headers = COLUMNS.map((c) =>
    h(
      'th',
      { scope: 'col', class: c.numeric ? 'num' : undefined, 'data-column': c.id },
      h('button', { type: 'button', onclick: () => sortBy(c.id) }, c.label),
    ),
  );
  table.tHead!.replaceChildren(h('tr', {}, ...headers));

  const q = byId<HTMLInputElement>('table-q');
  const provider = byId<HTMLSelectElement>('table-provider');
  const category = byId<HTMLSelectElement>('table-category');
  const context = byId<HTMLSelectElement>('table-context');
  const deprecated = byId<HTMLInputElement>('table-deprecated');
  const providers = new Map(rows.map((r) => [r.provider, r.provider_name]));
  provider.append(...[...providers].sort((a, b) => a[1].localeCompare(b[1])).map(([id, name]) => h('option', { value: id }, name)));
  q.value = state.q;
  provider.value = state.provider;
  category.value = state.category;
  context.value = String(state.minContext);
  deprecated.checked = state.deprecated;

  const update = (): void => {
    const needle = state.q.trim().toLowerCase();
    shown = rows.filter(
      (r) =>
        (state.deprecated || (!r.deprecated && r.provider_status === 'active')) &&
        (!state.provider || r.provider === state.provider) &&
        (!state.category || r.category === state.category) &&
        (!state.minContext || (r.context_window ?? 0) >= state.minContext) &&
        (!needle || `${r.name}\n${r.key}\n${r.provider_name}`.toLowerCase().includes(needle)),
    );
    const column = COLUMNS.find((c) => c.id === state.sort) ?? COLUMNS[1]!;
    shown.sort((a, b) => compareValues(column.value(a), column.value(b), state.dir) || collator.compare(a.key, b.key));
    table.setAttribute('aria-rowcount', String(shown.length + 1));
    paint();
    for (const th of headers) {
      if (th.dataset.column === column.id) th.setAttribute('aria-sort', state.dir === 'asc' ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    }
    count.textContent = `Showing ${shown.length} of ${rows.length} models`;
  };
  const sortBy = (id: string): void => {
    state.dir = state.sort === id && state.dir === 'asc' ? 'desc' : 'asc';
    state.sort = id;
    changed();
  };
  const changed = (): void => {
    onChange();
    update();
  };
  const typed = debounce(changed, 100);
  q.addEventListener('input', () => ((state.q = q.value), typed()));
  provider.addEventListener('change', () => ((state.provider = provider.value), changed()));
  category.addEventListener('change', () => ((state.category = category.value), changed()));
  context.addEventListener('change', () => ((state.minContext = Number(context.value)), changed()));
  deprecated.addEventListener('change', () => ((state.deprecated = deprecated.checked), changed()));
  update();
  return { update };
}

/** Numbers and text in the direction asked; a missing value sorts last either way. */
function compareValues(a: string | number | null, b: string | number | null, dir: SortDir): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  const d = typeof a === 'number' && typeof b === 'number' ? a - b : collator.compare(String(a), String(b));
  return dir === 'asc' ? d : -d;
}
