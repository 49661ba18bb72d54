import { spawn } from 'node:child_process';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, cleanupTemps, ensureBuilt, freePorts, killLeftovers, tempDir, testEnv } from './harness.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) killLeftovers(d);
  cleanupTemps();
});

/** An MCP initialize through the router with the Host (and Origin) a remote client would send; traffic stays on 127.0.0.1. */
function initialize(port: number, host: string, origin?: string): Promise<{ status: number; session: string | undefined }> {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'start-test', version: '1' } },
  });
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/mcp',
        method: 'POST',
        agent: false,
        headers: {
          host,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'content-length': Buffer.byteLength(body),
          ...(origin && { origin }),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, session: res.headers['mcp-session-id'] as string | undefined }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('npm start', () => {
  it('brings up router, controller and this build as blue for a public name, prints that URL, and stops everything on SIGTERM to npm', async () => {
    ensureBuilt();
    const dir = tempDir('deploy-start-');
    dirs.push(dir);
    const [port, bluePort, greenPort] = (await freePorts(3)) as [number, number, number];
    // --ignore-scripts skips prestart (the build; npm test has built already), not start itself.
    const flags = ['--dir', dir, '--port', String(port), '--blue-port', String(bluePort), '--green-port', String(greenPort)];
    const npm = spawn(
      'npm',
      ['start', '--ignore-scripts', '--', ...flags, '--public-url', 'https://mcp.example.test', '--allowed-hosts', 'other.example.test'],
      {
        cwd: ROOT,
        env: { ...process.env, ...testEnv, LOG_LEVEL: 'info', DEPLOY_ALLOWED_ORIGINS: 'https://app.example.test' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    npm.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((r) => npm.once('exit', (code) => r(code)));
    for (let i = 0; i < 600 && !out.includes('Ctrl-C stops'); i++) await new Promise((r) => setTimeout(r, 100));
    const url = 'https://mcp.example.test/mcp';
    expect(out).toContain('[SUCCESS] Blue-green deployment to v');
    expect(out).toContain(`MCP endpoint (Streamable HTTP): ${url}`);
    expect(out).toContain('"url": "' + url + '"');
    expect(out).toContain(`"command": ${JSON.stringify(process.execPath)}`);
    expect(out).toContain(`"connect",\n        "${url}"`);
    // The JSON logs went to files, not the terminal.
    expect(out).not.toContain('"level":');
    expect(readFileSync(join(dir, 'logs', 'controller.log'), 'utf8')).toContain('"msg":"controller ready"');
    expect(readFileSync(join(dir, 'logs', 'router.log'), 'utf8')).toContain('"msg":"router ready"');
    const info = (await (await fetch(`http://127.0.0.1:${port}/deployment/info`)).json()) as { color: string; version: string };
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(info).toMatchObject({ color: 'blue', version: pkg.version });
    // The calculator page, and the script it loads, through the router.
    expect(out).toContain(`Cost calculator and price table: https://mcp.example.test/`);
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const script = /src="(\/assets\/calculator-[^"]+\.js)"/.exec(await page.text())?.[1];
    expect((await fetch(`http://127.0.0.1:${port}${script}`)).status).toBe(200);
    // The deployment dashboard, served by the controller behind the router; read-only without an admin token.
    expect(out).toContain(
      'Deployment dashboard: https://mcp.example.test/deploy/ (read-only; DEPLOY_ADMIN_TOKEN enables promote, abort and rollback)',
    );
    const dashboard = await fetch(`http://127.0.0.1:${port}/deploy/`);
    const dashboardScript = /src="(\/deploy\/assets\/dashboard-[^"]+\.js)"/.exec(await dashboard.text())?.[1];
    expect((await fetch(`http://127.0.0.1:${port}${dashboardScript}`)).status).toBe(200);

    // The environments accept the names clients use for the router, and only those.
    const named = await initialize(port, 'mcp.example.test');
    expect(named.status).toBe(200);
    expect(named.session).toMatch(/^b\./);
    expect((await initialize(port, 'other.example.test:9443')).status).toBe(200); // a name without a port: any port
    expect((await initialize(port, 'mcp.example.test', 'https://app.example.test')).status).toBe(200);
    expect((await initialize(port, 'evil.example.test')).status).toBe(403);
    expect((await initialize(port, 'mcp.example.test', 'https://evil.example.test')).status).toBe(403);

    const state = () =>
      JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as {
        controller: unknown;
        router: { pid: number } | null;
        colours: { blue: { pid: number | null } };
      };
    const routerPid = state().router!.pid;
    const bluePid = state().colours.blue.pid!;
    // SIGTERM to npm's own PID: npm hands it to `start` (no shell in between), which stops it all.
    npm.kill('SIGTERM');
    await exited;
    const after = state();
    expect(after.controller).toBeNull();
    expect(after.router).toBeNull();
    expect(after.colours.blue.pid).toBeNull();
    expect(() => process.kill(routerPid, 0)).toThrow();
    expect(() => process.kill(bluePid, 0)).toThrow();
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  }, 90_000);
});
