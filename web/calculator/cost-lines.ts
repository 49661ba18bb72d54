// The itemized cost, as estimate_cost answers it (contract C1): lines that add up to the total, the conditions
// applied, warnings, and where the prices come from.
import { h } from '../shared/dom.js';
import { int, perUnit, rate, usd } from '../shared/format.js';

// The line and condition shapes are the pricing core's own: the page cannot drift from the tool's answer.
export type { CostCondition as Condition, CostLine } from '../../src/pricing/types.js';
import type { CostCondition as Condition, CostLine } from '../../src/pricing/types.js';

/** estimate_cost's structuredContent (the fields this page reads). */
export interface Estimate {
  model: string;
  key: string;
  name: string;
  provider: string;
  provider_name: string;
  resolved_via: string;
  deprecated: boolean;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  requests: number;
  input_cost: number;
  cached_input_cost: number;
  output_cost: number;
  total_cost: number;
  rates_used: { input_per_1m: number; output_per_1m: number; cached_input_per_1m: number | null; tier_start: number | null };
  note: string | null;
  price_source: string;
  data_as_of: string;
  source: string;
  lines: CostLine[];
  conditions: Condition[];
  warnings: string[];
  /** For a generic name: the host that answered, and the others that offer it. */
  host?: string;
  other_hosts?: string[];
}

/** The result block: total, the lines that make it, conditions, warnings, note, source. */
export function renderEstimate(e: Estimate): HTMLElement {
  const { lines, conditions, warnings } = e;
  const volume = e.requests > 1 ? ` × ${int(e.requests)} requests` : '';
  const rows = lines.map((l) =>
    h(
      'tr',
      { 'data-item': l.item },
      h('th', { scope: 'row' }, l.label),
      h('td', { class: 'num' }, `${int(l.quantity)} ${l.unit}`),
      h(
        'td',
        { class: 'num' },
        l.rate !== null ? `${rate(l.rate)} ${perUnit(l.per, l.unit)}` : l.pricing === 'unpriced' ? 'not priced' : '—',
      ),
      h('td', { class: 'num', 'data-cost': l.cost ?? '' }, l.cost === null ? '—' : l.pricing === 'free' ? 'free' : usd(l.cost)),
    ),
  );
  return h(
    'div',
    { class: 'estimate' },
    h('p', { class: 'total' }, h('span', { id: 'total', 'data-total': e.total_cost }, usd(e.total_cost))),
    h(
      'p',
      { class: 'resolved muted' },
      `${e.name} (${e.provider_name}) — `,
      h('code', {}, e.key),
      e.resolved_via !== 'exact' ? ` (matched by ${e.resolved_via})` : '',
      volume,
      e.deprecated ? ' · deprecated' : '',
    ),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data', id: 'cost-lines' },
        h('caption', { class: 'muted' }, 'Itemized cost'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Item'),
            h('th', { scope: 'col', class: 'num' }, 'Quantity'),
            h('th', { scope: 'col', class: 'num' }, 'Rate'),
            h('th', { scope: 'col', class: 'num' }, 'Cost'),
          ),
        ),
        h('tbody', {}, ...rows),
        h('tfoot', {}, h('tr', {}, h('td', { colspan: 3 }, 'Total'), h('td', { class: 'num' }, usd(e.total_cost)))),
      ),
    ),
    h(
      'div',
      { class: 'estimate-notes' },
      conditions.length > 0
        ? h(
            'div',
            {},
            h('h3', { class: 'muted' }, 'Conditions applied'),
            h('ul', { id: 'conditions' }, ...conditions.map((c) => h('li', { 'data-kind': c.kind }, c.description))),
          )
        : null,
      ...warnings.map((w) => h('p', { class: 'warning' }, w)),
      e.note ? h('p', { class: 'warning' }, e.note) : null,
      e.host && e.other_hosts?.length
        ? h('p', { class: 'muted', id: 'hosts' }, `Priced at ${e.host}; also offered by ${e.other_hosts.join(', ')}.`)
        : null,
      h('p', { class: 'muted', id: 'price-source' }, `Price source: ${e.price_source}. Data as of ${e.data_as_of}.`),
    ),
  );
}
