import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { AdminOutput, AdminRequest, AdminResult } from './admin.js';
import type { Controller } from './controller.js';
import type { Colour } from './defaults.js';
import { isColour } from './defaults.js';
import { readEvents } from './deployment-log.js';
import { finishDeploy, phasesFor, runDeploy } from './deploy-flow.js';
import type { DeployOptions } from './deploy-flow.js';
import { checkReleaseRequest, ReleaseError } from './release.js';
import type { ReleaseRequest } from './release.js';
import { runRollback } from './rollback-flow.js';
import { collectStatus } from './status.js';

const ok = (data?: unknown): AdminResult => ({ type: 'result', ok: true, exitCode: 0, data });
const fail = (error: string, exitCode = 1): AdminResult => ({ type: 'result', ok: false, exitCode, error });

/** One admin request: the behaviour behind each CLI verb. */
export async function handleAdmin(ctl: Controller, req: AdminRequest, out: AdminOutput): Promise<AdminResult> {
  const a = req.args;
  switch (req.cmd) {
    case 'ping':
      return ok({ pid: process.pid, url: ctl.publicUrl });
    case 'status':
      return ok(await collectStatus(ctl));
    case 'history':
      return ok(readEvents(ctl.dir, typeof a.limit === 'number' ? a.limit : undefined));
    case 'logs':
      return logs(ctl, a);
    case 'deploy':
      return deploy(ctl, a, out);
    case 'promote':
      return promote(ctl, out);
    case 'abort':
      return abort(ctl, out);
    case 'rollback':
      return rollback(ctl, a, out);
    default:
      return fail(`unknown admin command "${req.cmd}"`, 2);
  }
}

function deployOptions(ctl: Controller, a: Record<string, unknown>): DeployOptions {
  const d = ctl.defaults;
  const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fallback);
  return {
    drainTimeoutMs: num(a.drainTimeoutMs, d.drainTimeoutMs),
    keepPreviousMs: num(a.keepPreviousMs, d.keepPreviousMs),
    manualPromote: a.manualPromote === true,
    analysisWindowMs: num(a.analysisWindowMs, d.analysisWindowMs),
    maxErrorRate: num(a.maxErrorRate, d.maxErrorRate),
  };
}

/** Why a new deploy or rollback cannot start now, or undefined. */
function busyReason(ctl: Controller): string | undefined {
  const pending = ctl.state.deploy;
  if (ctl.pending) return `a deployment of v${ctl.pending.version} to ${ctl.pending.colour} is waiting for \`promote\` or \`abort\``;
  for (const [key, what] of ctl.locks) if (!key.startsWith('cleanup:')) return `${what}${pending ? ` (phase ${pending.phase})` : ''}`;
  return undefined;
}

async function waitForCleanup(ctl: Controller, out: AdminOutput): Promise<void> {
  const cleaning = [...ctl.locks.keys()].filter((k) => k.startsWith('cleanup:'));
  if (cleaning.length === 0) return;
  out.line(`[INFO] Waiting for ${cleaning.map((k) => ctl.locks.get(k)).join(', ')} to finish...`);
  while ([...ctl.locks.keys()].some((k) => k.startsWith('cleanup:'))) await new Promise((r) => setTimeout(r, 50));
}

async function deploy(ctl: Controller, a: Record<string, unknown>, out: AdminOutput): Promise<AdminResult> {
  const busy = busyReason(ctl);
  if (busy) return fail(`another deployment is in progress: ${busy}`);
  const request: ReleaseRequest = {
    version: String(a.version ?? ''),
    from: typeof a.from === 'string' ? a.from : undefined,
    gitRef: typeof a.gitRef === 'string' ? a.gitRef : undefined,
    command: typeof a.command === 'string' ? a.command : undefined,
    specFile: typeof a.specFile === 'string' ? a.specFile : undefined,
    cwd: typeof a.cwd === 'string' ? a.cwd : process.cwd(),
  };
  try {
    checkReleaseRequest(request);
  } catch (err) {
    if (err instanceof ReleaseError) return fail(err.message);
    throw err;
  }
  const opts = deployOptions(ctl, a);
  ctl.locks.set('deploy', `deploying v${request.version}`);
  try {
    await waitForCleanup(ctl, out);
    ctl.analysis?.cancel();
    return await runDeploy(ctl, request, opts, out);
  } finally {
    ctl.locks.delete('deploy');
  }
}

