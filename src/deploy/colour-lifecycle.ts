import type { Colour } from './defaults.js';
import type { RouteState } from './router-protocol.js';

/**
 * The lifecycle of one colour, the only one there is: the controller saves it in state.json and
 * the router's route table is folded from it.
 *
 *   stopped ─► starting ─► ready ─► active ◄─► standby
 *                  │          │        │  ╲      │
 *                  ▼          ▼        ▼   ╲     ▼
 *               failed     stopped  draining ─► standby | stopped
 *
 * `ready` is validated but never promoted (preview only); `active` takes new traffic; `draining`
 * takes only its MCP sessions' requests; `standby` is kept warm for an instant rollback. A colour
 * that crashed while serving goes back to `starting` when it is restarted.
 */
export type ColourStatus = 'stopped' | 'starting' | 'ready' | 'active' | 'standby' | 'draining' | 'failed';

export const colourStatuses: readonly ColourStatus[] = ['stopped', 'starting', 'ready', 'active', 'standby', 'draining', 'failed'];

const transitions: Record<ColourStatus, readonly ColourStatus[]> = {
  stopped: ['starting'],
  failed: ['starting', 'stopped'],
  starting: ['ready', 'stopped', 'failed'],
  ready: ['active', 'standby', 'stopped', 'failed'],
  active: ['standby', 'draining', 'stopped', 'failed', 'starting'],
  standby: ['active', 'draining', 'stopped', 'failed', 'starting'],
  draining: ['active', 'standby', 'stopped', 'failed', 'starting'],
};

export class TransitionError extends Error {
  override name = 'TransitionError';
}

/** Throws when the lifecycle has no step from `from` to `to` (staying put is always allowed). */
export function checkTransition(colour: Colour, from: ColourStatus, to: ColourStatus): void {
  if (from === to) return;
  if (!transitions[from].includes(to)) throw new TransitionError(`${colour}: cannot go from ${from} to ${to}`);
}

/** A colour whose process should be running. */
export function isServing(s: ColourStatus): boolean {
  return s === 'active' || s === 'standby' || s === 'draining';
}

/** What the router needs to know of a status. */
export function routeState(s: ColourStatus): RouteState {
  return s === 'failed' ? 'stopped' : s;
}
