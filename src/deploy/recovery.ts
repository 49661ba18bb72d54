import { readFileSync } from 'node:fs';
import { isServing } from './colour-lifecycle.js';
import type { DeployContext } from './context.js';
import type { Colour } from './defaults.js';
import { Colours, otherColour } from './defaults.js';
import { deploymentInfo } from './probe.js';
import { isAlive } from './supervisor.js';

/**
 * A (re)started controller makes the saved state true again, then routes. For each colour whose
 * process is still alive and answers as that colour and version (/deployment/info) it adopts
 * the process; what is left that should not run is stopped. A deploy the previous controller did
 * not finish is finished when its switch was saved (phase 3 on: the new colour stays active, the
 * previous one is kept warm as decided at the switch) and reverted before that (the new colour is
 * stopped); either way `status` and deployment.log say which. The router keeps serving its table
 * until the new one is ready, so it never goes without an active colour while one is active.
 */
export async function recover(ctx: DeployContext): Promise<void> {
  const st = ctx.state;
  for (const c of Colours) await adoptOrStop(ctx, c);

  const d = st.data.deploy;
  if (d !== null) {
    if (d.phase >= 3 && st.active === d.colour) {
      const from = d.from;
      const warm = from !== null && ctx.procs[from].running && st.colour(from).keepUntil !== null;
      if (warm && st.colour(from).status === 'draining') await st.move(from, 'standby');
      const outcome = warm
        ? `finished: ${d.colour} (v${d.version}) stays active, ${from} is kept warm until ${st.colour(from).keepUntil}`
        : `finished: ${d.colour} (v${d.version}) stays active`;
      await st.change({
        deploy: null,
        note: `the deployment of v${d.version} to ${d.colour} was interrupted in phase ${d.phase} by a controller restart and ${outcome}`,
        event: { event: 'deploy', status: 'finished', version: d.version, colour: d.colour, phase: d.phase, afterRestart: true },
      });
    } else {
      await st.change({
        deploy: null,
        note: `the deployment of v${d.version} to ${d.colour} was interrupted in phase ${d.phase} by a controller restart and reverted: ${st.active ?? 'nothing'} keeps serving`,
        event: { event: 'deploy', status: 'reverted', version: d.version, colour: d.colour, phase: d.phase, afterRestart: true },
      });
      if (ctx.procs[d.colour].running || st.colour(d.colour).status !== 'stopped') {
        await ctx.stopColour(d.colour, 'it belonged to the interrupted deployment, which was reverted', 'failed');
      }
    }
  }

  const active = st.active;
  if (active !== null) await bringBackActive(ctx, active);
  await st.releaseRoutes(ctx.router.hello?.routes.generation ?? -1);

  // After routing: the other colour is kept warm until the time decided at the switch, or stopped.
  const other = active !== null ? otherColour(active) : null;
  for (const c of Colours) {
    if (c === st.active) continue;
    const cs = st.colour(c);
    const keepMs = cs.keepUntil !== null ? Date.parse(cs.keepUntil) - Date.now() : 0;
    if (ctx.procs[c].running && c === other && keepMs > 0 && st.active !== null) {
      if (cs.status === 'draining') await st.move(c, 'standby');
      ctx.keepWarm(c);
    } else if (ctx.procs[c].running) {
      await ctx.stopColour(c, 'not needed after the controller restart');
    } else if (cs.status !== 'stopped' && cs.status !== 'failed') {
      await st.change({ colours: { [c]: { status: 'stopped', pid: null } }, ...(st.data.previous === c && { previous: null }) });
    }
  }
}

/** Adopts a colour's live process if it is what the state says it is; stops it otherwise. */
async function adoptOrStop(ctx: DeployContext, c: Colour): Promise<void> {
  const st = ctx.state;
  const cs = st.colour(c);
  const pid = cs.pid;
  if (pid === null) return;
  // A pid in the state file may since have been given to another program (pid reuse): adopting or stopping it would
  // signal that program's whole process group. Ours carry the colour and port we gave them (release.ts).
  if (!isAlive(pid) || !startedAs(pid, c, cs.port)) {
    await st.change({ colours: { [c]: { pid: null, note: `its process (pid ${pid}) did not survive the controller restart` } } });
    return;
  }
  const info = cs.listen !== null ? await deploymentInfo(cs.listen) : null;
  const same = info !== null && (info.pid === pid || (info.version === cs.version && (info.color === undefined || info.color === c)));
  const wanted = cs.release !== null && (isServing(cs.status) || cs.status === 'ready' || cs.status === 'starting');
  ctx.procs[c].adopt(pid, cs.startedAt ? Date.parse(cs.startedAt) : Date.now());
  if (wanted && same) {
    await st.change({
      colours: { [c]: { note: `adopted: pid ${pid} (v${cs.version}) was still running from the previous controller` } },
      event: { event: 'adopt', colour: c, pid, version: cs.version },
    });
    return;
  }
  const why = !wanted ? 'it was not meant to be running' : `it does not answer as ${c} v${cs.version}`;
  await ctx.procs[c].stop(ctx.defaults.stopTimeoutMs);
  await st.change({
    colours: { [c]: { pid: null, note: `stopped pid ${pid} left by the previous controller: ${why}` } },
    event: { event: 'stop', colour: c, pid, reason: `left by the previous controller: ${why}` },
  });
}

/** The active colour's process is gone: start it again from its release (traffic first). */
async function bringBackActive(ctx: DeployContext, active: Colour): Promise<void> {
  const st = ctx.state;
  if (ctx.procs[active].running) {
    if (st.colour(active).status !== 'active') await st.move(active, 'active');
    return;
  }
  const cs = st.colour(active);
  if (cs.release === null) {
    await st.change({ active: null, colours: { [active]: { status: 'stopped' } } });
    return;
  }
  try {
    const { pid } = await ctx.startColour(active, cs.release, ctx.defaults.readyTimeoutMs, undefined);
    await st.move(
      active,
      'active',
      { note: `restarted by the controller (pid ${pid}) from its release: the previous process was gone` },
      {
        event: 'restart',
        colour: active,
        version: cs.version,
        pid,
        reason: 'controller restart',
      },
    );
  } catch (err) {
    await st.change({ note: `${active} could not be restarted after the controller restart: ${(err as Error).message}` });
  }
}

/** Whether a live pid is the process we started for this colour: its environment says so (Linux). */
function startedAs(pid: number, colour: Colour, port: number): boolean {
  let env: string[];
  try {
    env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  } catch {
    // No /proc (not Linux) or not ours to read: trust the pid as before on other systems only.
    return process.platform !== 'linux';
  }
  return env.includes(`DEPLOYMENT_COLOR=${colour}`) && env.includes(`PORT=${port}`);
}
