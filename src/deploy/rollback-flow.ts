import type { AdminOutput, AdminResult } from './admin.js';
import type { Controller } from './controller.js';
import type { Colour } from './defaults.js';
import { otherColour } from './defaults.js';
import { readEvents } from './deployment-log.js';
import type { ReleaseSpec } from './state.js';
import { runDeploy } from './deploy-flow.js';
import type { DeployOptions } from './deploy-flow.js';

const up = (c: Colour) => c.toUpperCase();

/**
 * Switches traffic back to a colour that is still running (warm): one pointer swap in the
 * router. The colour rolled back from is drained and stopped afterwards, in the background.
 */
export function instantRollback(ctl: Controller, to: Colour, reason: string, out: AdminOutput): { switchMs: number; from: Colour | null } {
  const from = ctl.state.active;
  ctl.analysis?.cancel();
  ctl.analysis = null;
  ctl.cancelKeep(to);
  const sw = ctl.router.switchTo(to);
  ctl.state.active = to;
  ctl.state.previous = null;
  ctl.setStatus(to, 'active');
  ctl.state.colours[to].keepUntil = null;
  if (from && from !== to) {
    ctl.setStatus(from, 'draining');
    ctl.note(from, `rolled back: ${reason}`);
  }
  ctl.state.deploy = null;
  ctl.pending = null;
  ctl.save();
  ctl.event({ event: 'rollback', from, to, version: ctl.state.colours[to].version, switchMs: sw.ms, reason });
  out.line(`[SUCCESS] Traffic switched back to ${up(to)} (v${ctl.state.colours[to].version}) in ${sw.ms.toFixed(2)} ms`);
  if (from && from !== to) {
    const key = `cleanup:${from}`;
    ctl.locks.set(key, `stopping ${from} after a rollback`);
    out.line(`  [INFO] Draining and stopping ${up(from)} (v${ctl.state.colours[from].version}) in the background`);
    void (async () => {
      try {
        // A crashed colour has nothing left to drain.
        if (ctl.procs[from].running) await ctl.router.drain(from, ctl.defaults.drainTimeoutMs).catch(() => undefined);
        await ctl.stopColour(from, `rolled back: ${reason}`);
      } catch (err) {
        ctl.log.error({ err }, 'cleanup after rollback failed');
      } finally {
        ctl.locks.delete(key);
      }
    })();
  }
  return { switchMs: sw.ms, from };
}

/** `rollback [--previous-version V]`: instant while the previous colour is warm, else start it, validate, switch. */
export async function runRollback(
  ctl: Controller,
  previousVersion: string | undefined,
  opts: DeployOptions,
  out: AdminOutput,
): Promise<AdminResult> {
  const active = ctl.state.active;
  const candidates: Colour[] = [];
  if (ctl.state.previous) candidates.push(ctl.state.previous);
  if (active) candidates.push(otherColour(active));
  else candidates.push('blue', 'green');
  for (const c of candidates) {
    const cs = ctl.state.colours[c];
    const t = ctl.router.targets[c];
    const warm = c !== active && ctl.procs[c].running && (t.state === 'standby' || t.state === 'draining' || t.state === 'ready');
    if (warm && (previousVersion === undefined || cs.version === previousVersion)) {
      out.line(`[ROLLBACK] ${up(c)} (v${cs.version}) is still warm: switching back instantly...`);
      const r = instantRollback(ctl, c, previousVersion ? `rollback to v${previousVersion}` : 'manual rollback', out);
      return {
        type: 'result',
        ok: true,
        exitCode: 0,
        data: { to: c, from: r.from, version: cs.version, switchMs: r.switchMs, instant: true },
      };
    }
  }
  // Not warm: find how that version was started before and deploy it again (phases 1 to 5).
  const currentVersion = active ? ctl.state.colours[active].version : null;
  const release = findRelease(ctl, previousVersion, currentVersion);
  if (!release) {
    const what = previousVersion ? `v${previousVersion}` : 'a previous version';
    return {
      type: 'result',
      ok: false,
      exitCode: 1,
      error: `cannot roll back: no warm environment and no record of how ${what} was started (deploy it with --from/--git-ref/--command)`,
    };
  }
  out.line(`[ROLLBACK] v${release.version} is not running: starting it, validating it, then switching (the five phases)`);
  out.line('');
  ctl.event({ event: 'rollback', to: null, version: release.version, mode: 'redeploy' });
  return runDeploy(ctl, release, opts, out);
}

function findRelease(ctl: Controller, version: string | undefined, current: string | null): ReleaseSpec | null {
  for (const c of ['blue', 'green'] as const) {
    const cs = ctl.state.colours[c];
    if (cs.release && cs.version !== current && (version === undefined || cs.version === version)) return cs.release;
  }
  const events = readEvents(ctl.dir).reverse();
  if (version === undefined) {
    // The last version that deployed successfully before the current one.
    const done = events.filter((e) => e.event === 'deploy' && e.status === 'succeeded' && e.version !== current);
    version = done[0]?.version as string | undefined;
    if (version === undefined) return null;
  }
  const start = events.find((e) => e.event === 'start' && e.version === version && e.release);
  return (start?.release as ReleaseSpec | undefined) ?? null;
}
