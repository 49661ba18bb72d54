import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { adminCall } from '../../deploy/admin-client.js';
import type { AdminVerb } from '../../deploy/admin-protocol.js';
import { PACKAGE_ROOT, VERSION } from '../../version.js';
import { closeConnections, openConnections, runLoad } from './http-load.js';
import { freePort } from './processes.js';
import { compareRow } from './types.js';
import type { BenchOptions, BenchRow, BenchSection, BenchSectionResult } from './types.js';

// The deployer's router beside going straight to the environment, in the same run:
// requests per second on /health and on /mcp tool calls at 1 and 16 connections
// (median of 3 alternating rounds), then the wall time of a deploy of a prepared
// release and of an instant rollback, as the admin socket reports them.

const NAME = 'router';
const TITLE = 'deploy router: throughput through the router vs direct to the environment; deploy and rollback times';
const CONNECTIONS = [1, 16];
const ROUNDS = 3;
const ROUND_MS = 1500;
const REQUEST_TIMEOUT_MS = 10_000;

/** Keep-alive GETs of one path over `conns` sockets for `ms`; returns requests per second. */
async function getLoad(url: string, conns: number, ms: number): Promise<{ rps: number; errors: number }> {
  const u = new URL(url);
  let done = 0;
  let errors = 0;
  const t0 = performance.now();
  const until = t0 + ms;
  await Promise.all(
    Array.from({ length: conns }, async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        while (performance.now() < until) {
          const ok = await new Promise<boolean>((resolve) => {
            const req = request({ host: u.hostname, port: u.port, path: u.pathname, agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode === 200));
            });
            req.on('error', () => resolve(false));
            req.on('timeout', () => req.destroy());
            req.end();
          });
          done++;
          if (!ok) errors++;
        }
      } finally {
        agent.destroy();
      }
    }),
  );
  return { rps: (done * 1000) / (performance.now() - t0), errors };
}

async function mcpLoad(url: string, conns: number, ms: number): Promise<{ rps: number; errors: number }> {
  const c = await openConnections(url, conns, REQUEST_TIMEOUT_MS);
  try {
    const args = { model_name: 'gpt-4', input_tokens: 1000, output_tokens: 500 };
    await runLoad(c, { calls: 20 * conns, timeLimitMs: ms, tool: 'estimate_cost', args, requestTimeoutMs: REQUEST_TIMEOUT_MS });
    const r = await runLoad(c, {
      calls: Number.MAX_SAFE_INTEGER,
      timeLimitMs: ms,
      tool: 'estimate_cost',
      args,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    });
    return { rps: r.callsPerSecond, errors: r.errors };
  } finally {
    await closeConnections(c);
  }
}

