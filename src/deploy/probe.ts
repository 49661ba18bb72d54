import { InfoPath, ReadyPath } from './defaults.js';
import type { ColourProcess } from './supervisor.js';

export interface ProbeResult {
  status: number; // 0: not reachable
  body: unknown;
  error?: string;
}

/** One GET of an environment's JSON endpoint, bounded by timeoutMs. */
export async function probe(host: string, port: number, path: string, timeoutMs: number): Promise<ProbeResult> {
  try {
    const res = await fetch(`http://${host}:${port}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return { status: 0, body: null, error: cause?.code ?? (err as Error).name };
  }
}

export interface DeploymentInfo {
  version?: string;
  color?: string;
  pid?: number;
}

export async function deploymentInfo(host: string, port: number, timeoutMs = 1000): Promise<DeploymentInfo | null> {
  const r = await probe(host, port, InfoPath, timeoutMs);
  return r.status === 200 && r.body && typeof r.body === 'object' ? (r.body as DeploymentInfo) : null;
}

export class NotReadyError extends Error {}

/**
 * Waits until the environment answers 200 on /health/ready. An environment without that
 * endpoint (404: e.g. a --command release) counts as ready once it answers HTTP at all.
 * Fails at once if the process exits, or after timeoutMs.
 */
export async function waitReady(host: string, port: number, proc: ColourProcess, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  let last = 'no answer yet';
  let exited = false;
  const onExit = () => {
    exited = true;
  };
  proc.once('exit', onExit);
  try {
    while (Date.now() - t0 < timeoutMs) {
      if (exited || !proc.running) {
        const e = proc.lastExit;
        throw new NotReadyError(
          `process exited before it was ready (exit code ${e?.code ?? '?'}${e?.signal ? `, signal ${e.signal}` : ''})`,
        );
      }
      const r = await probe(host, port, ReadyPath, 1000);
      if (r.status === 200 || r.status === 404) return Date.now() - t0;
      last = r.status === 0 ? (r.error ?? 'not reachable') : `HTTP ${r.status} ${JSON.stringify(r.body)}`;
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new NotReadyError(`not ready after ${timeoutMs} ms (${ReadyPath}: ${last})`);
  } finally {
    proc.off('exit', onExit);
  }
}
