import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCall } from '../../src/deploy/admin-client.js';
import type { RunningController } from './harness.js';
import {
  ROOT,
  allOn,
  cleanupTemps,
  cli,
  ensureBuilt,
  fixtureCommand,
  freePorts,
  killLeftovers,
  makeGitRepo,
  makeRelease,
  mcpLoad,
  moreCalls,
  readJsonLines,
  startController,
  tempDir,
  waitFor,
} from './harness.js';

// One controller for the whole file: the tests run in order and build on each other
// (v1, then v2 under load, then a rollback, then refusals), as an operator would.
let ctl: RunningController;
const releases: Record<string, string> = {};

beforeAll(async () => {
  ensureBuilt();
  for (const v of ['1.0.0', '2.0.0', '3.0.0']) releases[v] = makeRelease(v);
  const [port, bluePort, greenPort] = await freePorts(3);
  ctl = await startController(
    tempDir('deploy-dir-'),
    { port: port!, bluePort: bluePort!, greenPort: greenPort! },
    { DEPLOY_ANALYSIS_WINDOW: '0', BUILD_FROM: ROOT },
  );
}, 60_000);

afterAll(async () => {
  if (ctl) {
    await ctl.shutdown();
    killLeftovers(ctl.dir);
  }
  cleanupTemps();
});

async function status(): Promise<{
  active: string | null;
  colours: Record<string, { status: string; version: string | null; pid: number | null }>;
}> {
  // In-process, with the admin client the CLI uses (a CLI process per look costs a second on a busy machine);
  // the CLI's own status output is checked where it matters.
  const r = await adminCall(ctl.dir, 'status', {});
  expect(r.ok, r.error).toBe(true);
  return r.data as never;
}

