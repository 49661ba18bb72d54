import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { adminCall } from '../../deploy/admin-client.js';
import type { AdminArgs, AdminVerb, StatusView } from '../../deploy/admin-protocol.js';
import { PACKAGE_ROOT, VERSION } from '../../version.js';
import { onInterrupt, trackChild } from './interrupt.js';
import { LeanLoadClient } from './lean-client.js';
import type { LeanLoadResult, LeanLoadSpec, LeanRequest } from './lean-load.js';
import { freePort, spawnServer, waitForHttp } from './processes.js';
import { compareRow } from './types.js';
import type { BenchOptions, BenchRow, BenchSection, BenchSectionResult } from './types.js';

// The deploy router (its own process) beside calling the environment directly (its Unix socket),
// in the same run, with the lean load client (lean-load.ts) so that the client costs little:
// /mcp estimate_cost calls per second at 1 and 16 connections (median of alternating rounds), the
// router's added latency at one connection (p50 through it minus p50 direct), and the CPU the
// router spends per request beside what the environment spends per tool call, both read from
// /proc over the same routed rounds. Then the wall time of a deploy, of an instant rollback, and of
// an instant rollback right after the controller was killed (kill -9) and started again.

const NAME = 'router';
const TITLE = 'deploy router (own process) vs calling the environment directly: /mcp tool calls; deploy and rollback times';
const CONNECTIONS = [1, 16];
const ROUNDS = 3;
const ROUND_MS = 1500;
const WARMUP_MS = 300;
const CLOCK_TICKS = 100;
const CORES = availableParallelism();
const CALL: LeanRequest = {
  kind: 'mcp',
  path: '/mcp',
  tool: 'estimate_cost',
  args: { model_name: 'gpt-4', input_tokens: 1000, output_tokens: 500 },
};