/** CPU seconds a process has used so far (utime + stime from /proc; Linux only). */
async function cpuSeconds(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
const CLOCK_TICKS = 100;

async function routedRequests(base: string): Promise<number> {
  const res = await fetch(`${base}/router/status`);
  const s = (await res.json()) as { colours: Record<string, { requests: number }> };
  return Object.values(s.colours).reduce((n, c) => n + c.requests, 0);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function call(dir: string, cmd: AdminVerb, args: Record<string, unknown>): Promise<{ ms: number; data: Record<string, unknown> }> {
  const t0 = performance.now();
  const r = await adminCall(dir, cmd, args as never);
  const ms = performance.now() - t0;
  if (!r.ok) throw new Error(`${cmd} failed: ${r.error ?? ''}`);
  return { ms, data: (r.data ?? {}) as Record<string, unknown> };
}

async function waitForController(dir: string, child: ReturnType<typeof spawn>, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await adminCall(dir, 'ping', {});
      return;
    } catch {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the controller did not start: ${stderr().slice(-500)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export const routerSection: BenchSection = {
  name: NAME,
  title: TITLE,
  transport: 'http',
  async run(opts: BenchOptions): Promise<BenchSectionResult> {
    const main = join(PACKAGE_ROOT, 'dist', 'cli', 'main.js');
    const dir = await mkdtemp(join(tmpdir(), 'llm-pricing-bench-deploy-'));
    const [port, bluePort, greenPort] = [await freePort(), await freePort(), await freePort()];
    const roundMs = Math.min(ROUND_MS, opts.phaseTimeLimitMs);
    const child = spawn(
      process.execPath,
      [main, 'controller', '--dir', dir, '--port', String(port), '--blue-port', String(bluePort), '--green-port', String(greenPort)],
      {
        env: {
          ...process.env,
          ...opts.ours.env,
          LOG_LEVEL: 'warn',
          DEPLOY_ANALYSIS_WINDOW: '0',
          DEPLOY_VALIDATE_MAX_AVG_MS: '1000',
          DEPLOY_VALIDATE_MAX_MAX_MS: '5000',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    const rows: BenchRow[] = [];
    const notes: string[] = [];
    try {
      await waitForController(dir, child, () => stderr);
      opts.onLine(`router: first deploy of v${VERSION} (blue) from ${PACKAGE_ROOT}...`);
      await call(dir, 'deploy', { version: VERSION, from: PACKAGE_ROOT, cwd: PACKAGE_ROOT });
      const routerBase = `http://127.0.0.1:${port}`;
      const directBase = `http://127.0.0.1:${bluePort}`;
      for (const [label, path, load, goal] of [
        ['/health', '/health', getLoad, 0.5],
        ['/mcp estimate_cost', '/mcp', mcpLoad, 0.9],
      ] as const) {
        for (const conns of CONNECTIONS) {
          const direct: number[] = [];
          const routed: number[] = [];
          let errors = 0;
          let cpu = 0;
          let proxied = 0;
          for (let round = 0; round < ROUNDS; round++) {
            opts.onLine(`router: ${label} over ${conns} connection(s), round ${round + 1}/${ROUNDS}...`);
            const d = await load(directBase + path, conns, roundMs);
            const [cpu0, n0] = [await cpuSeconds(child.pid!), await routedRequests(routerBase)];
            const r = await load(routerBase + path, conns, roundMs);
            const [cpu1, n1] = [await cpuSeconds(child.pid!), await routedRequests(routerBase)];
            if (cpu0 !== undefined && cpu1 !== undefined) cpu += cpu1 - cpu0;
            proxied += n1 - n0 - 1; // the status read itself
            direct.push(d.rps);
            routed.push(r.rps);
            errors += d.errors + r.errors;
          }
          if (cpu > 0 && proxied > 0) {
            rows.push({ metric: `router CPU per request, ${label}, ${conns} conn`, unit: 'µs', ours: Math.round((cpu * 1e6) / proxied) });
          }
          const withGoal = conns === 16 || path === '/mcp';
          rows.push(
            compareRow(
              `${label} req/s, router vs direct, ${conns} conn`,
              'req/s',
              Math.round(median(routed)),
              Math.round(median(direct)),
              withGoal ? { text: `ratio >= ${goal}`, met: (x) => x >= goal } : undefined,
            ),
          );
          if (conns === 1 && median(routed) > 0 && median(direct) > 0) {
            // At one connection requests are back to back: the difference in time per request is the router's added latency.
            const added = 1e6 / median(routed) - 1e6 / median(direct);
            rows.push({ metric: `router added latency per request, ${label}, 1 conn`, unit: 'µs', ours: Math.round(added) });
          }
          if (errors > 0) notes.push(`${label} at ${conns} connection(s): ${errors} failed requests`);
        }
      }
      opts.onLine('router: deploy of a prepared release (green), then an instant rollback...');
      const deployed = await call(dir, 'deploy', { version: VERSION, from: PACKAGE_ROOT, cwd: PACKAGE_ROOT, keepPreviousMs: 600_000 });
      rows.push({
        metric: 'deploy wall time, prepared release (admin call)',
        unit: 'ms',
        ours: Math.round(deployed.ms),
        goal: '<= 3000 ms',
        met: deployed.ms <= 3000,
      });
      const rolled = await call(dir, 'rollback', {});
      rows.push({
        metric: 'rollback wall time, warm previous (admin call)',
        unit: 'ms',
        ours: Math.round(rolled.ms * 10) / 10,
        goal: '<= 100 ms',
        met: rolled.ms <= 100,
      });
      rows.push({ metric: 'rollback switch inside the router', unit: 'ms', ours: Number(rolled.data.switchMs ?? Number.NaN) });
      notes.push('ours = through the router, floor = straight to the environment; median of 3 alternating rounds of ' + `${roundMs} ms`);
    } finally {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await gone;
        clearTimeout(t);
      }
      await rm(dir, { recursive: true, force: true });
    }
    return { name: NAME, title: TITLE, rows, notes };
  },
};
