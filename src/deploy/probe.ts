import http from 'node:http';
import { InfoPath, ReadyPath } from './defaults.js';
import type { Address } from './router-protocol.js';
import type { ColourProcess } from './supervisor.js';

export interface ProbeResult {
  status: number; // 0: not reachable
  body: unknown;
  error?: string;
}

/** One GET of an environment's JSON endpoint, straight to where it listens (Unix socket or TCP), bounded by timeoutMs. */
export function probe(address: Address, path: string, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const where = 'socketPath' in address ? { socketPath: address.socketPath } : { host: address.host, port: address.port };
    const req = http.get({ ...where, path, agent: false, timeout: timeoutMs, headers: { host: 'localhost' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', (err: NodeJS.ErrnoException) => resolve({ status: 0, body: null, error: err.code ?? err.message }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ status: 0, body: null, error: err.code ?? err.message }));
  });
}

export interface DeploymentInfo {
  version?: string;
  color?: string;
  pid?: number;
}

export async function deploymentInfo(address: Address, timeoutMs = 1000): Promise<DeploymentInfo | null> {
  const r = await probe(address, InfoPath, timeoutMs);
  return r.status === 200 && r.body && typeof r.body === 'object' ? (r.body as DeploymentInfo) : null;
}

export class NotReadyError extends Error {}

/**
 * Waits until the environment answers 200 on /health/ready. An environment without that
 * endpoint (404: e.g. a --command release) counts as ready once it answers HTTP at all.
 * Fails at once if the process exits or `signal` aborts, or after timeoutMs.
 */
export async function waitReady(address: Address, proc: ColourProcess, timeoutMs: number, signal?: AbortSignal): Promise<number> {
  const t0 = Date.now();
  let last = 'no answer yet';
  while (Date.now() - t0 < timeoutMs) {
    if (signal?.aborted) throw new NotReadyError('the deploy was cancelled');
    if (!proc.running) {
      const e = proc.lastExit;
      throw new NotReadyError(`process exited before it was ready (exit code ${e?.code ?? '?'}${e?.signal ? `, signal ${e.signal}` : ''})`);
    }
    const r = await probe(address, ReadyPath, 1000);
    if (r.status === 200 || r.status === 404) return Date.now() - t0;
    last = r.status === 0 ? (r.error ?? 'not reachable') : `HTTP ${r.status} ${JSON.stringify(r.body)}`;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new NotReadyError(`not ready after ${timeoutMs} ms (${ReadyPath}: ${last})`);
}
