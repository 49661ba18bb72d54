import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { adminCall } from '../../src/deploy/admin-client.js';
import type { StatusView } from '../../src/deploy/admin-protocol.js';
import { routerCall } from '../../src/deploy/router-link.js';
import { MAIN, ROOT, controllerFixture, fixtureCommand, startController, testEnv } from './harness.js';

// The systemd arrangement: the router runs on its own (its own unit), the controller attaches to
// it, and stopping everything the controller owns leaves that router serving (systemd's to stop).
const fx = controllerFixture('deploy-standalone-', []);
let router: ReturnType<typeof spawn> | undefined;
afterAll(() => {
  if (router && router.exitCode === null) router.kill('SIGKILL');
});

describe('a router started on its own', () => {
  it('is attached to, not started, by the controller, and outlives its shutdown', async () => {
    router = spawn(process.execPath, [MAIN, 'router', '--dir', fx.dir, '--port', String(fx.ports.port)], {
      cwd: ROOT,
      env: { ...process.env, ...testEnv },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    router.stderr!.on('data', (c: Buffer) => (log += c.toString()));
    const deadline = Date.now() + 20_000;
    while (
      !(await routerCall(fx.dir, 'hello', {}).then(
        () => true,
        () => false,
      ))
    ) {
      expect(router.exitCode, log).toBeNull();
      expect(Date.now() < deadline, log).toBe(true);
      await new Promise((r) => setTimeout(r, 50));
    }
    fx.ctl = await startController(fx.dir, fx.ports, { DEPLOY_ANALYSIS_WINDOW: '0' });
    const deployed = await adminCall(fx.dir, 'deploy', { version: '1.0.0', command: fixtureCommand('ok', '1.0.0'), cwd: ROOT });
    expect(deployed.ok, deployed.error).toBe(true);
    const s = (await adminCall(fx.dir, 'status', {})).data as StatusView;
    expect(s.router).toMatchObject({ pid: router.pid, managed: false, answering: true });
    expect(((await (await fetch(`http://127.0.0.1:${fx.ports.port}/deployment/info`)).json()) as { version: string }).version).toBe(
      '1.0.0',
    );

    expect(await fx.ctl.shutdown()).toBe(0);
    fx.ctl = undefined;
    // The router is still there, told that nothing is active any more.
    expect(router.exitCode).toBeNull();
    const hello = await routerCall(fx.dir, 'hello', {});
    expect(hello).toMatchObject({ pid: router.pid, managed: false, routes: { active: null } });
    expect((await fetch(`http://127.0.0.1:${fx.ports.port}/health`)).status).toBe(503);
    router.kill('SIGTERM');
    await new Promise((r) => router!.once('exit', r));
  }, 90_000);
});
