// The two environments side by side: role, version, release, health, uptime, and their live traffic
// through the router (requests per second, error rate, mean latency over the status's window).
import { h } from '../shared/dom.js';
import { clock, duration, num as decimal, percent } from '../shared/format.js';
import type { Colour, ColourRates, ColourView, StatusView } from './types.js';
import { COLOURS } from './types.js';

const ROLE_TEXT: Record<string, string> = {
  active: 'Active',
  standby: 'Standby',
  draining: 'Draining',
  ready: 'Ready (validating)',
  starting: 'Starting',
  stopped: 'Stopped',
  failed: 'Failed',
};

export function renderColours(el: HTMLElement, s: StatusView, now: number): void {
  el.replaceChildren(...COLOURS.map((c) => colourCard(c, s.colours[c], s.traffic?.colours[c], s, now)));
}

function colourCard(c: Colour, v: ColourView, t: ColourRates | undefined, s: StatusView, now: number): HTMLElement {
  const name = c === 'blue' ? 'Blue' : 'Green';
  const running = v.status === 'RUNNING' || v.status === 'STARTING';
  const healthy = v.health.startsWith('Ready');
  const role = ROLE_TEXT[v.role] ?? v.role;
  const warm = v.keepUntil && v.role !== 'active' && running ? ` until ${clock(v.keepUntil)}` : '';
  const traffic = running && s.traffic && t;
  return h(
    'article',
    { class: `colour colour-${c}`, 'data-colour': c, 'data-role': v.role, 'aria-labelledby': `${c}-name` },
    h(
      'header',
      { class: 'colour-head' },
      h('h3', { id: `${c}-name` }, name),
      h('span', { class: `role role-${v.role}`, 'data-testid': `${c}-role` }, `${role}${warm}`),
    ),
    h(
      'dl',
      { class: 'facts' },
      fact('Version', v.version ? `v${v.version}` : '—', 'version'),
      fact('Release', v.release ?? '—'),
      fact('Health', h('span', { class: healthy ? 'ok' : running ? 'bad' : 'muted' }, v.health), 'health'),
      fact('Uptime', running && v.startedAt ? duration(now - Date.parse(v.startedAt)) : 'not running', 'uptime'),
      fact('Process', v.pid !== null ? `pid ${v.pid}${v.adopted ? ' (adopted)' : ''}` : '—'),
    ),
    h(
      'dl',
      { class: 'facts traffic', 'aria-label': `${name} traffic` },
      fact('Requests per second', traffic ? decimal(t.rps) : '—', 'rps'),
      fact('Error rate', traffic ? (t.rps > 0 || t.avgLatencyMs !== null ? percent(t.errorRate) : 'no requests') : '—', 'error-rate'),
      fact('Mean latency', traffic && t.avgLatencyMs !== null ? `${decimal(t.avgLatencyMs)} ms` : '—', 'latency'),
      fact('In flight', running ? String(v.inFlight) : '—'),
      fact('MCP sessions', running ? String(v.sessions) : '—'),
      fact('Since router start', t ? `${t.requests} requests, ${t.errors} errors` : '—'),
    ),
    v.note ? h('p', { class: 'note' }, v.note) : null,
  );
}

function fact(label: string, value: string | Node, key?: string): DocumentFragment {
  const f = document.createDocumentFragment();
  f.append(h('dt', {}, label), h('dd', key ? { 'data-fact': key } : {}, value));
  return f;
}
