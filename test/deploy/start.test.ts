import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAIN, ROOT, cleanupTemps, ensureBuilt, freePorts, killLeftovers, tempDir, testEnv } from './harness.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) killLeftovers(d);
  cleanupTemps();
});

describe('start (what npm start runs)', () => {
  it('brings up the controller with this build as blue, prints the endpoint and client configs, and stops on Ctrl-C', async () => {
    ensureBuilt();
    const dir = tempDir('deploy-start-');
    dirs.push(dir);
    const [port, bluePort, greenPort] = await freePorts(3);
    const child = spawn(
      process.execPath,
      [MAIN, 'start', '--dir', dir, '--port', String(port), '--blue-port', String(bluePort), '--green-port', String(greenPort)],
      { cwd: ROOT, env: { ...process.env, ...testEnv, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    for (let i = 0; i < 300 && !out.includes('Ctrl-C stops'); i++) await new Promise((r) => setTimeout(r, 100));
    const url = `http://127.0.0.1:${port}/mcp`;
    expect(out).toContain('[SUCCESS] Blue-green deployment to v');
    expect(out).toContain(`MCP endpoint (Streamable HTTP): ${url}`);
    expect(out).toContain('"url": "' + url + '"');
    expect(out).toContain(`"command": ${JSON.stringify(process.execPath)}`);
    expect(out).toContain(`"connect",\n        "${url}"`);
    // The JSON log went to the file, not the terminal.
    expect(out).not.toContain('"level":');
    expect(readFileSync(join(dir, 'logs', 'controller.log'), 'utf8')).toContain('"msg":"controller ready"');
    const info = (await (await fetch(`http://127.0.0.1:${port}/deployment/info`)).json()) as { color: string; version: string };
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(info).toMatchObject({ color: 'blue', version: pkg.version });
    // The calculator page, and the script it loads, through the router.
    expect(out).toContain(`Cost calculator and price table: http://127.0.0.1:${port}/`);
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const script = /src="(\/assets\/calculator-[^"]+\.js)"/.exec(await page.text())?.[1];
    expect((await fetch(`http://127.0.0.1:${port}${script}`)).status).toBe(200);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as {
      controller: unknown;
      colours: { blue: { pid: number | null } };
    };
    expect(state.controller).toBeNull();
    expect(state.colours.blue.pid).toBeNull();
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  }, 60_000);
});
