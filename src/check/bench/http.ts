import { performance } from 'node:perf_hooks';
import { measureCeiling } from './ceiling.js';
import { startCpuShare, waitForQuiet } from './cpu-share.js';
import { RSS_SAMPLE_MS, WINDOW_SHARE, measureMemory } from './http-memory.js';
import type { MemoryProfile } from './http-memory.js';
import { closeConnections, openConnections, runLoad } from './http-load.js';
import type { McpHttpConnection } from './http-load.js';
import { freePort, spawnServer, waitForHttp } from './processes.js';
import type { ChildServer } from './processes.js';
import { compareRow } from './types.js';
import type { BenchOptions, BenchRow, BenchSection, BenchSectionResult } from './types.js';
import { BARE_CALL, OUR_CALL } from './workload.js';

// Streamable HTTP at /mcp, ours against the bare SDK server on the stock
// stateful transport: server RSS after a number of calls (flat is the goal),
// and tool calls per second at each connection count (each connection its own
// initialized session). For throughput both servers stay up and the runs
// alternate between them, so a burst of load from elsewhere hits both; a round
// run while other processes kept the CPU busy is run again after a quiet moment
// (cpu-share.ts), since on a 2-core machine such a burst halves calls/s at any
// connection count.
// Goals: >= 2x the stock throughput, RSS within 10%.

const NAME = 'http';
const TITLE = 'HTTP /mcp: ours (estimate_cost) vs bare SDK server, stock stateful transport (trivial tool)';
const START_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 10_000;
/** Warm-up before each throughput measurement: enough calls for the JIT to settle (a cold server runs at a fraction of its speed). */
const WARMUP_CALLS_PER_CONNECTION = 50;
const MIN_WARMUP_CALLS = 3000;
/** Alternating throughput rounds per connection count; each server's figure is its median round. */
const ROUNDS = 3;
/**
 * A round during which other processes kept more than this share of a core busy is
 * run again (each server has the same budget per connection count): on a 2-core
 * machine a neighbour's burst halves calls/s at any connection count.
 */
const CONTENDED_CORES = 0.25;
const RETRIES_PER_SERVER = 2 * ROUNDS;
/** Before a retry, wait (at most this long) for a quiet moment, sampled over QUIET_WINDOW_MS. */
const QUIET_WAIT_MS = 3000;
const QUIET_WINDOW_MS = 200;
/** /proc counts CPU in 10 ms ticks: shorter rounds cannot be judged (the --calls a test uses). */
const MIN_JUDGED_ROUND_MS = 100;
const MB = 1024 * 1024;

interface Target {
  label: 'ours' | 'bare';
  server: ChildServer;
  url: string;
  call: { name: string; args: Record<string, unknown> };
}

interface Throughput {
  callsPerSecond: number;
  errors: number;
  calls: number;
  timedOut: boolean;
  /** Server CPU per call over the kept rounds, undefined off Linux. */
  serverUsPerCall: number | undefined;
  /** Rounds kept although other processes were busy (the retry budget ran out). */
  contended: number;
  /** Rounds run again because of contention. */
  retried: number;
}

interface Round {
  callsPerSecond: number;
  errors: number;
  calls: number;
  timedOut: boolean;
  /** Server CPU seconds in the round, undefined off Linux. */
  serverSeconds: number | undefined;
  contended: boolean;
}

/** One throughput round, with who else used the CPU meanwhile. */
async function measuredRound(t: Target, pool: McpHttpConnection[], load: Parameters<typeof runLoad>[1]): Promise<Round> {
  const t0 = performance.now();
  const stop = startCpuShare(t.server.pid, () => performance.now() - t0);
  const res = await runLoad(pool, load);
  const share = stop();
  const judged = share !== undefined && res.elapsedMs >= MIN_JUDGED_ROUND_MS;
  return {
    callsPerSecond: res.callsPerSecond,
    errors: res.errors,
    calls: res.calls,
    timedOut: res.timedOut,
    serverSeconds: share?.serverSeconds,
    contended: judged && share.others > CONTENDED_CORES,
  };
}

/** Server CPU per call over rounds: summed, since one short round holds only a few 10 ms ticks. */
function usPerCall(rounds: readonly Round[]): number | undefined {
  let seconds = 0;
  let calls = 0;
  for (const r of rounds) {
    if (r.serverSeconds === undefined) return undefined;
    seconds += r.serverSeconds;
    calls += r.calls;
  }
  return calls > 0 ? (seconds * 1e6) / calls : undefined;
}

