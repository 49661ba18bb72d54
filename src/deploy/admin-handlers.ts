import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AdminAnswers, AdminArgs, AdminVerb } from './admin-protocol.js';
import { adminArgs } from './admin-protocol.js';
import type { DeployContext, DeployOptions } from './context.js';
import type { Colour } from './defaults.js';
import { finishDeploy, runDeploy } from './deploy-flow.js';
import { Phases } from './deploy-phases.js';
import { readEvents } from './deployment-log.js';
import { preparePriceData } from './price-data.js';
import { checkReleaseRequest, ReleaseError, speaksPriceData } from './release.js';
import type { ReleaseRequest } from './release.js';
import { runRollback } from './rollback-flow.js';
import { collectStatus } from './status.js';
import { fail, ok } from './unix-rpc.js';
import type { RpcOutput, RpcRequest, RpcResult } from './unix-rpc.js';
import type { ReleaseSpec } from './state.js';

/** What the admin handlers need beyond the deploy context: the operator's Ctrl-C and a full stop. */
export interface AdminContext extends DeployContext {
  /** The signal of the deploy under way (Ctrl-C on its CLI aborts it), if any. */
  deploySignal: AbortController | null;
  /** Stops everything and ends the controller process. */
  requestShutdown(): void;
}

type Handler<K extends AdminVerb> = (ctx: AdminContext, args: AdminArgs<K>, out: RpcOutput) => Promise<RpcResult> | RpcResult;

const answer = <K extends AdminVerb>(_verb: K, data: AdminAnswers[K]): RpcResult => ok(data);

/** The behaviour behind each CLI verb; arguments are checked against the admin protocol first. */
const handlers: { [K in AdminVerb]: Handler<K> } = {
  ping: (ctx) => answer('ping', { pid: process.pid, url: ctx.publicUrl }),
  status: async (ctx) => answer('status', await collectStatus(ctx)),
  history: (ctx, a) => answer('history', readEvents(ctx.dir, a.limit)),
  logs: (ctx, a) => {
    const colours: Colour[] = a.colour ? [a.colour] : ctx.state.active ? [ctx.state.active] : ['blue', 'green'];
    const data: Record<string, string[]> = {};
    for (const c of colours) data[c] = tail(join(ctx.dir, 'logs', `${c}.log`), a.lines ?? 50);
    return answer('logs', data);
  },
  deploy,
  promote,
  abort,
  rollback,
  cancel: (ctx) => {
    const d = ctx.state.data.deploy;
    if (ctx.deploySignal === null || d === null) return answer('cancel', { cancelled: false, message: 'no deployment is under way' });
    if (d.phase >= 3) {
      return answer('cancel', {
        cancelled: false,
        message: `traffic already switched to ${d.colour.toUpperCase()}: the deployment of v${d.version} goes on; \`llm-pricing-mcp rollback\` switches back`,
      });
    }
    ctx.deploySignal.abort();
    return answer('cancel', {
      cancelled: true,
      message: `calling off the deployment of v${d.version} (phase ${d.phase}): ${d.colour.toUpperCase()} stops, the active colour is untouched`,
    });
  },
  shutdown: (ctx) => {
    setImmediate(() => ctx.requestShutdown());
    return answer('shutdown', { stopping: true });
  },
};

