// deployment.log as a table, newest first: when, what, and a sentence of what happened.
import { h } from '../shared/dom.js';
import { clock, duration, percent } from '../shared/format.js';
import type { DeploymentEvent } from './types.js';
import { num, str, up } from './types.js';

/** Rows the table shows; the page keeps a few more in memory. */
const SHOWN = 40;

export function renderHistory(body: HTMLTableSectionElement, events: readonly DeploymentEvent[]): void {
  const rows = events.slice(-SHOWN).reverse();
  if (rows.length === 0) {
    body.replaceChildren(h('tr', {}, h('td', { colspan: 3, class: 'muted' }, 'Nothing has happened yet.')));
    return;
  }
  body.replaceChildren(
    ...rows.map((e) =>
      h(
        'tr',
        { 'data-event': e.event },
        h('td', {}, h('time', { datetime: e.ts }, clock(e.ts))),
        h('td', {}, e.event),
        h('td', {}, describe(e)),
      ),
    ),
  );
}

/** One sentence for an event of deployment.log (see src/deploy for who writes each). */
export function describe(e: DeploymentEvent): string {
  const ms = num(e.durationMs);
  const took = ms !== undefined ? ` (${duration(ms)})` : '';
  const v = e.version ? ` v${str(e.version)}` : '';
  switch (e.event) {
    case 'deploy':
      return `${up(str(e.colour))}${v}: deployment ${str(e.status)}${took}${e.reason ? `: ${str(e.reason)}` : ''}`;
    case 'phase':
      return `Phase ${num(e.phase) ?? '?'} (${str(e.name)}) ${str(e.status)}${took}${e.reason ? `: ${str(e.reason)}` : ''}`;
    case 'switch':
      return `Traffic switched ${e.from ? `from ${up(str(e.from))} ` : ''}to ${up(str(e.to))}${v} in ${(num(e.switchMs) ?? 0).toFixed(2)} ms`;
    case 'rollback':
      if (e.failed) return `Rollback failed: ${str(e.failed)}`;
      if (e.mode === 'redeploy') return `Rollback by redeploying${v}`;
      return `Rolled back ${e.from ? `from ${up(str(e.from))} ` : ''}to ${up(str(e.to))}${v}${e.reason ? `: ${str(e.reason)}` : ''}`;
    case 'drain':
      return `${up(str(e.colour))} drained${took}${e.timedOut ? `, timed out with ${str(e.inFlightLeft)} requests and ${str(e.sessionsLeft)} sessions left` : ''}`;
    case 'start':
      return `${up(str(e.colour))}${v} started (pid ${str(e.pid)})`;
    case 'stop':
      return `${up(str(e.colour))}${v} stopped${took}: ${str(e.reason)}`;
    case 'crash':
      return `${up(str(e.colour))}${v} crashed: ${str(e.detail)}`;
    case 'restart':
      return e.failed ? `${up(str(e.colour))} restart failed: ${str(e.failed)}` : `${up(str(e.colour))}${v} restarted (pid ${str(e.pid)})`;
    case 'adopt':
      return `${up(str(e.colour))}${v} adopted (pid ${str(e.pid)})`;
    case 'analysis':
      return `${up(str(e.colour))}${v} analysis ${e.passed ? 'passed' : 'failed'}: ${str(e.reason)} (${percent(num(e.errorRate) ?? 0)} of ${num(e.requests) ?? 0} requests)`;
    case 'answers': {
      const changes = Array.isArray(e.changes) ? e.changes.length : undefined;
      const against = (e.against ?? {}) as { version?: string };
      if (e.error) return `Answers of${v} not compared: ${str(e.error)}`;
      return `Answers of${v} against v${str(against.version)}: ${changes ? `${changes} changed` : 'unchanged'}`;
    }
    case 'action':
      return `${str(e.verb)} asked from the dashboard${e.client ? ` by ${str(e.client)}` : ''}`;
    case 'controller':
      return `Controller ${str(e.action)} (pid ${str(e.pid)})`;
    default: {
      const { ts: _ts, event: _event, ...rest } = e;
      const text = JSON.stringify(rest);
      return text.length > 160 ? `${text.slice(0, 157)}…` : text;
    }
  }
}
