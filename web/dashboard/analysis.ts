// The post-switch analysis: while it runs, the new colour's error rate since the switch against the threshold
// above which the controller rolls back by itself; afterwards, its verdict from deployment.log.
import { h } from '../shared/dom.js';
import { clock, duration, percent } from '../shared/format.js';
import type { DeploymentEvent, StatusView } from './types.js';
import { num, str, up } from './types.js';

export function renderAnalysis(el: HTMLElement, s: StatusView, events: readonly DeploymentEvent[], now: number): void {
  const a = s.analysis;
  el.dataset.watching = a ? 'true' : 'false';
  if (a) {
    const left = Math.max(0, Date.parse(a.endsAt) - now);
    const judged = a.requests >= a.minRequests;
    // The bar spans twice the threshold, so the threshold mark sits in its middle.
    const scale = Math.max(a.maxErrorRate * 2, a.errorRate, 0.01);
    // Widths through the CSSOM: the page's CSP allows no inline style attribute.
    const fill = h('span', { class: `rate-fill${a.errorRate > a.maxErrorRate ? ' over' : ''}` });
    fill.style.width = `${Math.min(100, (a.errorRate / scale) * 100)}%`;
    const limit = h('span', { class: 'rate-limit' });
    limit.style.left = `${(a.maxErrorRate / scale) * 100}%`;
    el.replaceChildren(
      h('p', { class: 'headline' }, `Watching ${up(a.colour)} until ${clock(a.endsAt)} (${duration(left)} left)`),
      h(
        'div',
        { class: 'rate-row' },
        h('span', { id: 'analysis-rate-label' }, 'Error rate since the switch'),
        h('div', { class: 'rate-bar', role: 'img', 'aria-labelledby': 'analysis-rate-label analysis-rate' }, fill, limit),
        h(
          'span',
          { id: 'analysis-rate', 'data-rate': a.errorRate, 'data-threshold': a.maxErrorRate },
          `${percent(a.errorRate)} against a threshold of ${percent(a.maxErrorRate)}`,
        ),
      ),
      h(
        'p',
        { class: 'muted' },
        `${a.errors} errors in ${a.requests} requests, mean latency ${a.requests > 0 ? `${a.avgLatencyMs} ms` : '—'}. ` +
          (judged
            ? `Above ${percent(a.maxErrorRate)} the controller switches back to the previous colour by itself.`
            : `Judged once ${a.minRequests} requests have come (${a.requests} so far).`),
      ),
    );
    return;
  }
  const last = [...events].reverse().find((e) => e.event === 'analysis');
  if (!last) {
    el.replaceChildren(
      h(
        'p',
        { class: 'muted' },
        'No analysis yet: after each switch the new colour is watched for a while and rolled back above the error threshold.',
      ),
    );
    return;
  }
  const passed = last.passed === true;
  const rate = num(last.errorRate) ?? 0;
  el.replaceChildren(
    h(
      'p',
      { class: 'headline' },
      `Last analysis: ${up(str(last.colour))} (v${str(last.version)}) ${passed ? 'passed' : 'failed'} at ${clock(last.ts)}`,
      h('span', { class: `badge ${passed ? '' : 'badge-bad'}` }, passed ? 'passed' : 'failed'),
    ),
    h(
      'p',
      { class: 'muted' },
      `${str(last.reason)}: ${num(last.errors) ?? 0} errors in ${num(last.requests) ?? 0} requests (${percent(rate)}).`,
    ),
  );
}
