import { summarize } from '../stats.js';
import { StdioRpc } from './stdio-rpc.js';
import type { BenchOptions, BenchRow, BenchSection, BenchSectionResult } from './types.js';
import { BARE_CALL, OUR_CALL } from './workload.js';

// The guide's Performance Baseline: a fresh server over stdio, 2 s to settle (as
// the guide's script sleeps), initialize, then 10 sequential estimate_cost calls:
// avg, min, max (guide: avg < 10 ms, max < 100 ms).

const CALLS = 10;
const START_TIMEOUT_MS = 20_000;

/** The guide's script sleeps 2 s between starting the server and initializing it. */
const GUIDE_SETTLE_MS = 2000;

async function tenCalls(argv: string[], env: Record<string, string>, call: { name: string; args: Record<string, unknown> }) {
  const rpc = await StdioRpc.start(argv, env, START_TIMEOUT_MS, GUIDE_SETTLE_MS);
  try {
    const samples: number[] = [];
    for (let i = 0; i < CALLS; i++) samples.push(await rpc.timeCall(call.name, call.args, 10_000));
    return summarize(samples);
  } finally {
    await rpc.close();
  }
}

const NAME = 'baseline';
const TITLE = `Guide performance baseline: ${CALLS} sequential estimate_cost calls over stdio`;

export const baselineSection: BenchSection = {
  name: NAME,
  title: TITLE,
  transport: 'stdio',
  async run(opts: BenchOptions): Promise<BenchSectionResult> {
    const ours = await tenCalls(opts.ours.stdio, opts.ours.env, OUR_CALL);
    const bare = await tenCalls(opts.bare.concat('--stdio'), {}, BARE_CALL);
    const row = (metric: string, o: number, f: number, goal?: { text: string; met: boolean }): BenchRow => ({
      metric,
      unit: 'ms',
      ours: o,
      floor: f,
      ratio: f > 0 ? o / f : Number.NaN,
      ...(goal && { goal: goal.text, met: goal.met }),
    });
    return {
      name: NAME,
      title: TITLE,
      rows: [
        row('avg latency', ours.avg, bare.avg, { text: 'ours < 10 ms', met: ours.avg < 10 }),
        row('min latency', ours.min, bare.min),
        row('max latency', ours.max, bare.max, { text: 'ours < 100 ms', met: ours.max < 100 }),
      ],
    };
  },
};
