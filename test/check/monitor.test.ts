import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMonitorCheck } from '../../src/check/monitor/check.js';
import { runMonitorWatch } from '../../src/check/monitor/watch.js';
import { loadSpec } from '../../src/check/validate/spec.js';
import type { ValidationSpec } from '../../src/check/validate/spec.js';
import { runCli, startHttpFixture } from './helpers.js';
import type { RunningServer } from './helpers.js';
import { removeScratchDirs, scratchDir } from '../support/scratch.js';

afterAll(removeScratchDirs);

describe('monitor', () => {
  let server: RunningServer;
  let stopped: RunningServer;
  let spec: ValidationSpec;
  beforeAll(async () => {
    spec = await loadSpec();
    [server, stopped] = await Promise.all([startHttpFixture('--version', '2.3.4'), startHttpFixture()]);
    await stopped.stop();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('--check reports server status, module check and the six tools', async () => {
    const r = await runMonitorCheck(server.base, spec, 5000);
    expect(r.ok, r.lines.join('\n')).toBe(true);
    expect(r.lines).toEqual(
      expect.arrayContaining([
        'SERVER STATUS',
        `  Endpoint ${server.base}: [PASS] UP`,
        `  Process Running: [PASS] YES (PID: ${server.pid})`,
        'MODULE CHECK',
        '  pricing catalog: [PASS] loaded (8 models, 4 providers)',
        'AVAILABLE TOOLS (6 of 6)',
        '  [PASS] get_all_pricing',
        '  [PASS] get_telemetry',
        '[SUCCESS] server healthy',
      ]),
    );
    expect(r.lines.find((l) => l.startsWith('  Version:'))).toContain('2.3.4');
    expect(r.lines.find((l) => l.startsWith('  data as of:'))).toContain('2026-11-01');
  });

  it('--check fails with a clear line against a stopped server', async () => {
    const r = await runMonitorCheck(stopped.base, spec, 2000);
    expect(r.ok).toBe(false);
    expect(r.lines).toContain(`  [FAIL] endpoint ${stopped.base} not reachable: ECONNREFUSED`);
  });

  it('--check fails when a tool is missing', async () => {
    const missing = await startHttpFixture('--mode', 'missing-tool');
    try {
      const r = await runMonitorCheck(missing.base, spec, 5000);
      expect(r.ok).toBe(false);
      expect(r.lines).toContain('AVAILABLE TOOLS (5 of 6)');
      expect(r.lines).toContain('  [FAIL] get_use_cases');
    } finally {
      await missing.stop();
    }
  });

  it('continuous: one line per interval, then a summary; stops by itself', async () => {
    const r = await runMonitorWatch({ base: server.base, spec, intervalMs: 300, durationMs: 900, probesPerInterval: 3, timeoutMs: 5000 });
    expect(r.ok, r.lines.join('\n')).toBe(true);
    expect(r.intervals).toHaveLength(3);
    const perInterval = r.lines.filter((l) =>
      /^\d\d:\d\d:\d\d {2}UP {4}tools 6\/6 {2}p50 [\d.]+ ms {2}p95 [\d.]+ ms {2}errors 0\.0% \(0\/3\) {2}rss [\d.]+ MB$/.test(l),
    );
    expect(perInterval, r.lines.join('\n')).toHaveLength(3);
    expect(r.lines).toContain('  Probe calls: 9, errors 0 (0.0%)');
    expect(r.lines.at(-1)).toBe('[SUCCESS] stable over the whole run');
  });

  it('continuous: counts errors and fails above the 10% error rate', async () => {
    const toggle = join(scratchDir('monitor-'), 'fail');
    writeFileSync(toggle, '');
    const bad = await startHttpFixture('--mode', 'errors-after-start', '--fail-file', toggle);
    try {
      const r = await runMonitorWatch({ base: bad.base, spec, intervalMs: 200, durationMs: 400, probesPerInterval: 5, timeoutMs: 5000 });
      expect(r.ok).toBe(false);
      expect(r.summary.errorRate).toBeGreaterThan(0.5);
      expect(r.lines.at(-1)).toMatch(/^\[FAILURE\] error rate [\d.]+% above 10%$/);
    } finally {
      await bad.stop();
    }
  });

  it('continuous: a server restarted between intervals is followed with a new session, no errors', async () => {
    const first = await startHttpFixture();
    const port = new URL(first.url).port;
    let second: RunningServer | undefined;
    let restarted: Promise<void> | undefined;
    try {
      const r = await runMonitorWatch({
        base: first.base,
        spec,
        // The restart (a kill and a fresh node process) must fit between two intervals even on a loaded machine.
        intervalMs: 6000,
        durationMs: 12_000,
        probesPerInterval: 2,
        timeoutMs: 5000,
        onLine: () => {
          // After the first line, crash the server and start another on the same port before the next interval.
          restarted ??= (async () => {
            first.child.kill('SIGKILL');
            await first.stop();
            second = await startHttpFixture('--port', port);
          })();
        },
      });
      await restarted;
      expect(
        r.intervals.map((i) => i.up),
        r.lines.join('\n'),
      ).toEqual([true, true]);
      expect(r.summary.errors, r.lines.join('\n')).toBe(0);
      expect(r.intervals[1]!.tools).toBe(6);
    } finally {
      await first.stop();
      await second?.stop();
    }
  });

  it('continuous: a stopped server is DOWN in every interval', async () => {
    const r = await runMonitorWatch({ base: stopped.base, spec, intervalMs: 200, durationMs: 400, probesPerInterval: 1, timeoutMs: 2000 });
    expect(r.ok).toBe(false);
    expect(r.lines.filter((l) => / {2}DOWN {2}endpoint .* not reachable: ECONNREFUSED$/.test(l))).toHaveLength(2);
  });

  it('CLI: --check exit codes, the interval run, --help and bad flags', async () => {
    const up = await runCli(['monitor', '--url', server.base, '--check']);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(up.stdout).toContain('AVAILABLE TOOLS (6 of 6)');
    const down = await runCli(['monitor', '--url', stopped.base, '--check']);
    expect(down.code).toBe(1);
    expect(down.stdout).toContain(`[FAIL] endpoint ${stopped.base} not reachable: ECONNREFUSED`);
    const watch = await runCli(['monitor', '--url', `${server.base}/mcp`, '--interval', '1', '--duration', '3', '--probes', '2']);
    expect(watch.code, watch.stdout + watch.stderr).toBe(0);
    expect(watch.stdout.split('\n').filter((l) => / {2}UP {4}tools 6\/6/.test(l))).toHaveLength(3);
    expect(watch.stdout).toContain('SUMMARY (3 interval(s)');
    const help = await runCli(['monitor', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--interval <s>');
    for (const args of [
      ['monitor', '--url', server.base],
      ['monitor', '--url', 'nope', '--check'],
      ['monitor', '--url', server.base, '--check', '--interval', '1'],
      ['monitor', '--url', server.base, '--interval', 'soon'],
    ]) {
      const bad = await runCli(args);
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stderr).toMatch(/error: |error: required/);
    }
  });
});
