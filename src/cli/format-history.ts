import type { DeploymentEvent } from '../deploy/deployment-log.js';

/** One readable line per deployment.log event. */
export function formatHistory(events: DeploymentEvent[]): string {
  if (events.length === 0) return 'No deployment events yet.';
  return events.map(formatEvent).join('\n');
}

function formatEvent(e: DeploymentEvent): string {
  const colour = typeof e.colour === 'string' ? e.colour.toUpperCase() : '';
  const v = e.version ? ` v${String(e.version)}` : '';
  const ms = typeof e.durationMs === 'number' ? ` (${Math.round(e.durationMs)} ms)` : '';
  let what: string;
  switch (e.event) {
    case 'phase':
      what = `phase ${String(e.phase)} ${String(e.name)} ${String(e.status)}${v} ${colour}${ms}${e.reason ? `: ${String(e.reason)}` : ''}`;
      break;
    case 'deploy':
      what = `deploy${v} to ${colour} ${String(e.status)}${ms}${e.reason ? `: ${String(e.reason)}` : ''}`;
      break;
    case 'switch':
      what = `switch ${String(e.from ?? 'none').toUpperCase()} -> ${String(e.to).toUpperCase()}${v} in ${Number(e.switchMs).toFixed(2)} ms`;
      break;
    case 'rollback':
      what = e.failed
        ? `rollback failed: ${String(e.failed)}`
        : `rollback ${String(e.from ?? '?').toUpperCase()} -> ${String(e.to ?? '?').toUpperCase()}${v}${typeof e.switchMs === 'number' ? ` in ${e.switchMs.toFixed(2)} ms` : ''}${e.reason ? ` (${String(e.reason)})` : ''}`;
      break;
    case 'drain':
      what = `drain ${colour}${ms}: ${String(e.inFlightLeft)} in flight, ${String(e.sessionsLeft)} sessions left${e.timedOut ? ' (timeout)' : ''}`;
      break;
    case 'analysis':
      what = `analysis ${colour}${v} ${e.passed ? 'passed' : 'FAILED'}: ${String(e.reason)} (${String(e.errors)} errors / ${String(e.requests)} requests)`;
      break;
    default: {
      const rest = Object.entries(e)
        .filter(([k]) => !['ts', 'event', 'colour', 'version', 'release'].includes(k))
        .map(([k, val]) => `${k}=${typeof val === 'object' ? JSON.stringify(val) : String(val)}`)
        .join(' ');
      what = `${e.event} ${colour}${v} ${rest}`.replace(/\s+/g, ' ').trim();
    }
  }
  return `${e.ts}  ${what}`;
}
