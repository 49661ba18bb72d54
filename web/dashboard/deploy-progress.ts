// The deploy under way (or the last one): its five phases as the controller runs them, each with its
// outcome and time from deployment.log, and a progress bar at the phase the status reports.
import { h } from '../shared/dom.js';
import { clock, duration } from '../shared/format.js';
import type { DeploymentEvent, StatusView } from './types.js';
import { num, str, up } from './types.js';

const PHASES = [
  { n: 1, name: 'start', label: 'Start the new colour' },
  { n: 2, name: 'validate', label: 'Validate it' },
  { n: 3, name: 'switch', label: 'Switch traffic' },
  { n: 4, name: 'drain', label: 'Drain the old colour' },
  { n: 5, name: 'promote', label: 'Promote' },
];

type PhaseState = 'pending' | 'current' | 'done' | 'failed';

/** The events of the last deploy in the log: from its `deploy started` on. */
export function lastDeployEvents(events: readonly DeploymentEvent[]): DeploymentEvent[] {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.event === 'deploy' && e.status === 'started') return events.slice(i);
  }
  return [];
}

export function renderDeploy(el: HTMLElement, s: StatusView, events: readonly DeploymentEvent[], now: number): void {
  const mine = lastDeployEvents(events);
  const started = mine[0];
  const d = s.deploy;
  const phase = d?.phase ?? 0;
  el.dataset.phase = String(phase);
  el.dataset.deploying = d ? 'true' : 'false';
  if (!d && !started) {
    el.replaceChildren(
      h('p', { class: 'muted' }, 'No deployment yet. `llm-pricing-mcp deploy --version V` starts one; it shows here as it runs.'),
    );
    return;
  }
  const version = d?.version ?? str(started?.version);
  const colour = d?.colour ?? str(started?.colour);
  const outcome = [...mine].reverse().find((e) => e.event === 'deploy' && e.status !== 'started');
  const states = phaseStates(mine, d !== null && !d.waitingForPromote ? phase : 0);
  const headline = d
    ? d.waitingForPromote
      ? `v${version} on ${up(colour)} is validated and waiting: promote switches traffic to it, abort stops it`
      : `Deploying v${version} to ${up(colour)}${d.from ? ` (from ${up(d.from)})` : ''}, started ${clock(d.startedAt)} (${duration(now - Date.parse(d.startedAt))} ago)`
    : `Last deployment: v${version} to ${up(colour)}, ${describeOutcome(outcome)}`;
  const shown = d ? (d.waitingForPromote ? 2 : phase) : states.filter((x) => x.state === 'done').length;
  const current = PHASES.find((p) => p.n === phase);
  el.replaceChildren(
    h('p', { class: 'headline', id: 'deploy-headline' }, headline),
    h(
      'div',
      { class: 'progress-row' },
      h('progress', { id: 'deploy-progress', max: 5, value: shown, 'aria-labelledby': 'deploy-progress-label' }),
      h(
        'span',
        { id: 'deploy-progress-label' },
        d && current && !d.waitingForPromote ? `Phase ${phase} of 5: ${current.label}` : `${shown} of 5 phases done`,
      ),
    ),
    h(
      'ol',
      { class: 'phases' },
      ...states.map(({ p, state, detail }) =>
        h(
          'li',
          { class: `phase phase-${state}`, 'data-state': state, 'aria-current': state === 'current' ? 'step' : false },
          h('span', { class: 'phase-mark', 'aria-hidden': 'true' }, state === 'done' ? '✓' : state === 'failed' ? '✗' : String(p.n)),
          h(
            'span',
            { class: 'phase-text' },
            h('strong', {}, p.label),
            h('span', { class: 'visually-hidden' }, `: ${state}`),
            detail ? h('span', { class: 'muted' }, detail) : null,
          ),
        ),
      ),
    ),
  );
}

function phaseStates(
  mine: readonly DeploymentEvent[],
  running: number,
): Array<{ p: (typeof PHASES)[number]; state: PhaseState; detail: string }> {
  return PHASES.map((p) => {
    const last = [...mine].reverse().find((e) => e.event === 'phase' && e.phase === p.n);
    const ms = num(last?.durationMs);
    if (last?.status === 'passed') return { p, state: 'done', detail: ms !== undefined ? duration(ms) : '' };
    if (last?.status === 'failed') return { p, state: 'failed', detail: str(last.reason) };
    if (p.n === running) return { p, state: 'current', detail: 'running' };
    return { p, state: 'pending', detail: '' };
  });
}

function describeOutcome(e: DeploymentEvent | undefined): string {
  if (!e) return 'outcome not in the log';
  const ms = num(e.durationMs);
  const took = ms !== undefined ? ` in ${duration(ms)}` : '';
  switch (e.status) {
    case 'succeeded':
      return `succeeded${took} at ${clock(e.ts)}`;
    case 'failed':
      return `failed${took} at ${clock(e.ts)}: ${str(e.reason)}`;
    case 'cancelled':
      return `cancelled by the operator at ${clock(e.ts)}`;
    case 'aborted':
      return `aborted at ${clock(e.ts)}`;
    case 'reverted':
      return `reverted by a restarted controller at ${clock(e.ts)}`;
    case 'finished':
      return `finished by a restarted controller at ${clock(e.ts)}`;
    default:
      return `${str(e.status)} at ${clock(e.ts)}`;
  }
}
