import { describe, expect, it } from 'vitest';
import { Analysis } from '../../src/deploy/analysis.js';
import type { AnalysisVerdict } from '../../src/deploy/analysis.js';
import { Target } from '../../src/deploy/router/target.js';
import { waitFor } from '../support/wait.js';

// The post-switch watch reads a colour's cumulative counts from the router; here a router Target's
// counts are moved by hand the way the router moves them (read the way the controller reads them
// over the control socket), and the verdicts are checked.
function watch(opts: Partial<ConstructorParameters<typeof Analysis>[1]> = {}) {
  const target = new Target('green');
  target.counts.requests = 1000; // before the switch: not part of the window
  target.counts.serverErrors = 900;
  let reads = 0;
  const source = {
    colour: 'green' as const,
    counts: () => {
      reads++;
      return Promise.resolve({ ...target.counts });
    },
    inspect: (on: boolean) => {
      target.inspectBodies = on;
      return Promise.resolve();
    },
  };
  const verdicts: AnalysisVerdict[] = [];
  const a = new Analysis(source, { windowMs: 60_000, maxErrorRate: 0.1, minRequests: 20, tickMs: 10, ...opts }, (v) => verdicts.push(v));
  // A read starts each tick and the next read starts after that tick's verdict: two more reads
  // mean a whole tick has judged the counts as they are now.
  const ticked = () => {
    const until = reads + 2;
    return waitFor('a tick of the analysis', () => (reads >= until ? true : undefined));
  };
  return { target, a, verdicts, ticked };
}

describe('post-switch analysis', () => {
  it('fails once the error rate since the switch is above the limit with enough requests', async () => {
    const { target, a, verdicts, ticked } = watch();
    expect(target.inspectBodies).toBe(true);
    target.counts.requests += 10;
    target.counts.serverErrors += 10;
    await ticked();
    expect(verdicts).toEqual([]); // 10 requests: below the minimum
    target.counts.requests += 20;
    target.counts.rpcErrors += 2;
    await waitFor('a verdict', () => verdicts[0]);
    expect(verdicts).toHaveLength(1);
    expect(verdicts[0]).toMatchObject({ passed: false, requests: 30, errors: 12 });
    expect(verdicts[0]!.reason).toMatch(/error rate 40.0% \(12 of 30 requests\) is above 10.0%/);
    expect(a.active).toBe(false);
    expect(target.inspectBodies).toBe(false);
  });

  it('passes at the end of the window when errors stay under the limit', async () => {
    const { target, verdicts } = watch({ windowMs: 100 });
    target.counts.requests += 100;
    target.counts.serverErrors += 5;
    await waitFor('the verdict at the end of the window', () => verdicts[0]);
    expect(verdicts).toHaveLength(1);
    expect(verdicts[0]).toMatchObject({ passed: true, requests: 100, errors: 5 });
  });

  it('fails on a crash, and says nothing after being cancelled', async () => {
    const crashed = watch();
    crashed.a.crashed('exit code 1');
    expect(crashed.verdicts[0]).toMatchObject({ passed: false });
    expect(crashed.verdicts[0]!.reason).toMatch(/crashed during the analysis window \(exit code 1\)/);
    const cancelled = watch();
    const beside = watch(); // the same tick, not cancelled: its ticks say how long to wait
    cancelled.a.cancel();
    cancelled.target.counts.requests += 100;
    cancelled.target.counts.serverErrors += 100;
    await beside.ticked();
    await beside.ticked();
    expect(cancelled.verdicts).toEqual([]);
    beside.a.cancel();
  });

  it('fails on average latency when a latency limit is set', async () => {
    const { target, verdicts } = watch({ maxAvgLatencyMs: 50 });
    target.counts.requests += 20;
    target.counts.latencyMsSum += 20 * 80;
    await waitFor('a verdict', () => verdicts[0]);
    expect(verdicts[0]?.reason).toMatch(/average latency 80.0 ms over 20 requests is above 50 ms/);
  });
});
