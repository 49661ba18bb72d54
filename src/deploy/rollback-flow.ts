import type { DeployContext, DeployOptions } from './context.js';
import type { Colour } from './defaults.js';
import { otherColour } from './defaults.js';
import { runDeploy } from './deploy-flow.js';
import { readEvents } from './deployment-log.js';
import type { DeploymentEvent } from './deployment-log.js';
import { describeData, releaseIdentity } from './release.js';
import type { ReleaseSpec } from './state.js';
import { instantRollback } from './switch-back.js';
import type { RpcOutput, RpcResult } from './unix-rpc.js';

const up = (c: Colour) => c.toUpperCase();

/** The rollback's answer (the admin protocol's `rollback` data when it was instant). */
export interface RollbackAnswer {
  to: Colour;
  from: Colour | null;
  version: string | null;
  switchMs: number;
  instant: true;
}

/** `rollback [--previous-version V]`: instant while the previous colour is warm, else start it, validate, switch. */
export async function runRollback(
  ctx: DeployContext,
  previousVersion: string | undefined,
  opts: DeployOptions,
  out: RpcOutput,
  signal: AbortSignal,
): Promise<RpcResult> {
  const st = ctx.state;
  const active = st.active;
  const candidates: Colour[] = [];
  if (st.data.previous) candidates.push(st.data.previous);
  if (active) candidates.push(otherColour(active));
  else candidates.push('blue', 'green');
  for (const c of candidates) {
    const cs = st.colour(c);
    const warm = c !== active && ctx.procs[c].running && (cs.status === 'standby' || cs.status === 'draining' || cs.status === 'ready');
    if (warm && (previousVersion === undefined || cs.version === previousVersion)) {
      out.line(`[ROLLBACK] ${up(c)} (v${cs.version}) is still warm: switching back instantly...`);
      const r = await instantRollback(ctx, c, previousVersion ? `rollback to v${previousVersion}` : 'manual rollback', out);
      const data: RollbackAnswer = { to: c, from: r.from, version: cs.version, switchMs: r.switchMs, instant: true };
      return { type: 'result', ok: true, exitCode: 0, data };
    }
  }
  // Not warm: find how that release was started before (its version, and its data files if it carried some).
  const current = active ? st.colour(active).release : null;
  const release = findRelease(ctx, previousVersion, current);
  if (!release) {
    const what = previousVersion ? `v${previousVersion}` : 'a previous version';
    return {
      type: 'result',
      ok: false,
      exitCode: 1,
      error: `cannot roll back: no warm environment and no record of how ${what} was started (deploy it with --from/--git-ref/--command)`,
    };
  }
  out.line(`[ROLLBACK] v${releaseIdentity(release)} is not running: starting it, validating it, then switching (the five phases)`);
  if (release.data) out.line(`[ROLLBACK] It serves the price data it served before: ${describeData(release.data)}`);
  out.line('');
  st.event({ event: 'rollback', to: null, version: release.version, identity: releaseIdentity(release), mode: 'redeploy' });
  return runDeploy(ctx, release, opts, out, signal);
}

/** A release other than the current one (version and data files): a stopped colour's, else the log's last success. */
function findRelease(ctx: DeployContext, version: string | undefined, current: ReleaseSpec | null): ReleaseSpec | null {
  const currentId = current ? releaseIdentity(current) : null;
  for (const c of ['blue', 'green'] as const) {
    const cs = ctx.state.colour(c);
    if (cs.release && releaseIdentity(cs.release) !== currentId && (version === undefined || cs.version === version)) return cs.release;
  }
  const events = readEvents(ctx.dir).reverse();
  // Deploy events before price releases name only the version, which was then the whole identity.
  const idOf = (e: DeploymentEvent) => (typeof e.identity === 'string' ? e.identity : (e.version as string));
  const starts = events.filter((e) => e.event === 'start' && e.release).map((e) => e.release as ReleaseSpec);
  if (version === undefined) {
    // The last release that deployed successfully before the current one.
    const done = events.find((e) => e.event === 'deploy' && e.status === 'succeeded' && idOf(e) !== currentId);
    if (done === undefined) return null;
    return starts.find((r) => releaseIdentity(r) === idOf(done)) ?? null;
  }
  const ofVersion = starts.filter((r) => r.version === version);
  return ofVersion.find((r) => releaseIdentity(r) !== currentId) ?? ofVersion[0] ?? null;
}
