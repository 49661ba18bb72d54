// Shared pieces of the deploy integration tests: free ports, prepared releases of our own
// built server, a real controller process, the CLI, and an MCP load generator on the SDK client.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { adminCall } from '../../src/deploy/admin-client.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
export const FIXTURE = join(ROOT, 'test', 'fixtures', 'mcp-fixture.mjs');

/** Builds dist once if a test run starts without it (npm test builds first anyway). */
export function ensureBuilt(): void {
  if (existsSync(MAIN)) return;
  const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  if (!existsSync(MAIN)) throw new Error(`build failed (${r.status})`);
}

export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Server>((r) => {
          const s = net.createServer();
          s.listen(0, '127.0.0.1', () => r(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

const temps: string[] = [];
export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
}
export function cleanupTemps(): void {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A prepared release directory of our real build, reporting `version` (dist copied so it resolves its own package.json). */
export function makeRelease(version: string): string {
  const dir = tempDir(`release-${version}-`);
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
  symlinkSync(join(ROOT, 'data'), join(dir, 'data'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  pkg.version = version;
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  return dir;
}

/**
 * A git repository holding one tagged release (v<version>) whose `npm run build` reuses this
 * project's compiled code (npm ci has no dependencies to fetch, so nothing leaves the machine).
 * The controller must run with BUILD_FROM=ROOT.
 */
export function makeGitRepo(version: string): string {
  const dir = tempDir('release-repo-');
  const pkg = { name: 'llm-pricing-mcp', version, private: true, type: 'module', scripts: { build: 'node build.mjs' } };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  writeFileSync(
    join(dir, 'build.mjs'),
    [
      "import { cpSync, existsSync, symlinkSync } from 'node:fs';",
      'const root = process.env.BUILD_FROM;',
      "cpSync(`${root}/dist`, 'dist', { recursive: true });",
      "if (!existsSync('node_modules')) symlinkSync(`${root}/node_modules`, 'node_modules');",
      "if (!existsSync('data')) symlinkSync(`${root}/data`, 'data');",
      "console.error('build: done');",
    ].join('\n'),
  );
  const lock = {
    name: 'llm-pricing-mcp',
    version,
    lockfileVersion: 3,
    requires: true,
    packages: { '': { name: 'llm-pricing-mcp', version } },
  };
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
  const git = (...args: string[]) => {
    const r = spawnSync('git', ['-c', 'user.email=test@example.invalid', '-c', 'user.name=test', ...args], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  };
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', `release ${version}`);
  git('tag', `v${version}`);
  return dir;
}

/** The env every test controller gets: validation limits loose enough for a busy shared machine. */
export const testEnv: Record<string, string> = {
  DEPLOY_VALIDATE_MAX_AVG_MS: '2000',
  DEPLOY_VALIDATE_MAX_MAX_MS: '10000',
  DEPLOY_ANALYSIS_MIN_REQUESTS: '20',
  DEPLOY_STOP_TIMEOUT: '5s',
  LOG_LEVEL: 'warn',
};

export interface RunningController {
  dir: string;
  port: number;
  bluePort: number;
  greenPort: number;
  child: ChildProcess;
  stderr: () => string;
  url: string;
  /** Sends a signal (SIGTERM: the controller alone stops; SIGKILL: killed) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Stops everything through the `shutdown` verb: environments, the router, the controller. */
  shutdown(): Promise<number | null>;
}

export async function startController(
  dir: string,
  ports: { port: number; bluePort: number; greenPort: number },
  env: Record<string, string> = {},
): Promise<RunningController> {
  const child = spawn(
    process.execPath,
    [
      MAIN,
      'controller',
      '--dir',
      dir,
      '--port',
      String(ports.port),
      '--blue-port',
      String(ports.bluePort),
      '--green-port',
      String(ports.greenPort),
    ],
    { cwd: ROOT, env: { ...process.env, ...testEnv, ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  // Ready once its admin socket answers (after recovery): asked in-process, not by a CLI process per try.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const up = await adminCall(dir, 'ping', {}).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`controller did not start: ${err}`);
    await sleep(50);
  }
  return {
    dir,
    ...ports,
    child,
    stderr: () => err,
    url: `http://127.0.0.1:${ports.port}/mcp`,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      // A graceful stop that hangs must not hang the test run: SIGKILL after 20 s.
      const hard = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(hard);
      return code;
    },
    shutdown: async () => {
      if (child.exitCode === null && child.signalCode === null) await cli(['shutdown', '--dir', dir], { quiet: true });
      const hard = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(hard);
      return code;
    },
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], opts: { quiet?: boolean; env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `cond` holds or `ms` pass (a busy shared machine can be slow); returns whether it held. */
export async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) return false;
    await sleep(50);
  }
  return true;
}

/** Waits until the load has completed `n` more calls (traffic flowed meanwhile); throws after `ms`. */
export async function moreCalls(report: LoadReport, n: number, ms = 30_000): Promise<void> {
  const target = report.ok + n;
  if (!(await waitFor(() => report.ok >= target, ms))) {
    throw new Error(`the load did not complete ${n} more calls in ${ms} ms (failures: ${report.failures.join('; ') || 'none'})`);
  }
}

/** True once every worker's last completed session was on `version`. */
export function allOn(report: LoadReport, workers: number, version: string): () => boolean {
  return () => report.lastVersions.filter((v) => v === version).length === workers;
}

export function fixtureCommand(mode: string, version: string, extra = ''): string {
  return `exec ${process.execPath} ${FIXTURE} --http --mode ${mode} --version ${version}${extra ? ` ${extra}` : ''}`;
}

export interface LoadReport {
  ok: number;
  failed: number;
  failures: string[];
  byVersion: Record<string, number>;
  /** Versions that answered, in order of first appearance, per worker-session. */
  lastVersions: string[];
}

/**
 * MCP load through the router: `workers` loops, each opening a session (initialize), making
 * `callsPerSession` estimate_cost calls, and closing it (DELETE), until stop() is called.
 */
export function mcpLoad(url: string, workers: number, callsPerSession = 5): { stop(): Promise<LoadReport>; report: LoadReport } {
  const report: LoadReport = { ok: 0, failed: 0, failures: [], byVersion: {}, lastVersions: [] };
  let running = true;
  const loop = async (w: number) => {
    while (running) {
      const client = new Client({ name: `load-${w}`, version: '1.0.0' });
      const transport = new StreamableHTTPClientTransport(new URL(url));
      try {
        await client.connect(transport);
        const version = client.getServerVersion()?.version ?? '?';
        for (let i = 0; i < callsPerSession && running; i++) {
          const r = await client.callTool({
            name: 'estimate_cost',
            arguments: { model_name: 'gpt-4', input_tokens: 1000 + i, output_tokens: 500 },
          });
          if (r.isError) throw new Error(`tool error: ${JSON.stringify(r.content).slice(0, 200)}`);
          report.ok++;
          report.byVersion[version] = (report.byVersion[version] ?? 0) + 1;
        }
        report.lastVersions[w] = version;
        await transport.terminateSession();
      } catch (err) {
        report.failed++;
        if (report.failures.length < 20) report.failures.push(`${new Date().toISOString()} ${(err as Error).message}`);
        await sleep(20);
      } finally {
        await client.close().catch(() => {});
      }
    }
  };
  const all = Array.from({ length: workers }, (_, w) => loop(w));
  return {
    report,
    stop: async () => {
      running = false;
      await Promise.all(all);
      return report;
    },
  };
}

export function readJsonLines(file: string): Array<Record<string, unknown>> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * Kills every colour process and router a test controller started under `dir` that is still
 * running: the pids come from deployment.log (a controller killed by SIGKILL never stops its
 * children or the router: that is what adoption is for), checked against /proc before the kill.
 */
export function killLeftovers(dir: string): void {
  const pids = new Set<number>();
  for (const e of readJsonLines(join(dir, 'deployment.log'))) {
    if (e.event === 'start' && typeof e.pid === 'number') pids.add(e.pid);
    if (e.event === 'controller' && typeof e.router === 'number') pids.add(e.router); // the router it started or found
  }
  for (const pid of pids) {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // gone
    }
    if (!cmdline.includes('release-') && !cmdline.includes('mcp-fixture') && !cmdline.includes(dir)) continue; // a reused pid
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

/** What a test file that drives one controller needs: its directory, free ports, prepared releases, the running controller. */
export interface ControllerFixture {
  dir: string;
  ports: { port: number; bluePort: number; greenPort: number };
  releases: Record<string, string>;
  ctl: RunningController | undefined;
}

/** Sets up (beforeAll) and tears down (afterAll) a controller fixture for the calling test file. */
export function controllerFixture(prefix: string, versions: string[]): ControllerFixture {
  const fx: ControllerFixture = { dir: '', ports: { port: 0, bluePort: 0, greenPort: 0 }, releases: {}, ctl: undefined };
  beforeAll(async () => {
    ensureBuilt();
    for (const v of versions) fx.releases[v] = makeRelease(v);
    const [port, bluePort, greenPort] = await freePorts(3);
    fx.ports = { port: port!, bluePort: bluePort!, greenPort: greenPort! };
    fx.dir = tempDir(prefix);
  }, 60_000);
  afterAll(async () => {
    if (fx.ctl) await fx.ctl.shutdown();
    killLeftovers(fx.dir);
    cleanupTemps();
  });
  return fx;
}
