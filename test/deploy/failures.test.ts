import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningController } from './harness.js';
import {
  cleanupTemps,
  cli,
  ensureBuilt,
  fixtureCommand,
  freePorts,
  killLeftovers,
  makeRelease,
  mcpLoad,
  moreCalls,
  readJsonLines,
  startController,
  tempDir,
  waitFor,
} from './harness.js';

// Broken releases (the check helper's fixture server, started with --command) against a
// real v1 of our own server that must keep serving throughout.
let ctl: RunningController;

beforeAll(async () => {
  ensureBuilt();
  const v1 = makeRelease('1.0.0');
  const [port, bluePort, greenPort] = await freePorts(3);
  ctl = await startController(tempDir('deploy-fail-'), { port: port!, bluePort: bluePort!, greenPort: greenPort! });
  const r = await cli(['deploy', '--dir', ctl.dir, '--version', '1.0.0', '--from', v1, '--analysis-window', '0']);
  if (r.code !== 0) throw new Error(`v1 deploy failed: ${r.stdout}${r.stderr}`);
}, 60_000);

afterAll(async () => {
  if (ctl) {
    await ctl.shutdown();
    killLeftovers(ctl.dir);
  }
  cleanupTemps();
});

async function activeVersion(): Promise<string> {
  const res = await fetch(ctl.url.replace('/mcp', '/deployment/info'));
  return ((await res.json()) as { version: string }).version;
}

describe('deploying a broken release', () => {
  it('aborts in phase 1 or 2 for each kind of breakage while v1 serves with zero failed requests', async () => {
    const load = mcpLoad(ctl.url, 10, 5);
    const cases = [
      { mode: 'crash-at-start', phase: 1, reason: /exited before it was ready/ },
      { mode: 'missing-tool', phase: 2, reason: /validation failed/ },
      { mode: 'wrong-version', phase: 2, reason: /validation failed/ },
    ];
    for (const c of cases) {
      const r = await cli(['deploy', '--dir', ctl.dir, '--version', '2.0.0', '--command', fixtureCommand(c.mode, '2.0.0')]);
      expect(r.code, `${c.mode}: ${r.stdout}`).toBe(1);
      expect(r.stdout).toContain(`[PHASE ${c.phase}]`);
      expect(r.stdout).toMatch(/\[FAIL\] Blue-green deployment to v2.0.0 FAILED: .*BLUE \(v1.0.0\) keeps serving/);
      if (c.phase === 1) expect(r.stdout).not.toContain('[PHASE 2]');
      expect(r.stdout).not.toContain('[PHASE 3]');
      const failed = readJsonLines(join(ctl.dir, 'deployment.log'))
        .filter((e) => e.event === 'phase' && e.status === 'failed')
        .at(-1)!;
      expect(failed.phase).toBe(c.phase);
      expect(String(failed.reason)).toMatch(c.reason);
      expect(await activeVersion()).toBe('1.0.0');
    }
    await moreCalls(load.report, 20);
    const report = await load.stop();
    expect(report.failures).toEqual([]);
    expect(report.ok).toBeGreaterThan(0);
    const s = JSON.parse((await cli(['status', '--dir', ctl.dir, '--json'])).stdout) as {
      data: { active: string; colours: Record<string, { status: string; note: string }> };
    };
    expect(s.data.active).toBe('blue');
    expect(s.data.colours.green!.status).toMatch(/FAILED|STOPPED/);
    expect(s.data.colours.green!.note).toMatch(/deploy of v2.0.0 failed/);
  }, 90_000);

  it('rolls back by itself when the new release errors on most calls after the switch', async () => {
    const failFile = join(tempDir('failfile-'), 'now');
    const r = await cli([
      'deploy',
      '--dir',
      ctl.dir,
      '--version',
      '2.0.0',
      '--command',
      fixtureCommand('errors-after-start', '2.0.0', `--fail-file ${failFile} --fail-after 1000000`),
      '--analysis-window',
      '30s',
      '--keep-previous',
      '2m',
      '--drain-timeout',
      '5s',
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await activeVersion()).toBe('2.0.0');
    const seen = readJsonLines(join(ctl.dir, 'deployment.log')).length;
    writeFileSync(failFile, 'fail');
    const load = mcpLoad(ctl.url, 8, 5);
    // The analysis (30 s window) must roll back by itself; the bound is the window and a margin for a loaded machine.
    const rolledBack = await waitFor(() => {
      const events = readJsonLines(join(ctl.dir, 'deployment.log')).slice(seen);
      return events.some((e) => e.event === 'rollback' && e.from === 'green' && e.to === 'blue');
    }, 60_000);
    expect(rolledBack).toBe(true);
    expect(await activeVersion()).toBe('1.0.0');
    expect(await waitFor(() => load.report.lastVersions.filter((v) => v === '1.0.0').length === 8, 30_000)).toBe(true);
    const report = await load.stop();
    const events = readJsonLines(join(ctl.dir, 'deployment.log'));
    const analysis = events.filter((e) => e.event === 'analysis').at(-1)!;
    expect(analysis).toMatchObject({ colour: 'green', passed: false });
    expect(String(analysis.reason)).toMatch(/error rate/);
    const rollback = events.filter((e) => e.event === 'rollback').at(-1)!;
    expect(rollback).toMatchObject({ from: 'green', to: 'blue' });
    expect(String(rollback.reason)).toMatch(/automatic/);
    expect(report.lastVersions.every((v) => v === '1.0.0')).toBe(true);
  }, 90_000);
});