/** CPU seconds a process has used so far (utime + stime from /proc; Linux only). */
async function cpuSeconds(pid: number | null | undefined): Promise<number | undefined> {
  if (!pid) return undefined;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** Calls/s a chain of single-threaded processes could reach on CORES cores, from each one's CPU µs per call. */
function cpuCeiling(usPerCall: number[]): number {
  const busiest = Math.max(...usPerCall);
  const total = usPerCall.reduce((a, b) => a + b, 0);
  return Math.min(1e6 / busiest, (CORES * 1e6) / total);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function call<K extends AdminVerb>(dir: string, verb: K, args: AdminArgs<K>): Promise<{ ms: number; data: unknown }> {
  const t0 = performance.now();
  const r = await adminCall(dir, verb, args);
  const ms = performance.now() - t0;
  if (!r.ok) throw new Error(`${verb} failed: ${r.error ?? ''}`);
  return { ms, data: r.data };
}

interface Controller {
  child: ChildProcess;
  stderr: () => string;
}

function startController(main: string, dir: string, port: number, extraEnv: Record<string, string>): Controller {
  const child = trackChild(
    spawn(process.execPath, [main, 'controller', '--dir', dir, '--port', String(port)], {
      env: {
        ...process.env,
        ...extraEnv,
        LOG_LEVEL: 'warn',
        DEPLOY_ANALYSIS_WINDOW: '0',
        DEPLOY_VALIDATE_MAX_AVG_MS: '1000',
        DEPLOY_VALIDATE_MAX_MAX_MS: '5000',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  return { child, stderr: () => stderr };
}

async function waitForController(dir: string, c: Controller): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await adminCall(dir, 'ping', {});
      return;
    } catch {
      if (c.child.exitCode !== null || Date.now() > deadline) throw new Error(`the controller did not start: ${c.stderr().slice(-500)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

export const routerSection: BenchSection = {
  name: NAME,
  title: TITLE,
  transport: 'http',
  async run(opts: BenchOptions): Promise<BenchSectionResult> {
    const main = join(PACKAGE_ROOT, 'dist', 'cli', 'main.js');
    const dir = await mkdtemp(join(tmpdir(), 'bench-deploy-'));
    const port = await freePort();
    const roundMs = Math.min(ROUND_MS, opts.phaseTimeLimitMs);
    const env = opts.ours.env;
    let ctl = startController(main, dir, port, env);
    const client = LeanLoadClient.start();
    const rows: BenchRow[] = [];
    const notes: string[] = [];
    let tcpEnv: Awaited<ReturnType<typeof spawnServer>> | undefined;
    // The deployment this section made (controller, router, colours) and its dir, also when the bench is interrupted.
    const teardown = async (): Promise<void> => {
      await adminCall(dir, 'shutdown', {}).catch(() => undefined);
      const hard = setTimeout(() => ctl.child.kill('SIGKILL'), 20_000);
      await exited(ctl.child);
      clearTimeout(hard);
      await rm(dir, { recursive: true, force: true });
    };
    const forget = onInterrupt(teardown);
    try {
      await waitForController(dir, ctl);
      opts.onLine(`router: first deploy of v${VERSION} (blue) from ${PACKAGE_ROOT}...`);
      await call(dir, 'deploy', { version: VERSION, from: PACKAGE_ROOT, cwd: PACKAGE_ROOT });
      const status = (await call(dir, 'status', {})).data as StatusView;
      const envPid = status.colours.blue.pid;
      const routerPid = status.router.pid;
      const listen = status.colours.blue.listen ?? '';
      if (!listen.startsWith('unix:')) throw new Error(`blue listens on ${listen}, not a Unix socket`);
      const hostHeader = `127.0.0.1:${port}`; // what the environment allows: the router's public name
      const direct: LeanLoadSpec['target'] = { socketPath: listen.slice(5) };
      const routed: LeanLoadSpec['target'] = { host: '127.0.0.1', port };
      // The same build on a TCP port, as a client calling an environment directly would reach it.
      const tcpPort = await freePort();
      tcpEnv = spawnServer(opts.ours.http(tcpPort), env);
      await waitForHttp(`http://127.0.0.1:${tcpPort}/health/ready`, tcpEnv, 30_000);
      const directTcp: LeanLoadSpec['target'] = { host: '127.0.0.1', port: tcpPort };
      for (const conns of CONNECTIONS) {
        const d: LeanLoadResult[] = [];
        const dt: LeanLoadResult[] = [];
        const r: LeanLoadResult[] = [];
        let routerCpu = 0;
        let envCpu = 0;
        let routedRequests = 0;
        const budget = { routedClient: 0, directEnv: 0, directClient: 0, directRequests: 0 };
        for (let round = 0; round < ROUNDS; round++) {
          opts.onLine(`router: /mcp estimate_cost over ${conns} connection(s), round ${round + 1}/${ROUNDS}...`);
          const spec = (target: LeanLoadSpec['target']): LeanLoadSpec => ({
            target,
            ...(target !== directTcp && { hostHeader }),
            connections: conns,
            durationMs: roundMs,
            warmupMs: WARMUP_MS,
            latency: conns === 1,
          });
          d.push(await client.run(spec(direct), CALL));
          const [t0, c0] = [await cpuSeconds(tcpEnv.pid), await cpuSeconds(client.pid)];
          const resTcp = await client.run(spec(directTcp), CALL);
          const [t1, c1] = [await cpuSeconds(tcpEnv.pid), await cpuSeconds(client.pid)];
          dt.push(resTcp);
          const [r0, e0] = [await cpuSeconds(routerPid), await cpuSeconds(envPid)];
          const res = await client.run(spec(routed), CALL);
          const [r1, e1, c2] = [await cpuSeconds(routerPid), await cpuSeconds(envPid), await cpuSeconds(client.pid)];
          r.push(res);
          // The warm-up's requests count too: the CPU was read around the whole run.
          const withWarmup = (roundMs + WARMUP_MS) / roundMs;
          if (r0 !== undefined && r1 !== undefined && e0 !== undefined && e1 !== undefined) {
            routerCpu += r1 - r0;
            envCpu += e1 - e0;
            routedRequests += res.requests * withWarmup;
            if (c1 !== undefined && c2 !== undefined) budget.routedClient += c2 - c1;
          }
          if (t0 !== undefined && t1 !== undefined && c0 !== undefined && c1 !== undefined) {
            budget.directEnv += t1 - t0;
            budget.directClient += c1 - c0;
            budget.directRequests += resTcp.requests * withWarmup;
          }
        }
        const all = [...d, ...dt, ...r];
        const errors = all.reduce((n, x) => n + x.errors, 0);
        if (errors > 0) notes.push(`${conns} connection(s): ${errors} failed calls (${all.find((x) => x.firstError)?.firstError ?? ''})`);
        const routedRps = Math.round(median(r.map((x) => x.rps)));
        rows.push(
          compareRow(
            `/mcp calls/s, router vs direct TCP, ${conns} conn`,
            'calls/s',
            routedRps,
            Math.round(median(dt.map((x) => x.rps))),
            conns === 16 ? { text: 'ratio >= 0.9', met: (x) => x >= 0.9 } : undefined,
          ),
        );
        rows.push(
          compareRow(
            `/mcp calls/s, router vs direct Unix socket, ${conns} conn`,
            'calls/s',
            routedRps,
            Math.round(median(d.map((x) => x.rps))),
          ),
        );
        if (conns === 1) {
          const p50 = (xs: LeanLoadResult[]) => median(xs.map((x) => x.latencyUs?.p50 ?? Number.NaN));
          const added = p50(r) - p50(dt);
          rows.push({
            metric: 'router added latency per call (p50 vs direct TCP), 1 conn',
            unit: 'µs',
            ours: Math.round(added),
            goal: '<= 100 µs',
            met: added <= 100,
          });
        }
        if (routedRequests > 0 && envCpu > 0) {
          const routerUs = (routerCpu * 1e6) / routedRequests;
          const envUs = (envCpu * 1e6) / routedRequests;
          rows.push({
            ...compareRow(
              `router CPU per request vs environment CPU per tool call, ${conns} conn`,
              'µs',
              Math.round(routerUs),
              Math.round(envUs),
            ),
            ...(conns === 16 && { goal: 'ratio <= 0.5', met: routerUs / envUs <= 0.5 }),
          });
          if (conns === 16 && budget.directRequests > 0 && budget.routedClient > 0) {
            const perCall = (cpu: number, n: number) => (cpu * 1e6) / n;
            const routedCpus = [routerUs, envUs, perCall(budget.routedClient, routedRequests)];
            const directCpus = [perCall(budget.directEnv, budget.directRequests), perCall(budget.directClient, budget.directRequests)];
            const routedCeiling = cpuCeiling(routedCpus);
            const directCeiling = cpuCeiling(directCpus);
            rows.push(
              compareRow(
                `CPU-bound ceiling on ${CORES} cores, router vs direct TCP, 16 conn`,
                'calls/s',
                Math.round(routedCeiling),
                Math.round(directCeiling),
              ),
            );
            const [rUs, eUs, cUs] = routedCpus.map(Math.round) as [number, number, number];
            const [deUs, dcUs] = directCpus.map(Math.round) as [number, number];
            notes.push(
              `CPU per call @16 conn (µs): routed = router ${rUs} + environment ${eUs} + client ${cUs} = ${rUs + eUs + cUs}; ` +
                `direct TCP = environment ${deUs} + client ${dcUs} = ${deUs + dcUs}. Ceiling = min(1e6 / the busiest process (each is single-threaded), ` +
                `${CORES} cores × 1e6 / the sum): the calls/s if these processes had the cores to themselves; other load on the machine lowers both sides.`,
            );
          }
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
      rows.push({
        metric: 'rollback switch inside the router',
        unit: 'ms',
        ours: Number((rolled.data as { switchMs?: number }).switchMs ?? Number.NaN),
      });

      opts.onLine('router: deploy again, kill -9 the controller, start a new one, instant rollback...');
      await call(dir, 'deploy', { version: VERSION, from: PACKAGE_ROOT, cwd: PACKAGE_ROOT, keepPreviousMs: 600_000 });
      ctl.child.kill('SIGKILL');
      await exited(ctl.child);
      ctl = startController(main, dir, port, env);
      await waitForController(dir, ctl);
      const after = await call(dir, 'rollback', {});
      const instant = (after.data as { instant?: boolean }).instant === true;
      rows.push({
        metric: 'rollback wall time after kill -9 of the controller (admin call)',
        unit: 'ms',
        ours: Math.round(after.ms * 10) / 10,
        goal: '<= 100 ms',
        met: instant && after.ms <= 100,
      });
      notes.push(
        `router = TCP to the router process, which reaches blue on its Unix socket; direct TCP = the same build on a TCP port; direct Unix socket = blue's own socket (the router's TCP cost is not in it); lean load client (its own process); median of ${ROUNDS} alternating rounds of ${roundMs} ms after ${WARMUP_MS} ms warm-up; CPU from /proc over the routed rounds`,
      );
    } finally {
      await client.close();
      await tcpEnv?.stop();
      await teardown();
      forget();
    }
    return { name: NAME, title: TITLE, rows, notes };
  },
};
