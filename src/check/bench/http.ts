import { measureCeiling } from './ceiling.js';
import { closeConnections, openConnections, runLoad } from './http-load.js';
import { freePort, readRssBytes, spawnServer, waitForHttp } from './processes.js';
import type { ChildServer } from './processes.js';
import { compareRow } from './types.js';
import type { BenchOptions, BenchRow, BenchSection, BenchSectionResult } from './types.js';
import { BARE_CALL, OUR_CALL } from './workload.js';

// Streamable HTTP at /mcp, ours against the bare SDK server on the stock
// stateful transport: server RSS after a number of calls (flat is the goal),
// then tool calls per second at each connection count (each connection its own
// initialized session). Goals: >= 2x the stock throughput, RSS within 10%.

const NAME = 'http';
const TITLE = 'HTTP /mcp: ours (estimate_cost) vs bare SDK server, stock stateful transport (trivial tool)';
const START_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 10_000;
const WARMUP_CALLS_PER_CONNECTION = 50;
const MB = 1024 * 1024;

interface Measured {
  throughput: Map<number, { callsPerSecond: number; errors: number; calls: number; timedOut: boolean }>;
  /** RSS read right after each checkpoint. */
  rss: Map<number, number | undefined>;
  /** RSS sampled over the last WINDOW_SHARE of the calls before each checkpoint. */
  windowRss: Map<number, RssWindow | undefined>;
}

const RSS_SAMPLE_MS = 25;
/** The share of calls before a checkpoint over which RSS is sampled (one reading swings with GC). */
const WINDOW_SHARE = 0.2;

interface RssWindow {
  median: number;
  min: number;
  max: number;
}

/** Samples a process's RSS every RSS_SAMPLE_MS until stopped; resolves with median, min and max. */
function sampleRss(pid: number) {
  const samples: number[] = [];
  const take = () =>
    void readRssBytes(pid).then((v) => {
      if (v !== undefined) samples.push(v);
    });
  take();
  const timer = setInterval(take, RSS_SAMPLE_MS);
  return async (): Promise<RssWindow | undefined> => {
    clearInterval(timer);
    const last = await readRssBytes(pid);
    if (last !== undefined) samples.push(last);
    if (samples.length === 0) return undefined;
    const sorted = [...samples].sort((x, y) => x - y);
    return { median: sorted[Math.floor(sorted.length / 2)]!, min: sorted[0]!, max: sorted[sorted.length - 1]! };
  };
}

async function measure(server: ChildServer, url: string, call: { name: string; args: Record<string, unknown> }, opts: BenchOptions, label: string): Promise<Measured> {
  const out: Measured = { throughput: new Map(), rss: new Map(), windowRss: new Map() };
  const load = (calls: number) => ({ calls, timeLimitMs: opts.phaseTimeLimitMs, tool: call.name, args: call.args, requestTimeoutMs: REQUEST_TIMEOUT_MS });
  const widest = Math.max(...opts.concurrency);

  // Memory first, from a fresh process: cumulative calls up to each checkpoint.
  let total = 0;
  const conns = await openConnections(url, widest, REQUEST_TIMEOUT_MS);
  try {
    for (const checkpoint of [...opts.rssCheckpoints].sort((x, y) => x - y)) {
      if (checkpoint <= total) {
        out.rss.set(checkpoint, undefined);
        continue;
      }
      opts.onLine(`http ${label}: calls ${total} -> ${checkpoint} over ${widest} connections...`);
      const windowStart = Math.max(total, Math.floor(checkpoint * (1 - WINDOW_SHARE)));
      if (windowStart > total) total += (await runLoad(conns, load(windowStart - total))).calls;
      const median = sampleRss(server.pid);
      total += (await runLoad(conns, load(checkpoint - total))).calls;
      out.windowRss.set(checkpoint, await median());
      out.rss.set(checkpoint, total >= checkpoint ? await readRssBytes(server.pid) : undefined);
    }
  } finally {
    await closeConnections(conns);
  }

  for (const c of opts.concurrency) {
    opts.onLine(`http ${label}: ${opts.calls} calls over ${c} connection(s)...`);
    const phase = await openConnections(url, c, REQUEST_TIMEOUT_MS);
    try {
      await runLoad(phase, load(WARMUP_CALLS_PER_CONNECTION * c));
      const r = await runLoad(phase, load(opts.calls));
      out.throughput.set(c, { callsPerSecond: r.callsPerSecond, errors: r.errors, calls: r.calls, timedOut: r.timedOut });
    } finally {
      await closeConnections(phase);
    }
  }
  return out;
}