async function openSession(url: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport; version: string }> {
  const client = new Client({ name: 'session-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  return { client, transport, version: client.getServerVersion()?.version ?? '?' };
}

describe('blue-green deploy through the controller', () => {
  it('deploys the first version to blue, printing the five phases', async () => {
    const r = await cli(['deploy', '--dir', ctl.dir, '--version', '1.0.0', '--from', releases['1.0.0']!]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('[PHASE 1] Starting blue environment...');
    expect(r.stdout).toMatch(/\[SUCCESS\] BLUE environment started \(PID: \d+\)/);
    expect(r.stdout).toContain('[PHASE 2] Validating blue environment...');
    expect(r.stdout).toContain('[PASS] All 6 tools discovered');
    expect(r.stdout).toContain('[SUCCESS] Blue-green deployment to v1.0.0 SUCCESSFUL');
    const s = await status();
    expect(s.active).toBe('blue');
    expect(s.colours.blue).toMatchObject({ status: 'RUNNING', version: '1.0.0' });
  });

  it('deploys v2 over v1 under load with zero failed requests; an open v1 session keeps working during the drain', async () => {
    const session = await openSession(ctl.url);
    expect(session.version).toBe('1.0.0');
    const load = mcpLoad(ctl.url, 20, 5);
    await moreCalls(load.report, 40); // every worker is calling v1
    const deploying = cli(['deploy', '--dir', ctl.dir, '--version', '2.0.0', '--from', releases['2.0.0']!, '--drain-timeout', '20s']);
    // Wait for the switch, then use the old session while phase 4 drains blue (the open session holds the drain).
    const switched = () => readJsonLines(join(ctl.dir, 'deployment.log')).some((e) => e.event === 'switch' && e.to === 'green');
    expect(await waitFor(switched, 60_000)).toBe(true);
    const during = await session.client.callTool({
      name: 'estimate_cost',
      arguments: { model_name: 'gpt-4', input_tokens: 10, output_tokens: 5 },
    });
    expect(during.isError).toBeFalsy();
    const fresh = await openSession(ctl.url);
    expect(fresh.version).toBe('2.0.0');
    await fresh.transport.terminateSession();
    await fresh.client.close();
    const again = await session.client.callTool({ name: 'get_all_pricing', arguments: { limit: 1 } });
    expect(again.isError).toBeFalsy();
    // Ending the session lets the drain finish before its timeout.
    await session.transport.terminateSession();
    await session.client.close();
    const r = await deploying;
    expect(await waitFor(allOn(load.report, 20, '2.0.0'), 30_000)).toBe(true); // traffic after the deploy, all on v2
    await moreCalls(load.report, 40);
    const report = await load.stop();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(report.failures).toEqual([]);
    expect(report.failed).toBe(0);
    expect(report.byVersion['1.0.0']).toBeGreaterThan(0);
    expect(report.byVersion['2.0.0']).toBeGreaterThan(0);
    expect(new Set(report.lastVersions)).toEqual(new Set(['2.0.0']));
    for (let p = 1; p <= 5; p++) expect(r.stdout).toContain(`[PHASE ${p}]`);
    expect(r.stdout).toContain('[SUCCESS] Traffic switched to GREEN (v2.0.0)');
    expect(r.stdout).toContain('[SUCCESS] Blue-green deployment to v2.0.0 SUCCESSFUL');
    const s = await status();
    expect(s.active).toBe('green');
    expect(s.colours.green).toMatchObject({ status: 'RUNNING', version: '2.0.0' });
    expect(s.colours.blue).toMatchObject({ status: 'RUNNING', version: '1.0.0' }); // kept warm
    const phases = readJsonLines(join(ctl.dir, 'deployment.log')).filter(
      (e) => e.event === 'phase' && e.version === '2.0.0' && e.status === 'passed',
    );
    expect(phases.map((e) => e.phase)).toEqual([1, 2, 3, 4, 5]);
    const text = await cli(['status', '--dir', ctl.dir]);
    expect(text.stdout).toContain('Active Environment: GREEN');
    expect(text.stdout).toMatch(/Green Environment \(Socket .*green\.sock\):\n {2}Status: RUNNING/);
  }, 90_000);

  it('rolls back to the warm v1 instantly (no start, no validation) with zero failed requests under load', async () => {
    const bluePid = (await status()).colours.blue!.pid;
    const load = mcpLoad(ctl.url, 20, 5);
    await moreCalls(load.report, 40);
    const r = await cli(['rollback', '--dir', ctl.dir]);
    expect(await waitFor(allOn(load.report, 20, '1.0.0'), 30_000)).toBe(true);
    await moreCalls(load.report, 40);
    const report = await load.stop();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('still warm: switching back instantly');
    expect(r.stdout).toContain('[SUCCESS] Traffic switched back to BLUE (v1.0.0)');
    expect(r.stdout).not.toContain('[PHASE');
    expect(report.failures).toEqual([]);
    expect(new Set(report.lastVersions)).toEqual(new Set(['1.0.0']));
    const rollback = readJsonLines(join(ctl.dir, 'deployment.log'))
      .filter((e) => e.event === 'rollback')
      .at(-1)!;
    expect(rollback).toMatchObject({ from: 'green', to: 'blue' });
    expect(rollback.mode).toBeUndefined(); // not the kind that starts the previous release again
    const after = await status();
    expect(after.active).toBe('blue');
    expect(after.colours.blue!.pid).toBe(bluePid); // the warm process took the traffic back
  }, 60_000);

  it('refuses a second deploy while one is in progress or waiting for promotion; abort leaves v1 serving', async () => {
    const first = cli(['deploy', '--dir', ctl.dir, '--version', '3.0.0', '--from', releases['3.0.0']!, '--manual-promote']);
    // The second deploy goes in once the first holds the controller.
    const holding = () =>
      readJsonLines(join(ctl.dir, 'deployment.log')).some((e) => e.event === 'deploy' && e.status === 'started' && e.version === '3.0.0');
    expect(await waitFor(holding, 60_000)).toBe(true);
    const second = await cli(['deploy', '--dir', ctl.dir, '--version', '2.0.0', '--from', releases['2.0.0']!]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/another deployment is in progress/);
    const r1 = await first;
    expect(r1.code).toBe(0);
    expect(r1.stdout).toContain('waiting');
    const third = await cli(['deploy', '--dir', ctl.dir, '--version', '2.0.0', '--from', releases['2.0.0']!]);
    expect(third.code).toBe(1);
    expect(third.stderr).toMatch(/waiting for `promote` or `abort`/);
    // Preview: the validated colour answers through the router with the header.
    const preview = await fetch(ctl.url.replace('/mcp', '/deployment/info'), { headers: { 'x-deployment-color': 'green' } });
    expect(((await preview.json()) as { version: string }).version).toBe('3.0.0');
    const plain = await fetch(ctl.url.replace('/mcp', '/deployment/info'));
    expect(((await plain.json()) as { version: string }).version).toBe('1.0.0');
    const aborted = await cli(['abort', '--dir', ctl.dir]);
    expect(aborted.code).toBe(0);
    const s = await status();
    expect(s.active).toBe('blue');
    expect(s.colours.green!.status).toBe('STOPPED');
  }, 60_000);

  it('fails cleanly on a missing release, on a socket in use and on a port in use, changing nothing', async () => {
    const missing = await cli(['deploy', '--dir', ctl.dir, '--version', '9.9.9', '--from', '/nonexistent/release']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/release not found/);
    // Our builds listen on D/<colour>.sock; a --command release on its TCP port.
    const sockBlocker = net.createServer();
    await new Promise<void>((r) => sockBlocker.listen(join(ctl.dir, 'green.sock'), () => r()));
    const portBlocker = net.createServer();
    await new Promise<void>((r) => portBlocker.listen(ctl.greenPort, '127.0.0.1', () => r()));
    try {
      const busy = await cli(['deploy', '--dir', ctl.dir, '--version', '2.0.0', '--from', releases['2.0.0']!]);
      expect(busy.code).toBe(1);
      expect(busy.stdout + busy.stderr).toMatch(/green\.sock is in use by another server/);
      const busyPort = await cli(['deploy', '--dir', ctl.dir, '--version', '2.0.0', '--command', fixtureCommand('ok', '2.0.0')]);
      expect(busyPort.code).toBe(1);
      expect(busyPort.stdout + busyPort.stderr).toMatch(new RegExp(`port ${ctl.greenPort} is in use`));
    } finally {
      sockBlocker.close();
      portBlocker.close();
    }
    const s = await status();
    expect(s.active).toBe('blue');
    expect(s.colours.blue).toMatchObject({ status: 'RUNNING', version: '1.0.0' });
    const bad = await cli(['deploy', '--dir', ctl.dir, '--version', '2.0.0', '--from', 'a', '--command', 'b']);
    expect(bad.code).toBe(2);
    // A bare --version is the git tag v<version> of the repository the CLI runs in.
    const noTag = await cli(['deploy', '--dir', ctl.dir, '--version', '9.9.9']);
    expect(noTag.code).toBe(1);
    expect(noTag.stdout + noTag.stderr).toMatch(/no git tag or ref "v9.9.9"/);
    expect((await status()).active).toBe('blue');
  }, 60_000);

  it('stops the old colour in phase 4 with --keep-previous 0, and rollback then starts it again through the five phases', async () => {
    const r = await cli(['deploy', '--dir', ctl.dir, '--version', '2.0.0', '--from', releases['2.0.0']!, '--keep-previous', '0']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('[INFO] Stopping BLUE environment...');
    let s = await status();
    expect(s.active).toBe('green');
    expect(s.colours.blue!.status).toBe('STOPPED');
    const back = await cli(['rollback', '--dir', ctl.dir, '--previous-version', '1.0.0']);
    expect(back.code, back.stdout + back.stderr).toBe(0);
    expect(back.stdout).toContain('is not running: starting it, validating it, then switching');
    expect(back.stdout).toContain('[PHASE 2] Validating blue environment...');
    expect(back.stdout).toContain('[SUCCESS] Blue-green deployment to v1.0.0 SUCCESSFUL');
    s = await status();
    expect(s.active).toBe('blue');
    expect(s.colours.blue).toMatchObject({ status: 'RUNNING', version: '1.0.0' });
    const metrics = await (await fetch(ctl.url.replace('/mcp', '/router/metrics'))).text();
    expect(metrics).toMatch(/router_requests_total\{colour="blue",status="200"\} \d+/);
    expect(metrics).toMatch(/router_request_duration_seconds_bucket\{le="0.005",colour="green"\} \d+/);
    expect(metrics).toContain('router_active_colour{colour="blue"} 1');
    const history = await cli(['history', '--dir', ctl.dir, '--limit', '50']);
    expect(history.stdout).toMatch(/switch GREEN -> BLUE v1.0.0/);
  }, 60_000);

  it('--manual-promote waits after validation; promote finishes the switch', async () => {
    const r = await cli(['deploy', '--dir', ctl.dir, '--version', '3.0.0', '--from', releases['3.0.0']!, '--manual-promote']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).not.toContain('[PHASE 3]');
    expect((await status()).active).toBe('blue');
    const p = await cli(['promote', '--dir', ctl.dir]);
    expect(p.code, p.stdout + p.stderr).toBe(0);
    expect(p.stdout).toContain('[PHASE 3] Swapping traffic to green environment...');
    expect(p.stdout).toContain('[SUCCESS] Blue-green deployment to v3.0.0 SUCCESSFUL');
    expect((await status()).active).toBe('green');
    const again = await cli(['promote', '--dir', ctl.dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no deployment is waiting/);
  }, 60_000);

  it('deploys a bare --version from its git tag: worktree, npm ci, build, then the five phases', async () => {
    const repo = makeGitRepo('4.0.0');
    const r = await cli(['deploy', '--dir', ctl.dir, '--version', '4.0.0'], { cwd: repo });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\[INFO\] Checking out v4.0.0 \([0-9a-f]{12}\) into .*releases\/4.0.0/);
    expect(r.stdout).toContain('[INFO] Installing dependencies (npm ci)...');
    expect(r.stdout).toContain('[INFO] Building (npm run build)...');
    expect(r.stdout).toContain('[SUCCESS] Blue-green deployment to v4.0.0 SUCCESSFUL');
    expect(statSync(join(ctl.dir, 'releases', '4.0.0', 'dist', 'cli', 'main.js')).isFile()).toBe(true);
    const info = (await (await fetch(ctl.url.replace('/mcp', '/deployment/info'))).json()) as { version: string };
    expect(info.version).toBe('4.0.0');
  }, 60_000);

  it('keeps the admin socket private: mode 0600, and another user cannot connect', async () => {
    const sock = join(ctl.dir, 'admin.sock');
    expect(statSync(sock).mode & 0o777).toBe(0o600);
    expect(statSync(ctl.dir).mode & 0o077).toBe(0);
    const which = spawnSync('sh', ['-c', 'command -v setpriv']);
    if (which.status !== 0 || process.getuid?.() !== 0) return; // needs setpriv and root to switch user
    const script = `require('net').connect(${JSON.stringify(sock)}).on('connect',()=>{console.log('CONNECTED');process.exit(0)}).on('error',e=>{console.log(e.code);process.exit(0)})`;
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', script], {
      encoding: 'utf8',
    });
    expect(r.stdout.trim()).toMatch(/^(EACCES|EPERM)$/);
  });

  it('refuses a second controller on the same directory', async () => {
    const r = await cli([
      'controller',
      '--dir',
      ctl.dir,
      '--port',
      '0',
      '--blue-port',
      String(ctl.bluePort),
      '--green-port',
      String(ctl.greenPort),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/another controller is already running/);
    expect((await status()).active).toBe('blue');
  });

  it('explains a missing controller and exits 1', async () => {
    const r = await cli(['status', '--dir', join(ctl.dir, 'nowhere')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no controller at');
    expect(r.stderr).toContain('llm-pricing-mcp controller --dir');
  });
});
