// The page's whole state, and its one home: the URL's query string. Cost inputs keep the tool's own argument
// names (model_name, input_tokens, batch, ...), so a modifier added to estimate_cost is carried by links too.
import type { Theme } from '../shared/theme.js';

export type SortDir = 'asc' | 'desc';
export type ChartAxis = 'throughput' | 'context';

export interface TableState {
  q: string;
  provider: string;
  category: string;
  minContext: number;
  deprecated: boolean;
  sort: string;
  dir: SortDir;
}

export interface PageState {
  /** estimate_cost arguments as typed, by argument name. */
  cost: Record<string, string>;
  compare: string[];
  table: TableState;
  chartX: ChartAxis;
  theme: Theme;
}

export const DEFAULT_COST: Readonly<Record<string, string>> = { model_name: 'gpt-4o', input_tokens: '10000', output_tokens: '1000' };
const DEFAULT_TABLE: TableState = { q: '', provider: '', category: '', minContext: 0, deprecated: false, sort: 'provider', dir: 'asc' };

/** Query keys that are not cost inputs. */
const PAGE_KEYS = new Set(['compare', 'tq', 'tprovider', 'tcategory', 'tcontext', 'tdeprecated', 'tsort', 'tdir', 'chart_x', 'theme']);

export function parseState(search: string): PageState {
  const p = new URLSearchParams(search);
  const cost: Record<string, string> = {};
  for (const [k, v] of p) if (!PAGE_KEYS.has(k)) cost[k] = v;
  const hasCost = Object.keys(cost).length > 0;
  const theme = p.get('theme');
  const dir = p.get('tdir');
  return {
    cost: hasCost ? cost : { ...DEFAULT_COST },
    compare: (p.get('compare') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    table: {
      q: p.get('tq') ?? DEFAULT_TABLE.q,
      provider: p.get('tprovider') ?? DEFAULT_TABLE.provider,
      category: p.get('tcategory') ?? DEFAULT_TABLE.category,
      minContext: Number(p.get('tcontext') ?? 0) || 0,
      deprecated: p.get('tdeprecated') === '1',
      sort: p.get('tsort') ?? DEFAULT_TABLE.sort,
      dir: dir === 'desc' ? 'desc' : 'asc',
    },
    chartX: p.get('chart_x') === 'context' ? 'context' : 'throughput',
    theme: theme === 'light' || theme === 'dark' ? theme : 'auto',
  };
}

/** The query string for a state: cost inputs that are set, then whatever differs from the defaults. */
export function formatState(s: PageState): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(s.cost)) if (v !== '') p.set(k, v);
  if (s.compare.length > 0) p.set('compare', s.compare.join(','));
  const t = s.table;
  if (t.q) p.set('tq', t.q);
  if (t.provider) p.set('tprovider', t.provider);
  if (t.category) p.set('tcategory', t.category);
  if (t.minContext) p.set('tcontext', String(t.minContext));
  if (t.deprecated) p.set('tdeprecated', '1');
  if (t.sort !== DEFAULT_TABLE.sort || t.dir !== DEFAULT_TABLE.dir) {
    p.set('tsort', t.sort);
    p.set('tdir', t.dir);
  }
  if (s.chartX !== 'throughput') p.set('chart_x', s.chartX);
  if (s.theme !== 'auto') p.set('theme', s.theme);
  return p.toString();
}