async function startOurs(opts: BenchOptions): Promise<{ server: ChildServer; url: string }> {
  const port = await freePort();
  const server = spawnServer(opts.ours.http(port), opts.ours.env);
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${base}/health/ready`, server, START_TIMEOUT_MS);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { server, url: `${base}/mcp` };
}

async function startBare(opts: BenchOptions): Promise<{ server: ChildServer; url: string }> {
  const port = await freePort();
  const server = spawnServer(opts.bare.concat('--http', '--port', String(port)));
  const url = `http://127.0.0.1:${port}/mcp`;
  try {
    await waitForHttp(url, server, START_TIMEOUT_MS, true);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { server, url };
}

export const httpSection: BenchSection = {
  name: NAME,
  title: TITLE,
  transport: 'http',
  async run(opts: BenchOptions): Promise<BenchSectionResult> {
    const ours = await startOurs(opts);
    let oursM: Measured;
    try {
      oursM = await measure(ours.server, ours.url, OUR_CALL, opts, 'ours');
    } finally {
      await ours.server.stop();
    }
    const bare = await startBare(opts);
    let bareM: Measured;
    try {
      bareM = await measure(bare.server, bare.url, BARE_CALL, opts, 'bare');
    } finally {
      await bare.server.stop();
    }

    opts.onLine('http: load generator ceiling against a canned responder...');
    const ceiling = await measureCeiling(opts.concurrency, opts.calls, opts.phaseTimeLimitMs);

    const rows: BenchRow[] = [];
    const notes: string[] = [];
    for (const c of opts.concurrency) {
      const o = oursM.throughput.get(c)!;
      const f = bareM.throughput.get(c)!;
      rows.push(compareRow(`calls/s @${c} conn`, 'calls/s', o.callsPerSecond, f.callsPerSecond, { text: 'ratio >= 2', met: (r) => r >= 2 }));
      if (o.errors || f.errors) notes.push(`@${c} conn: ${o.errors} error(s) from ours, ${f.errors} from bare`);
      if (o.timedOut || f.timedOut) notes.push(`@${c} conn: the time limit ended a run early (ours ${o.calls}, bare ${f.calls} calls)`);
    }
    for (const c of opts.concurrency) rows.push({ metric: `client ceiling @${c} conn`, unit: 'calls/s', ours: ceiling.get(c) ?? Number.NaN });
    notes.push('client ceiling: the same load generator against a canned JSON responder; server figures near it are client-bound');
    const checkpoints = [...opts.rssCheckpoints].sort((a, b) => a - b);
    const first = checkpoints[0]!;
    const last = checkpoints[checkpoints.length - 1]!;
    for (const cp of checkpoints) {
      rows.push(compareRow(`RSS after ${cp.toLocaleString('en-US')} calls`, 'MB', mbOf(oursM.rss.get(cp)), mbOf(bareM.rss.get(cp))));
    }
    if (checkpoints.length >= 2) {
      const growth = (m: Map<number, number | undefined>) => {
        const a = m.get(first);
        const b = m.get(last);
        return a && b ? ((b - a) / a) * 100 : Number.NaN;
      };
      const og = growth(oursM.rss);
      rows.push({ metric: `RSS growth ${short(first)} -> ${short(last)}`, unit: '%', ours: og, floor: growth(bareM.rss), goal: 'ours within 10%', met: Math.abs(og) <= 10 });
    }
    const windowOf = (cp: number) => `${short(Math.floor(cp * (1 - WINDOW_SHARE)))}-${short(cp)}`;
    for (const cp of checkpoints) {
      rows.push(compareRow(`median RSS over calls ${windowOf(cp)}`, 'MB', mbOf(oursM.windowRss.get(cp)?.median), mbOf(bareM.windowRss.get(cp)?.median)));
    }
    const swings = (m: Measured) =>
      checkpoints
        .map((cp) => {
          const w = m.windowRss.get(cp);
          return w ? `${mbOf(w.min).toFixed(0)}-${mbOf(w.max).toFixed(0)} MB over ${windowOf(cp)}` : undefined;
        })
        .filter(Boolean)
        .join(', ');
    notes.push(`RSS swings with garbage collection (sampled every ${RSS_SAMPLE_MS} ms): ours ${swings(oursM)}; bare ${swings(bareM)}`);
    return { name: NAME, title: TITLE, rows, ...(notes.length > 0 && { notes }) };
  },
};

function mbOf(bytes: number | undefined): number {
  return bytes === undefined ? Number.NaN : bytes / MB;
}

function short(n: number): string {
  return n >= 1000 && n % 100 === 0 ? `${n / 1000}k` : String(n);
}
