// Several models priced on the calculator's workload in one POST /cost-estimate/batch (each entry is an
// estimate_cost call), sorted by total, the cheapest marked.
import { isAbort, postJson } from '../shared/api.js';
import { byId, h } from '../shared/dom.js';
import { num, usd } from '../shared/format.js';
import { attachCombobox, type Completer } from './combobox.js';
import type { Estimate } from './cost-lines.js';

interface BatchAnswer {
  results: Array<{ index: number; ok: true; result: Estimate } | { index: number; ok: false; error: string }>;
}

export interface Comparison {
  add(name: string): void;
  run(): Promise<void>;
}

export function mountCompare(
  models: string[],
  body: () => Record<string, unknown>,
  complete: Completer,
  onChange: () => void,
  onOpen: (name: string) => void,
): Comparison {
  const root = byId('compare-body');
  const input = h('input', { id: 'compare-model', type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const addForm = h(
    'form',
    { class: 'compare-add', onsubmit: (ev: Event) => (ev.preventDefault(), add(input.value)) },
    h('div', { class: 'field' }, h('label', { for: 'compare-model' }, 'Model to compare'), input),
    h('button', { type: 'submit' }, 'Add'),
  );
  attachCombobox(input, complete, (name) => add(name));
  const table = h('div', { class: 'table-wrap', id: 'compare-table' });
  root.replaceChildren(addForm, table);

  let pending: AbortController | undefined;
  const run = async (): Promise<void> => {
    pending?.abort();
    if (models.length === 0) {
      table.replaceChildren(h('p', { class: 'muted' }, 'Add models here, or with "Add to comparison" in the calculator.'));
      return;
    }
    const ctl = new AbortController();
    pending = ctl;
    const base = body();
    try {
      const answer = await postJson<BatchAnswer>(
        '/cost-estimate/batch',
        models.map((m) => ({ ...base, model_name: m })),
        ctl.signal,
      );
      table.replaceChildren(renderComparison(models, answer, remove, onOpen));
    } catch (err) {
      if (!isAbort(err)) table.replaceChildren(h('p', { class: 'error', role: 'alert' }, String(err instanceof Error ? err.message : err)));
    }
  };
  const add = (name: string): void => {
    const n = name.trim();
    if (n === '' || models.includes(n)) return;
    models.push(n);
    input.value = '';
    onChange();
    void run();
  };
  const remove = (name: string): void => {
    models.splice(models.indexOf(name), 1);
    onChange();
    void run();
  };
  return { add, run };
}

function renderComparison(
  models: string[],
  answer: BatchAnswer,
  remove: (name: string) => void,
  onOpen: (name: string) => void,
): HTMLElement {
  const priced = answer.results
    .filter((r): r is { index: number; ok: true; result: Estimate } => r.ok)
    .sort((a, b) => a.result.total_cost - b.result.total_cost || a.result.key.localeCompare(b.result.key));
  const failed = answer.results.filter((r): r is { index: number; ok: false; error: string } => !r.ok);
  const min = priced[0]?.result.total_cost;
  const removeButton = (asked: string) =>
    h(
      'button',
      { type: 'button', class: 'quiet', 'aria-label': `Remove ${asked} from the comparison`, onclick: () => remove(asked) },
      'Remove',
    );
  const rows = priced.map(({ index, result: e }, i) => {
    const asked = models[index]!;
    const cheapest = e.total_cost === min;
    const diff = Math.round((e.total_cost - min!) * 1e10) / 1e10;
    return h(
      'tr',
      { class: cheapest ? 'cheapest' : undefined, 'data-key': e.key },
      h('td', { class: 'num wide-only' }, i + 1),
      h(
        'th',
        { scope: 'row' },
        h('button', { type: 'button', class: 'link', onclick: () => onOpen(e.key) }, e.name),
        cheapest ? h('span', { class: 'badge' }, 'Cheapest') : null,
      ),
      h('td', { class: 'wide-only' }, e.provider_name),
      h('td', { class: 'num', 'data-total': e.total_cost }, usd(e.total_cost)),
      h(
        'td',
        { class: 'num' },
        cheapest ? '—' : `+${usd(diff)}${min! > 0 ? ` (×${num(Math.round((e.total_cost / min!) * 100) / 100)})` : ''}`,
      ),
      h('td', {}, removeButton(asked)),
    );
  });
  const failures = failed.map((f) =>
    h(
      'tr',
      {},
      h('td', {}),
      h('th', { scope: 'row' }, models[f.index] ?? ''),
      h('td', { colspan: 3, class: 'error' }, f.error),
      h('td', {}, removeButton(models[f.index] ?? '')),
    ),
  );
  return h(
    'table',
    { class: 'data' },
    h('caption', { class: 'muted' }, 'Models compared, cheapest first'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col', class: 'num wide-only' }, 'Rank'),
        h('th', { scope: 'col' }, 'Model'),
        h('th', { scope: 'col', class: 'wide-only' }, 'Provider'),
        h('th', { scope: 'col', class: 'num' }, 'Total'),
        h('th', { scope: 'col', class: 'num' }, 'More than the cheapest'),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
      ),
    ),
    h('tbody', {}, ...rows, ...failures),
  );
}
