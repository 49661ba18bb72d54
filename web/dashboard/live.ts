// The live feed: the controller's server-sent events (a `status` when anything changes and once a second with
// the traffic, a `log` per deployment.log line). EventSource reconnects by itself after a dropped stream; a
// refused one (the router without a controller answers 503) is retried here, with back-off.
import type { DeploymentEvent, StatusView } from './types.js';

export interface LiveHandlers {
  status(s: StatusView): void;
  log(e: DeploymentEvent): void;
  /** 'live' while the stream is open; 'reconnecting' while it is not. */
  connection(state: 'live' | 'reconnecting'): void;
  /** The stream is open again after a break: what happened meanwhile is not in it. */
  resumed(): void;
}

const EVENTS_URL = '/deploy/api/events';

export function connectLive(on: LiveHandlers): void {
  let broken = false;
  let retryMs = 1000;
  const open = (): void => {
    const source = new EventSource(EVENTS_URL);
    source.addEventListener('open', () => {
      retryMs = 1000;
      on.connection('live');
      if (broken) on.resumed();
      broken = false;
    });
    source.addEventListener('status', (m) => on.status(JSON.parse((m as MessageEvent<string>).data) as StatusView));
    source.addEventListener('log', (m) => on.log(JSON.parse((m as MessageEvent<string>).data) as DeploymentEvent));
    source.addEventListener('error', () => {
      broken = true;
      on.connection('reconnecting');
      if (source.readyState === EventSource.CLOSED) {
        setTimeout(open, retryMs);
        retryMs = Math.min(retryMs * 2, 15_000);
      }
    });
    addEventListener('pagehide', () => source.close(), { once: true });
  };
  open();
}
