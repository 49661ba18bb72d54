import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { trackChild } from './interrupt.js';
import { stopChild } from './processes.js';
import { compareRow } from './types.js';
import { BARE_CALL, OUR_CALL } from './workload.js';
import type { BenchOptions, BenchSection, BenchSectionResult } from './types.js';

// Cold start over stdio: from spawning the process to the answer of an
// `initialize` written at once (what a desktop client waits on), ours against
// the bare SDK server with one tool. The two alternate, one start each per
// round, so load from elsewhere on the machine hits both; each figure is the
// median of its starts. Goal: ours <= 1.2x the bare server.

const NAME = 'cold';
const TITLE = 'stdio cold start: spawn to the initialize answer, ours vs bare SDK server (one tool)';
/** Starts of each server; the median is reported. */
export const COLD_STARTS = 15;
const START_TIMEOUT_MS = 30_000;

const INITIALIZE = `${JSON.stringify({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'llm-pricing-mcp-bench', version: '0' } },
})}\n`;
const INITIALIZED = `${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`;

export interface StartTimes {
  /** ms from spawn to the initialize answer. */
  initialize: number;
  /** ms from spawn to the answer of a tool call sent right behind the initialize. */
  firstCall: number;
}

/**
 * One start: writes initialize, the initialized notification and one tools/call
 * at once (a client that calls as soon as it can), and times both answers.
 */
export function timeStart(
  argv: string[],
  env: Record<string, string>,
  call: { name: string; args: Record<string, unknown> },
  timeoutMs = START_TIMEOUT_MS,
): Promise<StartTimes> {
  const [file, ...args] = argv;
  if (!file) return Promise.reject(new Error('empty server command'));
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = trackChild(spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } }));
    let out = '';
    let err = '';
    let initialize: number | undefined;
    let settled = false;
    const finish = (fail: Error | undefined, times?: StartTimes): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Stopped whatever happened: the bench leaves nothing running.
      void stopChild(child, 1000).then(() => (fail ? reject(fail) : resolve(times!)));
    };
    const timer = setTimeout(() => finish(new Error(`no answers within ${timeoutMs} ms: ${err.trim().slice(-500)}`)), timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const ms = performance.now() - t0;
      out += chunk;
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        let answer: { id?: unknown; result?: { serverInfo?: unknown; isError?: boolean } } | undefined;
        try {
          answer = JSON.parse(line) as typeof answer;
        } catch {
          return finish(new Error(`not JSON on stdout: ${line.slice(0, 200)}`));
        }
        if (answer?.id === 0) {
          if (!answer.result?.serverInfo) return finish(new Error(`initialize failed: ${line.slice(0, 200)}`));
          initialize = ms;
        } else if (answer?.id === 1) {
          if (initialize === undefined) return finish(new Error('the tool call was answered before initialize'));
          if (!answer.result || answer.result.isError) return finish(new Error(`${call.name} failed: ${line.slice(0, 200)}`));
          return finish(undefined, { initialize, firstCall: ms });
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (err = (err + chunk).slice(-2000)));
    child.once('error', (e) => finish(e));
    child.once('exit', (code) => finish(new Error(`server exited with code ${code} before answering: ${err.trim().slice(-500)}`)));
    child.stdin.on('error', () => undefined); // a server that died early: reported through exit
    const callLine = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: call.name, arguments: call.args } });
    child.stdin.write(`${INITIALIZE}${INITIALIZED}${callLine}\n`);
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export const coldStartSection: BenchSection = {
  name: NAME,
  title: TITLE,
  transport: 'stdio',
  async run(opts: BenchOptions): Promise<BenchSectionResult> {
    const starts = opts.coldStarts ?? COLD_STARTS;
    const ours: StartTimes[] = [];
    const bare: StartTimes[] = [];
    opts.onLine(`cold: ${starts} starts of each server, alternating...`);
    for (let i = 0; i < starts; i++) {
      ours.push(await timeStart(opts.ours.stdio, opts.ours.env, OUR_CALL));
      bare.push(await timeStart(opts.bare.concat('--stdio'), {}, BARE_CALL));
    }
    const med = (xs: StartTimes[], k: keyof StartTimes) => median(xs.map((x) => x[k]));
    return {
      name: NAME,
      title: `${TITLE}, ${starts} starts each`,
      rows: [
        compareRow('initialize answered (median)', 'ms', med(ours, 'initialize'), med(bare, 'initialize'), {
          text: 'ratio <= 1.2',
          met: (r) => r <= 1.2,
        }),
        compareRow(
          'initialize answered (fastest)',
          'ms',
          Math.min(...ours.map((x) => x.initialize)),
          Math.min(...bare.map((x) => x.initialize)),
        ),
        compareRow('first tool call answered (median)', 'ms', med(ours, 'firstCall'), med(bare, 'firstCall')),
      ],
      notes: [
        'from spawn; initialize, initialized and one tool call written at once (ours: estimate_cost, bare: its trivial tool)',
        'ours answers initialize first, then loads its price catalog and warms up; the tool call waits for that, so its row carries it',
      ],
    };
  },
};
