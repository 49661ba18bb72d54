import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { adminCall } from '../../src/deploy/admin-client.js';
import { cli, controllerFixture, mcpLoad, moreCalls, readJsonLines, startController } from './harness.js';
import { waitFor } from '../support/wait.js';

// The controller is killed with SIGKILL at awkward moments; a new one must make sense of
// what it finds (state.json, live children) and serve traffic without a deploy.
const fx = controllerFixture('deploy-recovery-', ['1.0.0', '2.0.0']);

interface StatusData {
  active: string | null;
  colours: Record<string, { status: string; version: string | null; pid: number | null; adopted: boolean; note: string | null }>;
  notes: string[];
}
async function status(): Promise<StatusData> {
  // In-process, with the admin client the CLI uses (a CLI process per look costs a second on a busy machine).
  const r = await adminCall(fx.dir, 'status', {});
  expect(r.ok, r.error).toBe(true);
  return r.data as unknown as StatusData;
}
async function servedVersion(): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${fx.ports.port}/deployment/info`);
  return ((await res.json()) as { version: string }).version;
}

/** Parses state.json as fast as it can until stopped; any torn read is counted. */
function watchState(): { stop(): Promise<{ reads: number; torn: string[] }> } {
  let running = true;
  const torn: string[] = [];
  let reads = 0;
  const done = (async () => {
    while (running) {
      try {
        const text = readFileSync(join(fx.dir, 'state.json'), 'utf8');
        JSON.parse(text);
        reads++;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') torn.push((err as Error).message);
      }
      await tick();
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return { reads, torn };
    },
  };
}

describe('controller restart', () => {
  it('survives SIGKILL in the middle of a deploy: the new controller adopts v1, calls the deploy off, and serves', async () => {
    const watcher = watchState();
    fx.ctl = await startController(fx.dir, fx.ports, { DEPLOY_ANALYSIS_WINDOW: '0' });
    const first = await cli(['deploy', '--dir', fx.dir, '--version', '1.0.0', '--from', fx.releases['1.0.0']!]);
    expect(first.code, first.stdout).toBe(0);
    const bluePid = (await status()).colours.blue!.pid;

    const deploying = cli(['deploy', '--dir', fx.dir, '--version', '2.0.0', '--from', fx.releases['2.0.0']!]);
    // Kill the controller once green has started (phase 2 under way); a loaded machine gets there later, not never.
    await waitFor(
      'phase 2 of the v2.0.0 deploy',
      () =>
        readJsonLines(join(fx.dir, 'deployment.log')).some(
          (e) => e.event === 'phase' && e.phase === 2 && e.status === 'started' && e.version === '2.0.0',
        ) || undefined,
      60_000,
    );
    await fx.ctl.stop('SIGKILL');
    const cut = await deploying;
    expect(cut.code).toBe(1);
    const greenPidBefore = (JSON.parse(readFileSync(join(fx.dir, 'state.json'), 'utf8')) as { colours: { green: { pid: number } } }).colours
      .green.pid;
    expect(greenPidBefore).toBeGreaterThan(0);

    fx.ctl = await startController(fx.dir, fx.ports, { DEPLOY_ANALYSIS_WINDOW: '0' });
    const s = await status();
    expect(s.active).toBe('blue');
    expect(s.colours.blue).toMatchObject({ status: 'RUNNING', version: '1.0.0', pid: bluePid, adopted: true });
    expect(s.colours.blue!.note).toMatch(/adopted/);
    expect(s.colours.green!.status).not.toBe('RUNNING');
    expect(s.colours.green!.note).toMatch(/interrupted deployment/);
    expect(s.notes.join('\n')).toMatch(/deployment of v2.0.0 to green was interrupted in phase 2/);
    expect(() => process.kill(greenPidBefore, 0)).toThrow();
    const text = await cli(['status', '--dir', fx.dir]);
    expect(text.stdout).toContain('(adopted from a previous controller)');

    // Traffic flows through the new router without a deploy.
    expect(await servedVersion()).toBe('1.0.0');
    const load = mcpLoad(`http://127.0.0.1:${fx.ports.port}/mcp`, 8, 3);
    await moreCalls(load.report, 40);
    const report = await load.stop();
    expect(report.failures).toEqual([]);
    expect(report.ok).toBeGreaterThan(0);

    // And the next deploy works.
    const again = await cli(['deploy', '--dir', fx.dir, '--version', '2.0.0', '--from', fx.releases['2.0.0']!]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(await servedVersion()).toBe('2.0.0');
    const { reads, torn } = await watcher.stop();
    expect(torn).toEqual([]);
    expect(reads).toBeGreaterThan(100);
  }, 120_000);

  it('restarts the active colour from its release when its process died with the controller', async () => {
    const before = await status();
    expect(before.active).toBe('green');
    const greenPid = runningPid(before, 'green');
    await fx.ctl!.stop('SIGKILL');
    process.kill(-greenPid, 'SIGKILL');
    await waitFor('the killed green to be gone', () => (alive(greenPid) ? undefined : true));
    fx.ctl = await startController(fx.dir, fx.ports, { DEPLOY_ANALYSIS_WINDOW: '0' });
    const s = await status();
    expect(s.active).toBe('green');
    expect(s.colours.green).toMatchObject({ status: 'RUNNING', version: '2.0.0', adopted: false });
    expect(s.colours.green!.pid).not.toBe(greenPid);
    expect(s.colours.green!.note).toMatch(/restarted by the controller/);
    // The warm v1 survived and was adopted as the rollback target.
    expect(s.colours.blue).toMatchObject({ status: 'RUNNING', version: '1.0.0', adopted: true });
    expect(await servedVersion()).toBe('2.0.0');
    const history = await cli(['history', '--dir', fx.dir]);
    expect(history.stdout).toMatch(/restart/);
    expect(history.stdout).toMatch(/adopt/);
  }, 60_000);

  it('restarts a crashed environment with back-off', async () => {
    // Under load the previous test's restart may still be settling: wait for green to run before killing it.
    const pid = runningPid(
      await waitFor('green to be running', async () => ((await status()).colours.green?.pid ? status() : undefined)),
      'green',
    );
    process.kill(-pid, 'SIGKILL');
    const back = await waitFor('green restarted', async () => {
      const s = await status();
      const g = s.colours.green!;
      return g.status === 'RUNNING' && g.pid !== pid && g.pid !== null ? s : undefined;
    });
    expect(back.colours.green!.status).toBe('RUNNING');
    expect(back.colours.green!.pid).not.toBe(pid);
    expect(back.active).toBe('green');
    expect(await servedVersion()).toBe('2.0.0');
    const events = readJsonLines(join(fx.dir, 'deployment.log'));
    expect(events.some((e) => e.event === 'crash' && e.colour === 'green')).toBe(true);
    expect(events.some((e) => e.event === 'restart' && e.colour === 'green' && !e.failed)).toBe(true);
    const logs = await cli(['logs', 'green', '--dir', fx.dir, '--lines', '5']);
    expect(logs.code).toBe(0);
    expect(logs.stdout.trim().length).toBeGreaterThan(0);
  }, 60_000);
});

/** Whether `pid` is a live process (a zombie waiting for its reaper counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * The pid of a colour, refusing anything that is not a real process id: process.kill(-0) (from a null pid)
 * would signal this test process's own group, vitest and all.
 */
function runningPid(s: StatusData, colour: 'blue' | 'green'): number {
  const pid = s.colours[colour]?.pid;
  if (typeof pid !== 'number' || pid <= 1) throw new Error(`${colour} has no running process (pid ${String(pid)})`);
  return pid;
}
