import type { Controller } from './controller.js';
import type { Colour } from './defaults.js';
import { Colours, otherColour } from './defaults.js';
import { deploymentInfo } from './probe.js';
import { readFileSync } from 'node:fs';
import { isAlive } from './supervisor.js';

/**
 * A (re)started controller makes the saved state true again. For each colour that was
 * running: if its process is still alive on its port and says it is that colour and
 * version (/deployment/info), it is adopted; otherwise whatever is left is stopped and
 * the colour is started anew from its release (only the active one: traffic first).
 * A deploy the old controller did not finish is called off: its new colour is stopped.
 * Every decision is written as a note that `status` shows.
 */
export async function recover(ctl: Controller): Promise<void> {
  const st = ctl.state;
  const interrupted = st.deploy;
  if (interrupted) {
    ctl.note(
      null,
      `the deployment of v${interrupted.version} to ${interrupted.colour} was interrupted in phase ${interrupted.phase} (controller restart) and called off`,
    );
    ctl.event({
      event: 'deploy',
      status: 'interrupted',
      version: interrupted.version,
      colour: interrupted.colour,
      phase: interrupted.phase,
    });
    st.deploy = null;
  }
  // A switch the old controller finished wins; a new colour that never got traffic does not.
  const calledOff = interrupted && st.active !== interrupted.colour ? interrupted.colour : null;

  for (const c of Colours) {
    const cs = st.colours[c];
    const pid = cs.pid;
    cs.pid = null;
    const wanted =
      cs.release !== null && c !== calledOff && (cs.status === 'active' || cs.status === 'standby' || cs.status === 'draining');
    // A pid in the state file may since have been given to another program (pid reuse): stopping it would
    // signal that program's whole process group. Ours carry the colour and port we gave them (release.ts).
    if (pid === null || !isAlive(pid) || !startedAs(pid, c, cs.port)) {
      if (pid !== null) ctl.note(c, `its process (pid ${pid}) did not survive the controller restart`);
      if (!wanted) cs.status = cs.status === 'failed' ? 'failed' : 'stopped';
      continue;
    }
    const info = await deploymentInfo(ctl.host, cs.port);
    const same = info !== null && (info.pid === pid || (info.version === cs.version && (info.color === undefined || info.color === c)));
    if (wanted && same) {
      ctl.procs[c].adopt(pid, cs.startedAt ? Date.parse(cs.startedAt) : Date.now());
      cs.pid = pid;
      ctl.router.prepare(c, cs.port);
      ctl.router.targets[c].setState('ready');
      ctl.note(c, `adopted: pid ${pid} (v${cs.version}) was still running from the previous controller`);
      ctl.event({ event: 'adopt', colour: c, pid, version: cs.version });
    } else {
      const why = !wanted
        ? c === calledOff
          ? 'it belonged to the interrupted deployment'
          : 'it was not meant to be running'
        : `it does not answer as ${c} v${cs.version} on port ${cs.port}`;
      ctl.procs[c].adopt(pid, Date.now());
      await ctl.procs[c].stop(ctl.defaults.stopTimeoutMs);
      ctl.note(c, `stopped pid ${pid} left by the previous controller: ${why}`);
      ctl.event({ event: 'stop', colour: c, pid, reason: `left by the previous controller: ${why}` });
      if (!wanted) cs.status = c === calledOff ? 'failed' : 'stopped';
    }
  }

  const active = st.active;
  if (active) await bringBackActive(ctl, active);
  const other = active ? otherColour(active) : null;
  if (other) {
    const cs = st.colours[other];
    const keepMs = cs.keepUntil ? Date.parse(cs.keepUntil) - Date.now() : 0;
    if (ctl.procs[other].running && keepMs > 0 && ctl.state.active === active) {
      ctl.router.targets[other].setState('standby');
      cs.status = 'standby';
      ctl.keepWarm(other, keepMs);
    } else if (ctl.procs[other].running) {
      await ctl.stopColour(other, 'not needed after the controller restart');
    } else if (cs.status !== 'failed') {
      cs.status = 'stopped';
      if (st.previous === other) st.previous = null;
    }
  }
}

async function bringBackActive(ctl: Controller, active: Colour): Promise<void> {
  const cs = ctl.state.colours[active];
  if (!ctl.procs[active].running) {
    if (!cs.release) {
      ctl.state.active = null;
      return;
    }
    try {
      const { pid } = await ctl.startColour(active, cs.release, ctl.defaults.readyTimeoutMs);
      ctl.note(active, `restarted by the controller (pid ${pid}) from its release: the previous process was gone`);
      ctl.event({ event: 'restart', colour: active, version: cs.version, pid, reason: 'controller restart' });
    } catch (err) {
      ctl.note(active, `could not be restarted after the controller restart: ${(err as Error).message}`);
      ctl.state.active = null;
      return;
    }
  }
  ctl.router.switchTo(active);
  ctl.state.active = active;
  cs.status = 'active';
}

/** Whether a running pid is a colour process we started: its environment has the colour and port we gave it. */
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
