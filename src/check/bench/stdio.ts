import { summarize } from '../stats.js';
import { StdioRpc } from './stdio-rpc.js';
import { compareRow } from './types.js';
import type { BenchOptions, BenchSection, BenchSectionResult } from './types.js';
import { BARE_CALL, OUR_CALL } from './workload.js';

// Latency of many sequential calls over stdio: our estimate_cost against the
// bare SDK server's trivial tool. Goal: p99 ratio <= 1.5.

const WARMUP_CALLS = 200;
const START_TIMEOUT_MS = 20_000;

async function sequential(argv: string[], env: Record<string, string>, call: { name: string; args: Record<string, unknown> }, opts: BenchOptions) {
  const rpc = await StdioRpc.start(argv, env, START_TIMEOUT_MS);
  try {
    for (let i = 0; i < WARMUP_CALLS; i++) await rpc.timeCall(call.name, call.args, 10_000);
    const samples: number[] = [];
    const deadline = Date.now() + opts.phaseTimeLimitMs;
    for (let i = 0; i < opts.calls && Date.now() < deadline; i++) samples.push(await rpc.timeCall(call.name, call.args, 10_000));
    return summarize(samples);
  } finally {
    await rpc.close();
  }
}

const NAME = 'stdio';
const TITLE = 'stdio: sequential tool calls, ours (estimate_cost) vs bare SDK server (trivial tool)';

export const stdioSection: BenchSection = {
  name: NAME,
  title: TITLE,
  transport: 'stdio',
  async run(opts: BenchOptions): Promise<BenchSectionResult> {
    opts.onLine(`stdio: ${opts.calls} sequential calls to our server...`);
    const ours = await sequential(opts.ours.stdio, opts.ours.env, OUR_CALL, opts);
    opts.onLine(`stdio: ${opts.calls} sequential calls to the bare SDK server...`);
    const bare = await sequential(opts.bare.concat('--stdio'), {}, BARE_CALL, opts);
    return {
      name: NAME,
      title: `${TITLE}, ${ours.count} calls`,
      rows: [
        compareRow('p50 latency', 'ms', ours.p50, bare.p50),
        compareRow('p99 latency', 'ms', ours.p99, bare.p99, { text: 'ratio <= 1.5', met: (r) => r <= 1.5 }),
      ],
    };
  },
};
