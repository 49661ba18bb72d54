import { spawn } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { MAIN, ROOT, cli, controllerFixture, readJsonLines, startController, waitFor } from './harness.js';

// What an operator meets: Ctrl-C on `deploy` (before the switch it calls the deploy off, after it
// the deploy goes on), and the dashboard API the controller serves behind the router's /deploy/.
const fx = controllerFixture('deploy-operator-', ['1.0.0', '2.0.0']);
const env = { DEPLOY_ANALYSIS_WINDOW: '0', DEPLOY_SESSION_IDLE: '30s' };

interface StatusData {
  active: string | null;
  colours: Record<string, { status: string; version: string | null }>;
}

/** `deploy` as a child process whose output is collected, to be interrupted like a terminal would. */
function deployChild(version: string, extra: string[] = []) {
  const child = spawn(
    process.execPath,
    [MAIN, 'deploy', '--dir', fx.dir, '--version', version, '--from', fx.releases[version]!, ...extra],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exit, out: () => out };
}

const logged = (pred: (e: Record<string, unknown>) => boolean) => () => readJsonLines(join(fx.dir, 'deployment.log')).some(pred);

/** The dashboard's event stream: events as they come, parsed. */
function events(port: number): { seen: Array<{ event: string; data: Record<string, unknown> }>; close(): void } {
  const seen: Array<{ event: string; data: Record<string, unknown> }> = [];
  let buf = '';
  const req = http.get({ host: '127.0.0.1', port, path: '/deploy/api/events', agent: false }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      buf += c;
      for (let end = buf.indexOf('\n\n'); end >= 0; end = buf.indexOf('\n\n')) {
        const frame = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (event && data) seen.push({ event, data: JSON.parse(data) as Record<string, unknown> });
      }
    });
  });
  req.on('error', () => undefined);
  return { seen, close: () => req.destroy() };
}

describe('operator ergonomics and the dashboard API', () => {
  it('Ctrl-C before the switch calls the deploy off: the new colour stops, the active one is untouched, and it says so', async () => {
    fx.ctl = await startController(fx.dir, fx.ports, env);
    expect((await cli(['deploy', '--dir', fx.dir, '--version', '1.0.0', '--from', fx.releases['1.0.0']!])).code).toBe(0);
    const d = deployChild('2.0.0');
    expect(
      await waitFor(
        logged((e) => e.event === 'start' && e.colour === 'green'),
        30_000,
      ),
    ).toBe(true);
    d.child.kill('SIGINT');
    expect(await d.exit).toBe(1);
    expect(d.out()).toContain('calling off the deployment of v2.0.0');
    expect(d.out()).toMatch(
      /\[CANCELLED\] Deployment of v2\.0\.0 called off before the switch: GREEN stopped; BLUE \(v1\.0\.0\) keeps serving, untouched/,
    );
    const s = (JSON.parse((await cli(['status', '--dir', fx.dir, '--json'])).stdout) as { data: StatusData }).data;
    expect(s.active).toBe('blue');
    expect(s.colours.blue).toMatchObject({ status: 'RUNNING', version: '1.0.0' });
    expect(s.colours.green!.status).toBe('STOPPED');
    expect(logged((e) => e.event === 'deploy' && e.status === 'cancelled' && e.version === '2.0.0')()).toBe(true);
  }, 90_000);

  it('Ctrl-C after the switch lets the deploy go on and says how to roll back; the dashboard API streams it', async () => {
    const url = `http://127.0.0.1:${fx.ports.port}`;
    const stream = events(fx.ports.port);
    try {
      // An open session on blue holds the drain (phase 4) so that the interrupt lands after the switch.
      const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`));
      const client = new Client({ name: 'operator-test', version: '1.0.0' });
      await client.connect(transport);
      const d = deployChild('2.0.0', ['--drain-timeout', '60s']);
      expect(
        await waitFor(
          logged((e) => e.event === 'phase' && e.phase === 4 && e.status === 'started' && e.version === '2.0.0'),
          60_000,
        ),
      ).toBe(true);
      d.child.kill('SIGINT');
      expect(await waitFor(() => d.out().includes('goes on'), 10_000)).toBe(true);
      expect(d.out()).toContain(
        'traffic already switched to GREEN: the deployment of v2.0.0 goes on; `llm-pricing-mcp rollback` switches back',
      );
      await transport.terminateSession(); // the drain ends with the session
      await client.close();
      expect(await d.exit).toBe(0);
      expect(d.out()).toContain('[SUCCESS] Blue-green deployment to v2.0.0 SUCCESSFUL');

      // The API behind /deploy/: the status object `status --json` prints, the history, the event stream.
      const api = (await (await fetch(`${url}/deploy/api/status`)).json()) as StatusData;
      const cliStatus = (JSON.parse((await cli(['status', '--dir', fx.dir, '--json'])).stdout) as { data: StatusData }).data;
      expect(api.active).toBe('green');
      expect(api.colours).toEqual(cliStatus.colours);
      const history = (await (await fetch(`${url}/deploy/api/history?limit=3`)).json()) as Array<{ event: string }>;
      expect(history).toHaveLength(3);
      expect(history.at(-1)).toMatchObject({ event: 'phase', phase: 5, status: 'passed' });
      const bad = await fetch(`${url}/deploy/api/history?limit=lots`);
      expect(bad.status).toBe(400);
      expect((await fetch(`${url}/deploy/api/nothing`)).status).toBe(404);
      expect((await fetch(`${url}/deploy/api/status`, { method: 'POST' })).status).toBe(405);
      // Without DEPLOY_ADMIN_TOKEN the dashboard is read-only and says why; an action is refused and changes nothing.
      const actions = (await (await fetch(`${url}/deploy/api/actions`)).json()) as { enabled: boolean; reason: string };
      expect(actions).toMatchObject({ enabled: false, verbs: [] });
      expect(actions.reason).toContain('DEPLOY_ADMIN_TOKEN');
      const refused = await fetch(`${url}/deploy/api/actions/rollback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer anything' },
        body: '{}',
      });
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { error: string }).error).toBe('read_only');
      expect(((await (await fetch(`${url}/deploy/api/status`)).json()) as StatusData).active).toBe('green');
      // The page itself, from the controller through the router.
      const page = await fetch(`${url}/deploy/`);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await page.text()).toMatch(/<script type="module" src="\/deploy\/assets\/dashboard-\w+\.js">/);
      expect((await fetch(`${url}/deploy`, { redirect: 'manual' })).headers.get('location')).toBe('/deploy/');
      expect(await waitFor(() => stream.seen.some((e) => e.event === 'status' && e.data.active === 'green'), 10_000)).toBe(true);
      expect(stream.seen[0]!.event).toBe('status'); // the state as it was when the stream opened
      expect(stream.seen.some((e) => e.event === 'log' && e.data.event === 'switch' && e.data.to === 'green')).toBe(true);
    } finally {
      stream.close();
    }
  }, 90_000);
});