export async function handleAdmin(ctx: AdminContext, req: RpcRequest, out: RpcOutput): Promise<RpcResult> {
  if (!(req.op in adminArgs)) return fail(`unknown admin verb "${req.op}"`, 2);
  const verb = req.op as AdminVerb;
  const parsed = adminArgs[verb].safeParse(req.args);
  if (!parsed.success)
    return fail(`bad ${verb} arguments: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, 2);
  return (handlers[verb] as Handler<AdminVerb>)(ctx, parsed.data, out);
}

function deployOptions(
  ctx: DeployContext,
  a: { drainTimeoutMs?: number; keepPreviousMs?: number; manualPromote?: boolean; analysisWindowMs?: number; maxErrorRate?: number },
): DeployOptions {
  const d = ctx.defaults;
  return {
    drainTimeoutMs: a.drainTimeoutMs ?? d.drainTimeoutMs,
    keepPreviousMs: a.keepPreviousMs ?? d.keepPreviousMs,
    manualPromote: a.manualPromote === true,
    analysisWindowMs: a.analysisWindowMs ?? d.analysisWindowMs,
    maxErrorRate: a.maxErrorRate ?? d.maxErrorRate,
  };
}

/** Why a new deploy or rollback cannot start now, or undefined. */
function busyReason(ctx: DeployContext): string | undefined {
  const d = ctx.state.data.deploy;
  if (ctx.pending) return `a deployment of v${ctx.pending.version} to ${ctx.pending.colour} is waiting for \`promote\` or \`abort\``;
  for (const [key, what] of ctx.locks) if (!key.startsWith('cleanup:')) return `${what}${d ? ` (phase ${d.phase})` : ''}`;
  return undefined;
}

async function waitForCleanup(ctx: DeployContext, out: RpcOutput): Promise<void> {
  const cleaning = () => [...ctx.locks.keys()].filter((k) => k.startsWith('cleanup:'));
  if (cleaning().length === 0) return;
  out.line(
    `[INFO] Waiting for ${cleaning()
      .map((k) => ctx.locks.get(k))
      .join(', ')} to finish...`,
  );
  while (cleaning().length > 0) await new Promise((r) => setTimeout(r, 50));
}

/** Runs `fn` holding `lock`, with an abort signal that `cancel` (Ctrl-C on the CLI) fires. */
async function withLock(
  ctx: AdminContext,
  lock: string,
  what: string,
  fn: (signal: AbortSignal) => Promise<RpcResult>,
): Promise<RpcResult> {
  ctx.locks.set(lock, what);
  const abort = new AbortController();
  ctx.deploySignal = abort;
  try {
    return await fn(abort.signal);
  } finally {
    ctx.deploySignal = null;
    ctx.locks.delete(lock);
  }
}

async function deploy(ctx: AdminContext, a: AdminArgs<'deploy'>, out: RpcOutput): Promise<RpcResult> {
  const busy = busyReason(ctx);
  if (busy) return fail(`another deployment is in progress: ${busy}`);
  const wantsData = a.prices !== undefined || a.overlay !== undefined;
  const codeGiven = a.from !== undefined || a.gitRef !== undefined || a.command !== undefined;
  if (a.removedNote !== undefined && a.prices === undefined) return fail('--removed-note goes with --prices');
  const active = ctx.state.active;
  const activeRelease = active ? ctx.state.colour(active).release : null;
  // New data alone runs on the active release's code (same version); a version without a source is its git tag.
  const onActiveCode = wantsData && !codeGiven && (a.version === undefined || a.version === activeRelease?.version);
  if (a.version === undefined && !onActiveCode) return fail('--version is required (it may be left out with --prices or --overlay alone)');
  if (onActiveCode && activeRelease === null) {
    return fail(
      'deploy --prices/--overlay alone runs the new data on the active release, and none is active: deploy a version first, or give --version with --from/--git-ref/--command',
    );
  }
  if (onActiveCode && activeRelease!.dir !== undefined && !speaksPriceData(activeRelease!.dir)) {
    return fail(
      `the active release (v${activeRelease!.version}) cannot serve other price data: its serve has no --prices; deploy a newer build`,
    );
  }
  const request: ReleaseRequest = {
    version: onActiveCode ? activeRelease!.version : a.version!,
    from: a.from,
    gitRef: a.gitRef,
    command: a.command,
    specFile: a.specFile,
    cwd: a.cwd,
  };
  try {
    checkReleaseRequest({ ...request, ...(wantsData && { data: {} }) });
  } catch (err) {
    if (err instanceof ReleaseError) return fail(err.message);
    throw err;
  }
  const opts = deployOptions(ctx, a);
  return withLock(ctx, 'deploy', `deploying v${request.version}`, async (signal) => {
    await waitForCleanup(ctx, out);
    let release: ReleaseRequest | ReleaseSpec = request;
    if (wantsData) {
      // Read and checked before anything starts: refused data changes nothing (no phase, no state, no colour).
      const code = onActiveCode ? activeRelease! : { dir: a.from !== undefined ? resolve(a.cwd, a.from) : undefined };
      try {
        out.line(`[INFO] Reading the new price data...`);
        const data = await preparePriceData(
          { prices: a.prices, overlay: a.overlay, removedNote: a.removedNote, cwd: a.cwd },
          code,
          activeRelease,
          ctx.dir,
          (l) => out.line(l),
        );
        release = onActiveCode ? { ...activeRelease!, data } : { ...request, data };
      } catch (err) {
        if (err instanceof ReleaseError) return fail(err.message);
        throw err;
      }
      if (signal.aborted) return fail('cancelled by the operator (Ctrl-C) before the deployment started; nothing changed');
    }
    ctx.analysis?.cancel();
    return runDeploy(ctx, release, opts, out, signal);
  });
}

async function promote(ctx: AdminContext, _a: AdminArgs<'promote'>, out: RpcOutput): Promise<RpcResult> {
  const p = ctx.pending;
  if (!p) return fail('no deployment is waiting for promotion (deploy with --manual-promote first)');
  if (ctx.locks.has('deploy')) return fail('the deployment is busy; try again');
  if (!ctx.procs[p.colour].running) return fail(`${p.colour} is no longer running; abort and deploy again`);
  return withLock(ctx, 'deploy', `promoting v${p.version}`, () => {
    ctx.state.event({ event: 'deploy', status: 'promoted', version: p.version, colour: p.colour });
    return finishDeploy(ctx, p.colour, p.version, p.opts, new Phases(ctx, out, p.version, p.colour));
  });
}

async function abort(ctx: AdminContext, _a: AdminArgs<'abort'>, out: RpcOutput): Promise<RpcResult> {
  const p = ctx.pending;
  if (!p) return fail('no deployment is waiting for promotion: nothing to abort');
  return withLock(ctx, 'deploy', `aborting v${p.version}`, async () => {
    out.line(`[INFO] Stopping ${p.colour.toUpperCase()} (v${p.version})...`);
    await ctx.stopColour(p.colour, `deploy of v${p.version} aborted`);
    ctx.pending = null;
    await ctx.state.change({ deploy: null, event: { event: 'deploy', status: 'aborted', version: p.version, colour: p.colour } });
    const active = ctx.state.active;
    out.line(`[SUCCESS] Deployment of v${p.version} aborted; ${active ? active.toUpperCase() : 'nothing'} keeps serving`);
    return answer('abort', { aborted: p.version });
  });
}

async function rollback(ctx: AdminContext, a: AdminArgs<'rollback'>, out: RpcOutput): Promise<RpcResult> {
  if (ctx.pending) return fail(`a deployment of v${ctx.pending.version} is waiting for promotion: use \`abort\` to drop it`);
  const busy = busyReason(ctx);
  if (busy) return fail(`cannot roll back now: ${busy}`);
  return withLock(ctx, 'rollback', 'rolling back', async (signal) => {
    await waitForCleanup(ctx, out);
    return runRollback(ctx, a.previousVersion, deployOptions(ctx, {}), out, signal);
  });
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
