import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { adminCall } from '../../src/deploy/admin-client.js';
import type { LoadReport } from './harness.js';
import { controllerFixture, fixtureCommand, mcpLoad, moreCalls, readJsonLines, startController } from './harness.js';

// The data plane does not depend on the controller: MCP clients keep calling tools through the
// router while the controller is killed (kill -9) when idle, restarted, and killed at exact
// moments of phases 3, 4 and 5 of a deploy (DEPLOY_FAILPOINT makes it SIGKILL itself there).
// Every client request must succeed, the restarted controller must finish the interrupted deploy,
// and a rollback afterwards must be the instant kind (the previous colour still warm).
// The releases are the small fixture server (test/fixtures/mcp-fixture.mjs, a --command release on its
// TCP port): it starts in a fraction of the time of our own, and what is tested here is the controller and router.
const fx = controllerFixture('deploy-kill-', []);
const env = { DEPLOY_ANALYSIS_WINDOW: '0', DEPLOY_SESSION_IDLE: '200ms', DEPLOY_DRAIN_TIMEOUT: '5s' };

interface StatusData {
  active: string | null;
  colours: Record<string, { status: string; role: string; version: string | null }>;
  notes: string[];
}

// The verbs are made with the admin client the CLI uses, in-process (a CLI process per call costs seconds on a busy machine).
async function status(): Promise<StatusData> {
  const r = await adminCall(fx.dir, 'status', {});
  expect(r.ok, r.error).toBe(true);
  return r.data as unknown as StatusData;
}

async function deploy(version: string): Promise<{ code: number | null; out: string }> {
  const lines: string[] = [];
  const r = await adminCall(fx.dir, 'deploy', { version, command: fixtureCommand('ok', version), cwd: process.cwd() }, (m) => {
    if (m.type === 'line') lines.push(m.text);
  }).catch((err: Error) => ({ exitCode: 1, error: err.message }));
  return { code: r.exitCode, out: `${lines.join('\n')}\n${r.error ?? ''}` };
}

/** Rolls back (the admin call the CLI makes), checks it was the instant kind, and prints how long it took. */
async function instantRollback(label: string): Promise<void> {
  const t0 = performance.now();
  const r = await adminCall(fx.dir, 'rollback', {});
  const ms = performance.now() - t0;
  expect(r.ok, r.error).toBe(true);
  const data = r.data as { instant: boolean; switchMs: number; to: string };
  expect(data.instant).toBe(true);
  // A figure to read (timings are the bench's to judge, not this test's).
  console.log(
    `[figure] ${label}: instant rollback to ${data.to} in ${ms.toFixed(1)} ms (admin call), router switch ${data.switchMs.toFixed(2)} ms`,
  );
}

/** MCP load through the router while `during` runs; every request must succeed. */
async function underLoad(label: string, during: (report: LoadReport) => Promise<void>): Promise<void> {
  const load = mcpLoad(`http://127.0.0.1:${fx.ports.port}/mcp`, 4, 5);
  await moreCalls(load.report, 20);
  await during(load.report);
  await moreCalls(load.report, 20);
  const report = await load.stop();
  expect(report.failures, label).toEqual([]);
  expect(report.failed, label).toBe(0);
}

describe('the controller dies or restarts under load', () => {
  it('fails no client request through kill -9, a restart, and kill -9 in phases 3, 4 and 5; rollback stays instant', async () => {
    fx.ctl = await startController(fx.dir, fx.ports, env);
    expect((await deploy('1.0.0')).code).toBe(0);
    expect((await deploy('2.0.0')).code).toBe(0); // green active, blue warm

    // kill -9 while idle: the router keeps serving; the new controller adopts everything.
    await underLoad('kill -9', async (report) => {
      await fx.ctl!.stop('SIGKILL');
      await moreCalls(report, 30); // no controller at all, and traffic flows
      fx.ctl = await startController(fx.dir, fx.ports, env);
      expect((await status()).active).toBe('green');
      await instantRollback('after kill -9 (idle)');
    });

    // kill -9 at phase 3 (switch saved, router not yet told), 4 (draining) and 5 (promoting). Each
    // controller is started with the next crash point already set (it acts only inside a deploy,
    // never in the recovery or the rollback), so one restart serves both steps.
    const cuts = [
      [3, 'switch-saved'],
      [4, 'draining'],
      [5, 'promoting'],
    ] as const;
    const envFor = (i: number) => (i < cuts.length ? { ...env, DEPLOY_FAILPOINT: cuts[i]![1] } : env);

    // A controller restart (SIGTERM: it stops alone, the data plane stays).
    expect((await deploy('2.0.0')).code).toBe(0);
    await underLoad('restart', async (report) => {
      expect(await fx.ctl!.stop('SIGTERM')).toBe(0);
      await moreCalls(report, 30);
      fx.ctl = await startController(fx.dir, fx.ports, envFor(0));
      await instantRollback('after a controller restart');
    });

    for (const [i, [phase]] of cuts.entries()) {
      const from = (await status()).active;
      await underLoad(`phase ${phase}`, async (report) => {
        const cut = await deploy('2.0.0');
        expect(cut.code, cut.out).toBe(1); // the controller died under it
        expect(await fx.ctl!.stop('SIGKILL')).not.toBe(0);
        await moreCalls(report, 20);
        fx.ctl = await startController(fx.dir, fx.ports, envFor(i + 1));
        const s = await status();
        expect(s.active, `phase ${phase}`).not.toBe(from); // the switch was saved: the deploy was finished, not reverted
        expect(s.colours[from!]).toMatchObject({ status: 'RUNNING', role: 'standby' });
        expect(s.notes.join('\n')).toMatch(new RegExp(`interrupted in phase ${phase} by a controller restart and finished`));
        const finished = readJsonLines(join(fx.dir, 'deployment.log')).filter((e) => e.event === 'deploy' && e.status === 'finished');
        expect(finished.at(-1)).toMatchObject({ phase, afterRestart: true });
        await instantRollback(`after kill -9 in phase ${phase}`);
      });
    }
  }, 240_000);
});