async function promote(ctl: Controller, out: AdminOutput): Promise<AdminResult> {
  const p = ctl.pending;
  if (!p) return fail('no deployment is waiting for promotion (deploy with --manual-promote first)');
  if (ctl.locks.has('deploy')) return fail('the deployment is busy; try again');
  if (!ctl.procs[p.colour].running) return fail(`${p.colour} is no longer running; abort and deploy again`);
  ctl.locks.set('deploy', `promoting v${p.version}`);
  try {
    ctl.event({ event: 'deploy', status: 'promoted', version: p.version, colour: p.colour });
    return await finishDeploy(ctl, p.colour, p.version, p.opts as unknown as DeployOptions, phasesFor(ctl, out, p.version, p.colour));
  } finally {
    ctl.locks.delete('deploy');
  }
}

async function abort(ctl: Controller, out: AdminOutput): Promise<AdminResult> {
  const p = ctl.pending;
  if (!p) return fail('no deployment is waiting for promotion: nothing to abort');
  ctl.locks.set('deploy', `aborting v${p.version}`);
  try {
    out.line(`[INFO] Stopping ${p.colour.toUpperCase()} (v${p.version})...`);
    await ctl.stopColour(p.colour, `deploy of v${p.version} aborted`);
    ctl.pending = null;
    ctl.state.deploy = null;
    ctl.save();
    ctl.event({ event: 'deploy', status: 'aborted', version: p.version, colour: p.colour });
    out.line(
      `[SUCCESS] Deployment of v${p.version} aborted; ${ctl.state.active ? ctl.state.active.toUpperCase() : 'nothing'} keeps serving`,
    );
    return ok({ aborted: p.version });
  } finally {
    ctl.locks.delete('deploy');
  }
}

async function rollback(ctl: Controller, a: Record<string, unknown>, out: AdminOutput): Promise<AdminResult> {
  if (ctl.pending) return fail(`a deployment of v${ctl.pending.version} is waiting for promotion: use \`abort\` to drop it`);
  const busy = busyReason(ctl);
  if (busy) return fail(`cannot roll back now: ${busy}`);
  ctl.locks.set('rollback', 'rolling back');
  try {
    await waitForCleanup(ctl, out);
    const version = typeof a.previousVersion === 'string' ? a.previousVersion : undefined;
    return await runRollback(ctl, version, deployOptions(ctl, a), out);
  } finally {
    ctl.locks.delete('rollback');
  }
}

function logs(ctl: Controller, a: Record<string, unknown>): AdminResult {
  const lines = typeof a.lines === 'number' && a.lines > 0 ? a.lines : 50;
  let colours: Colour[];
  if (a.colour === undefined || a.colour === null) colours = ctl.state.active ? [ctl.state.active] : ['blue', 'green'];
  else if (isColour(a.colour)) colours = [a.colour];
  else return fail(`colour must be blue or green, got "${String(a.colour)}"`, 2);
  const data: Record<string, string[]> = {};
  for (const c of colours) data[c] = tail(ctl.procs[c].logFile, lines);
  return ok(data);
}

function tail(file: string, lines: number): string[] {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return [];
  }
  const want = Math.min(size, lines * 400 + 4096);
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(want);
    readSync(fd, buf, 0, want, size - want);
    return buf
      .toString('utf8')
      .split('\n')
      .filter((l, i, all) => l !== '' || i < all.length - 1)
      .slice(-lines);
  } finally {
    closeSync(fd);
  }
}