async function startOurs(opts: BenchOptions): Promise<Target> {
  const port = await freePort();
  const server = spawnServer(opts.ours.http(port), opts.ours.env);
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${base}/health/ready`, server, START_TIMEOUT_MS);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { label: 'ours', server, url: `${base}/mcp`, call: OUR_CALL };
}

async function startBare(opts: BenchOptions): Promise<Target> {
  const port = await freePort();
  const server = spawnServer(opts.bare.concat('--http', '--port', String(port)));
  const url = `http://127.0.0.1:${port}/mcp`;
  try {
    await waitForHttp(url, server, START_TIMEOUT_MS, true);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { label: 'bare', server, url, call: BARE_CALL };
}

/** Calls per second of each target at `connections`, measured in alternating rounds. */
async function throughputSideBySide(targets: Target[], connections: number, opts: BenchOptions): Promise<Throughput[]> {
  const load = (t: Target, calls: number) => ({
    calls,
    timeLimitMs: opts.phaseTimeLimitMs,
    tool: t.call.name,
    args: t.call.args,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  });
  const pools: McpHttpConnection[][] = [];
  try {
    for (const t of targets) pools.push(await openConnections(t.url, connections, REQUEST_TIMEOUT_MS));
    const warmup = Math.max(Math.min(MIN_WARMUP_CALLS, opts.calls), WARMUP_CALLS_PER_CONNECTION * connections);
    for (const [i, t] of targets.entries()) await runLoad(pools[i]!, load(t, warmup));
    const rounds = targets.map(() => [] as Round[]);
    const retried = targets.map(() => 0);
    const perRound = Math.max(1, Math.ceil(opts.calls / ROUNDS));
    for (let r = 0; r < ROUNDS; r++) {
      for (const [i, t] of targets.entries()) {
        let round = await measuredRound(t, pools[i]!, load(t, perRound));
        while (round.contended && retried[i]! < RETRIES_PER_SERVER) {
          retried[i]!++;
          await waitForQuiet(CONTENDED_CORES, QUIET_WINDOW_MS, QUIET_WAIT_MS);
          round = await measuredRound(t, pools[i]!, load(t, perRound));
        }
        rounds[i]!.push(round);
      }
    }
    return rounds.map((rs, i) => {
      const mid = [...rs].sort((a, b) => a.callsPerSecond - b.callsPerSecond)[Math.floor(rs.length / 2)]!;
      return {
        callsPerSecond: mid.callsPerSecond,
        errors: rs.reduce((n, x) => n + x.errors, 0),
        calls: rs.reduce((n, x) => n + x.calls, 0),
        timedOut: rs.some((x) => x.timedOut),
        serverUsPerCall: usPerCall(rs),
        contended: rs.filter((x) => x.contended).length,
        retried: retried[i]!,
      };
    });
  } finally {
    await Promise.all(pools.map((p) => closeConnections(p)));
  }
}

export const httpSection: BenchSection = {
  name: NAME,
  title: TITLE,
  transport: 'http',
  async run(opts: BenchOptions): Promise<BenchSectionResult> {
    const memory = new Map<'ours' | 'bare', MemoryProfile>();
    const throughput = new Map<number, Throughput[]>();
    // Memory on a fresh process of each, alone; then throughput on two more fresh
    // processes, so neither figure inherits the other's heap.
    const widest = Math.max(...opts.concurrency);
    for (const start of [startOurs, startBare]) {
      const t = await start(opts);
      try {
        const run = {
          checkpoints: opts.rssCheckpoints,
          connections: widest,
          timeLimitMs: opts.phaseTimeLimitMs,
          requestTimeoutMs: REQUEST_TIMEOUT_MS,
          onLine: opts.onLine,
          label: t.label,
        };
        memory.set(t.label, await measureMemory({ pid: t.server.pid, url: t.url, call: t.call }, run));
      } finally {
        await t.server.stop();
      }
    }
    const targets: Target[] = [];
    try {
      targets.push(await startOurs(opts), await startBare(opts));
      for (const c of opts.concurrency) {
        opts.onLine(`http: ${opts.calls} calls each over ${c} connection(s), ours and bare alternating in ${ROUNDS} rounds...`);
        throughput.set(c, await throughputSideBySide(targets, c, opts));
      }
    } finally {
      await Promise.all(targets.map((t) => t.server.stop()));
    }
    opts.onLine('http: load generator ceiling against a canned responder...');
    const ceiling = await measureCeiling(opts.concurrency, opts.calls, opts.phaseTimeLimitMs);
    return { name: NAME, title: TITLE, ...tabulate(opts, throughput, memory.get('ours')!, memory.get('bare')!, ceiling) };
  },
};

function tabulate(
  opts: BenchOptions,
  throughput: Map<number, Throughput[]>,
  ours: MemoryProfile,
  bare: MemoryProfile,
  ceiling: Map<number, number>,
) {
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  for (const c of opts.concurrency) {
    const [o, f] = throughput.get(c)!;
    rows.push(
      compareRow(`calls/s @${c} conn`, 'calls/s', o!.callsPerSecond, f!.callsPerSecond, { text: 'ratio >= 2', met: (r) => r >= 2 }),
    );
    if (o!.errors || f!.errors) notes.push(`@${c} conn: ${o!.errors} error(s) from ours, ${f!.errors} from bare`);
    if (o!.timedOut || f!.timedOut) notes.push(`@${c} conn: the time limit ended a run early (ours ${o!.calls}, bare ${f!.calls} calls)`);
    if (o!.serverUsPerCall !== undefined && f!.serverUsPerCall !== undefined) {
      notes.push(
        `@${c} conn: server CPU per call ours ${o!.serverUsPerCall.toFixed(0)} µs, bare ${f!.serverUsPerCall.toFixed(0)} µs (over the rounds; other load moves it far less than calls/s)`,
      );
    }
    if (o!.retried || f!.retried)
      notes.push(
        `@${c} conn: rounds run again because other processes used over ${CONTENDED_CORES} of a core: ours ${o!.retried}, bare ${f!.retried}`,
      );
    if (o!.contended || f!.contended) {
      notes.push(
        `@${c} conn: still contended once the retry budget (${RETRIES_PER_SERVER} per server) ran out: ours ${o!.contended}, bare ${f!.contended} of ${ROUNDS} rounds; calls/s there understates the server (the machine is busy)`,
      );
    }
  }
  for (const c of opts.concurrency) rows.push({ metric: `client ceiling @${c} conn`, unit: 'calls/s', ours: ceiling.get(c) ?? Number.NaN });
  notes.push(`calls/s: median of ${ROUNDS} rounds alternating between the two servers`);
  notes.push('client ceiling: the same load generator against a canned JSON responder; server figures near it are client-bound');

  const checkpoints = [...opts.rssCheckpoints].sort((a, b) => a - b);
  const first = checkpoints[0]!;
  const last = checkpoints[checkpoints.length - 1]!;
  for (const cp of checkpoints) {
    rows.push(compareRow(`RSS after ${cp.toLocaleString('en-US')} calls`, 'MB', mbOf(ours.rss.get(cp)), mbOf(bare.rss.get(cp))));
  }
  if (checkpoints.length >= 2) {
    const growth = (m: Map<number, number | undefined>) => {
      const a = m.get(first);
      const b = m.get(last);
      return a && b ? ((b - a) / a) * 100 : Number.NaN;
    };
    const og = growth(ours.rss);
    rows.push({
      metric: `RSS growth ${short(first)} -> ${short(last)}`,
      unit: '%',
      ours: og,
      floor: growth(bare.rss),
      goal: 'ours within 10%',
      met: Math.abs(og) <= 10,
    });
  }
  const windowOf = (cp: number) => `${short(Math.floor(cp * (1 - WINDOW_SHARE)))}-${short(cp)}`;
  for (const cp of checkpoints) {
    rows.push(
      compareRow(`median RSS over calls ${windowOf(cp)}`, 'MB', mbOf(ours.window.get(cp)?.median), mbOf(bare.window.get(cp)?.median)),
    );
  }
  const swings = (m: MemoryProfile) =>
    checkpoints
      .map((cp) => {
        const w = m.window.get(cp);
        return w ? `${mbOf(w.min).toFixed(0)}-${mbOf(w.max).toFixed(0)} MB over ${windowOf(cp)}` : undefined;
      })
      .filter(Boolean)
      .join(', ');
  notes.push(`RSS swings with garbage collection (sampled every ${RSS_SAMPLE_MS} ms): ours ${swings(ours)}; bare ${swings(bare)}`);
  return { rows, notes };
}

function mbOf(bytes: number | undefined): number {
  return bytes === undefined ? Number.NaN : bytes / MB;
}

function short(n: number): string {
  return n >= 1000 && n % 100 === 0 ? `${n / 1000}k` : String(n);
}
