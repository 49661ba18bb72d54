import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeploymentEvent } from './status-view.js';

export type { DeploymentEvent } from './status-view.js';

export function deploymentLogPath(dir: string): string {
  return join(dir, 'deployment.log');
}

/** Appends one JSON event a line (O_APPEND: lines from one writer never interleave). */
export function appendEvent(dir: string, event: { event: string; [key: string]: unknown }): DeploymentEvent {
  const full: DeploymentEvent = { ts: new Date().toISOString(), ...event };
  appendFileSync(deploymentLogPath(dir), JSON.stringify(full) + '\n', { mode: 0o600 });
  return full;
}

/** Reads the events back; a torn last line (a crash mid-append) is skipped. */
export function readEvents(dir: string, limit?: number): DeploymentEvent[] {
  let text: string;
  try {
    text = readFileSync(deploymentLogPath(dir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: DeploymentEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as DeploymentEvent);
    } catch {
      // torn line
    }
  }
  return limit !== undefined ? out.slice(-limit) : out;
}
