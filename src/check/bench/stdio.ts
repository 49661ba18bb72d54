import { summarize } from '../stats.js';
import { StdioRpc } from './stdio-rpc.js';
import { compareRow } from './types.js';
import type { BenchOptions, BenchSection, BenchSectionResult } from './types.js';
import { BARE_CALL, OUR_CALL } from './workload.js';

// Latency of many sequential calls over stdio: our estimate_cost against the
// bare SDK server's trivial tool. Both servers stay up and the calls alternate
// between them in rounds, so load from elsewhere on the machine hits both.
// Goal: p99 ratio <= 1.5.

const NAME = 'stdio';
const TITLE = 'stdio: sequential tool calls, ours (estimate_cost) vs bare SDK server (trivial tool)';
const WARMUP_CALLS = 200;
const ROUNDS = 5;
const START_TIMEOUT_MS = 20_000;
const CALL_TIMEOUT_MS = 10_000;

export const stdioSection: BenchSection = {
  name: NAME,
  title: TITLE,
  transport: 'stdio',
  async run(opts: BenchOptions): Promise<BenchSectionResult> {
    const servers: Array<{ rpc: StdioRpc; call: { name: string; args: Record<string, unknown> }; samples: number[] }> = [];
    try {
      servers.push({ rpc: await StdioRpc.start(opts.ours.stdio, opts.ours.env, START_TIMEOUT_MS), call: OUR_CALL, samples: [] });
      servers.push({ rpc: await StdioRpc.start(opts.bare.concat('--stdio'), {}, START_TIMEOUT_MS), call: BARE_CALL, samples: [] });
      for (const s of servers) for (let i = 0; i < WARMUP_CALLS; i++) await s.rpc.timeCall(s.call.name, s.call.args, CALL_TIMEOUT_MS);
      opts.onLine(`stdio: ${opts.calls} sequential calls to each server, alternating in ${ROUNDS} rounds...`);
      const perRound = Math.max(1, Math.ceil(opts.calls / ROUNDS));
      const deadline = Date.now() + opts.phaseTimeLimitMs;
      for (let r = 0; r < ROUNDS && Date.now() < deadline; r++) {
        for (const s of servers) {
          for (let i = 0; i < perRound && Date.now() < deadline; i++)
            s.samples.push(await s.rpc.timeCall(s.call.name, s.call.args, CALL_TIMEOUT_MS));
        }
      }
    } finally {
      await Promise.all(servers.map((s) => s.rpc.close()));
    }
    const [ours, bare] = servers.map((s) => summarize(s.samples));
    return {
      name: NAME,
      title: `${TITLE}, ${ours!.count} calls each`,
      rows: [
        compareRow('p50 latency', 'ms', ours!.p50, bare!.p50),
        compareRow('p99 latency', 'ms', ours!.p99, bare!.p99, { text: 'ratio <= 1.5', met: (r) => r <= 1.5 }),
      ],
      notes: [`${ROUNDS} rounds alternating between the two servers, after ${WARMUP_CALLS} warm-up calls each`],
    };
  },
};
