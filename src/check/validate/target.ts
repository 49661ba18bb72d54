import { performance } from 'node:perf_hooks';
import { baseUrlOf, getJson } from '../http-get.js';
import { isRecord } from './tool-checks.js';
import { SessionOpenError, errorText, openHttpSession, openStdioSession } from './session.js';
import type { Session } from './session.js';
import type { ValidationSpec } from './spec.js';

// Brings the server under test up to an initialized MCP session, and says which
// stage failed when it cannot: "start" (the process died or the endpoint is not
// ready) or "initialize" (up, but the handshake failed).

export type StartOutcome =
  | { ok: true; session: Session; startDetail: string }
  | { ok: false; stage: 'start' | 'initialize'; reason: string; startDetail?: string; session?: Session };

export interface TargetOptions {
  url?: string;
  stdio?: string;
  timeoutMs: number;
  headers?: Record<string, string>;
}

export async function startTarget(target: TargetOptions, spec: ValidationSpec): Promise<StartOutcome & { ms: number }> {
  const t0 = performance.now();
  const outcome =
    target.stdio !== undefined
      ? await startStdio(target.stdio, target.timeoutMs)
      : await startHttp(target.url!, spec, target.timeoutMs, target.headers ?? {});
  return { ...outcome, ms: performance.now() - t0 };
}

async function startStdio(command: string, timeoutMs: number): Promise<StartOutcome> {
  try {
    const session = await openStdioSession(command, timeoutMs);
    return { ok: true, session, startDetail: `PID: ${session.pid}` };
  } catch (err) {
    if (!(err instanceof SessionOpenError)) return { ok: false, stage: 'start', reason: errorText(err) };
    const { session } = err;
    const exit = session.exitDescription();
    const stderr = session.stderrTail();
    const tail = stderr ? `; stderr: ${lastLines(stderr, 3)}` : '';
    if (session.pid === undefined) return { ok: false, stage: 'start', reason: `could not start "${command}": ${err.message}`, session };
    if (exit) return { ok: false, stage: 'start', reason: `process ${exit} before answering initialize${tail}`, session };
    return { ok: false, stage: 'initialize', reason: `${err.message}${tail}`, startDetail: `PID: ${session.pid}`, session };
  }
}

async function startHttp(url: string, spec: ValidationSpec, timeoutMs: number, headers: Record<string, string>): Promise<StartOutcome> {
  const base = baseUrlOf(url);
  let startDetail = `endpoint ${url}`;
  if (spec.readyPath !== null) {
    const ready = await getJson(base + spec.readyPath, timeoutMs, headers);
    if (!ready.ok) return { ok: false, stage: 'start', reason: ready.reason };
    startDetail = `ready at ${base + spec.readyPath}`;
  }
  if (spec.infoPath !== null) {
    const info = await getJson(base + spec.infoPath, timeoutMs, headers);
    if (info.ok && isRecord(info.body) && typeof info.body.pid === 'number') startDetail = `PID: ${info.body.pid}`;
  }
  try {
    const session = await openHttpSession(url, timeoutMs, headers);
    return { ok: true, session, startDetail };
  } catch (err) {
    const session = err instanceof SessionOpenError ? err.session : undefined;
    return { ok: false, stage: 'initialize', reason: errorText(err), startDetail, ...(session && { session }) };
  }
}

function lastLines(text: string, n: number): string {
  return text.split('\n').slice(-n).join(' | ');
}
