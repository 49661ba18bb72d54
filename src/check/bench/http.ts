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
  rss: Map<number, number | undefined>;
}

async function measure(server: ChildServer, url: string, call: { name: string; args: Record<string, unknown> }, opts: BenchOptions, label: string): Promise<Measured> {
  const out: Measured = { throughput: new Map(), rss: new Map() };
  const load = (calls: number) => ({ calls, timeLimitMs: opts.phaseTimeLimitMs, tool: call.name, args: call.args, requestTimeoutMs: REQUEST_TIMEOUT_MS });
  const widest = Math.max(...opts.concurrency);

  // Memory first, from a fresh process: cumulative calls up to each checkpoint.
  let total = 0;
  const conns = await openConnections(url, widest, REQUEST_TIMEOUT_MS);
  try {
    for (const checkpoint of [...opts.rssCheckpoints].sort((a, b) => a - b)) {
      if (checkpoint > total) {
        opts.onLine(`http ${label}: calls ${total} -> ${checkpoint} over ${widest} connections...`);
        const r = await runLoad(conns, load(checkpoint - total));
        total += r.calls;
      }
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

    const rows: BenchRow[] = [];
    const notes: string[] = [];
    for (const c of opts.concurrency) {
      const o = oursM.throughput.get(c)!;
      const f = bareM.throughput.get(c)!;
      rows.push(compareRow(`calls/s @${c} conn`, 'calls/s', o.callsPerSecond, f.callsPerSecond, { text: 'ratio >= 2', met: (r) => r >= 2 }));
      if (o.errors || f.errors) notes.push(`@${c} conn: ${o.errors} error(s) from ours, ${f.errors} from bare`);
      if (o.timedOut || f.timedOut) notes.push(`@${c} conn: the time limit ended a run early (ours ${o.calls}, bare ${f.calls} calls)`);
    }
    const checkpoints = [...opts.rssCheckpoints].sort((a, b) => a - b);
    for (const cp of checkpoints) {
      rows.push(compareRow(`RSS after ${cp.toLocaleString('en-US')} calls`, 'MB', (oursM.rss.get(cp) ?? Number.NaN) / MB, (bareM.rss.get(cp) ?? Number.NaN) / MB));
    }
    if (checkpoints.length >= 2) {
      const growth = (m: Measured) => {
        const first = m.rss.get(checkpoints[0]!);
        const last = m.rss.get(checkpoints[checkpoints.length - 1]!);
        return first && last ? ((last - first) / first) * 100 : Number.NaN;
      };
      const og = growth(oursM);
      const fg = growth(bareM);
      rows.push({
        metric: `RSS growth ${short(checkpoints[0]!)} -> ${short(checkpoints[checkpoints.length - 1]!)}`,
        unit: '%',
        ours: og,
        floor: fg,
        goal: 'ours within 10%',
        met: Math.abs(og) <= 10,
      });
    }
    return { name: NAME, title: TITLE, rows, ...(notes.length > 0 && { notes }) };
  },
};

function short(n: number): string {
  return n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n);
}
