import { closeConnections, openConnections, runLoad } from './http-load.js';
import { readRssBytes } from './processes.js';

// Server memory under HTTP load: cumulative tool calls up to each checkpoint on
// one fresh process, its RSS read right after each checkpoint, and sampled over
// the last stretch before it (one reading swings with garbage collection).

export const RSS_SAMPLE_MS = 25;
/** The share of calls before a checkpoint over which RSS is sampled. */
export const WINDOW_SHARE = 0.2;

export interface RssWindow {
  median: number;
  min: number;
  max: number;
}

export interface MemoryProfile {
  /** RSS read right after each checkpoint. */
  rss: Map<number, number | undefined>;
  /** RSS sampled over the last WINDOW_SHARE of the calls before each checkpoint. */
  window: Map<number, RssWindow | undefined>;
}

/** Samples a process's RSS every RSS_SAMPLE_MS until the returned function is called. */
function sampleRss(pid: number): () => Promise<RssWindow | undefined> {
  const samples: number[] = [];
  const take = () =>
    void readRssBytes(pid).then((v) => {
      if (v !== undefined) samples.push(v);
    });
  take();
  const timer = setInterval(take, RSS_SAMPLE_MS);
  return async () => {
    clearInterval(timer);
    const last = await readRssBytes(pid);
    if (last !== undefined) samples.push(last);
    if (samples.length === 0) return undefined;
    const sorted = [...samples].sort((x, y) => x - y);
    return { median: sorted[Math.floor(sorted.length / 2)]!, min: sorted[0]!, max: sorted[sorted.length - 1]! };
  };
}

export async function measureMemory(
  target: { pid: number; url: string; call: { name: string; args: Record<string, unknown> } },
  run: {
    checkpoints: number[];
    connections: number;
    timeLimitMs: number;
    requestTimeoutMs: number;
    onLine(line: string): void;
    label: string;
  },
): Promise<MemoryProfile> {
  const out: MemoryProfile = { rss: new Map(), window: new Map() };
  const load = (calls: number) => ({
    calls,
    timeLimitMs: run.timeLimitMs,
    tool: target.call.name,
    args: target.call.args,
    requestTimeoutMs: run.requestTimeoutMs,
  });
  let total = 0;
  const conns = await openConnections(target.url, run.connections, run.requestTimeoutMs);
  try {
    for (const checkpoint of [...run.checkpoints].sort((x, y) => x - y)) {
      if (checkpoint <= total) continue;
      run.onLine(`http ${run.label}: calls ${total} -> ${checkpoint} over ${run.connections} connections...`);
      const windowStart = Math.max(total, Math.floor(checkpoint * (1 - WINDOW_SHARE)));
      if (windowStart > total) total += (await runLoad(conns, load(windowStart - total))).calls;
      const stop = sampleRss(target.pid);
      total += (await runLoad(conns, load(checkpoint - total))).calls;
      out.window.set(checkpoint, await stop());
      out.rss.set(checkpoint, total >= checkpoint ? await readRssBytes(target.pid) : undefined);
    }
  } finally {
    await closeConnections(conns);
  }
  return out;
}
