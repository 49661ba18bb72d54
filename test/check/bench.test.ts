import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatBench, runBench, selectSections } from '../../src/check/bench/run.js';
import { sections } from '../../src/check/bench/sections.js';
import type { BenchOptions } from '../../src/check/bench/types.js';
import { CLI, FIXTURE, ROOT, runCli } from './helpers.js';

// The bench's smoke test: every section runs end to end on tiny numbers, with
// the fixture standing in for our server (same tool, same endpoints) and the
// compiled bare SDK server and echo server as floors. Figures are never
// asserted (the machine is shared), only that each is measured, and nothing
// here is timed: each run is bounded by its own event-driven limits.

const BARE = join(ROOT, 'dist', 'check', 'bench', 'bare-server.js');

function smallRun(lines: string[]): Omit<BenchOptions, 'bare'> & { bare: string[] } {
  return {
    calls: 20,
    concurrency: [1, 2],
    rssCheckpoints: [200, 400],
    phaseTimeLimitMs: 20_000,
    coldStarts: 1,
    httpRoundMs: 150,
    ours: {
      stdio: [process.execPath, FIXTURE],
      http: (port) => [process.execPath, FIXTURE, '--http', '--port', String(port)],
      env: {},
    },
    bare: [process.execPath, BARE],
    onLine: (l) => lines.push(l),
  };
}

describe('bench', () => {
  it('selects sections by transport and name, and rejects unknown names', () => {
    expect(selectSections({ transports: ['stdio'], names: [] }).map((s) => s.name)).toEqual(['baseline', 'cold', 'stdio']);
    expect(selectSections({ transports: ['http'], names: [] }).map((s) => s.name)).toContain('http');
    expect(selectSections({ transports: [], names: ['stdio'] }).map((s) => s.name)).toEqual(['stdio']);
    expect(() => selectSections({ transports: [], names: ['nope'] })).toThrow(/unknown bench section/);
    for (const s of sections) expect(typeof s.run).toBe('function');
  });

  it('measures every row beside the floor, over stdio and HTTP', async () => {
    expect(existsSync(BARE), 'build first: npx tsc -p tsconfig.build.json').toBe(true);
    const lines: string[] = [];
    const chosen = selectSections({ transports: [], names: ['baseline', 'cold', 'stdio', 'http'] });
    const results = await runBench(chosen, smallRun(lines));
    expect(results.map((r) => r.skipped)).toEqual([undefined, undefined, undefined, undefined]);
    const [baseline, cold, stdio, http] = results;
    expect(baseline!.rows.map((r) => r.metric)).toEqual(['avg latency', 'min latency', 'max latency']);
    expect(cold!.rows.map((r) => r.metric)).toEqual([
      'initialize answered (median)',
      'initialize answered (fastest)',
      'first tool call answered (median)',
    ]);
    expect(stdio!.rows.map((r) => r.metric)).toEqual(['p50 latency', 'p99 latency']);
    expect(http!.rows.map((r) => r.metric)).toEqual([
      'calls/s @1 conn, ours vs echo',
      'calls/s @1 conn, ours vs stock SDK',
      'calls/s @2 conn, ours vs echo',
      'calls/s @2 conn, ours vs stock SDK',
      'client ceiling @2 conn, vs ours',
      'ours RSS after 200 calls',
      'ours RSS after 400 calls',
      'ours median RSS over calls 160-200',
      'ours median RSS over calls 320-400',
      'ours RSS growth 200 -> 400 (window medians)',
    ]);
    for (const r of results.flatMap((s) => s.rows)) {
      expect(Number.isFinite(r.ours), r.metric).toBe(true);
      if (r.ratio !== undefined) expect(Number.isFinite(r.ratio), r.metric).toBe(true);
    }
    expect(cold!.rows[0]!.goal).toBe('ratio <= 1.2');
    expect(stdio!.rows[1]!.goal).toBe('ratio <= 1.5');
    expect(typeof stdio!.rows[1]!.met).toBe('boolean');
    expect(http!.rows.find((r) => r.metric === 'calls/s @2 conn, ours vs echo')!.goal).toBe('ratio >= 0.4');
    expect(http!.notes ?? []).not.toContainEqual(expect.stringMatching(/failed calls/));
    // The ceiling is measured against the echo, with the rate reached there as its lower bound.
    expect(http!.notes ?? []).toContainEqual(expect.stringMatching(/client CPU per request [\d.]+ µs against the echo .* lower bound/));
    const table = formatBench(results).join('\n');
    expect(table).toMatch(/HTTP: .*\n\s+metric\s+ours\s+floor\s+ratio\s+goal/);
    expect(table).toMatch(/p99 latency\s+[\d.]+ ms\s+[\d.]+ ms\s+[\d.]+x\s+ratio <= 1\.5 \[(MET|MISSED)\]/);
    expect(lines.some((l) => l.startsWith('[bench] http'))).toBe(true);
  }, 240_000);

  it('formats rows of any unit a section brings, with ratio and goal', () => {
    const lines = formatBench([
      {
        name: 'router',
        title: 'through the router',
        rows: [
          {
            metric: 'req/s @16',
            unit: 'req/s',
            ours: 4258.105959548003,
            floor: 14389.959979037905,
            ratio: 0.2959,
            goal: 'ratio >= 0.5',
            met: false,
          },
          { metric: 'switch', unit: 'ms', ours: 0.0123 },
          { metric: 'odd', unit: 'widgets', ours: 3.14159265 },
        ],
      },
    ]);
    expect(lines).toContain('ROUTER: through the router');
    expect(lines.find((l) => l.includes('req/s @16'))).toMatch(/4,258 req\/s\s+14,390 req\/s\s+0\.30x\s+ratio >= 0\.5 \[MISSED\]$/);
    expect(lines.find((l) => l.includes('switch'))).toMatch(/0\.01 ms\s+-\s+-$/);
    expect(lines.find((l) => l.includes('odd'))).toContain('3.14 widgets');
  });

  it('reports a section that cannot start its server as skipped, with the reason', async () => {
    const run = smallRun([]);
    run.ours = { ...run.ours, stdio: [process.execPath, FIXTURE, '--mode', 'crash-at-start'] };
    const [baseline] = await runBench(selectSections({ transports: [], names: ['baseline'] }), run);
    expect(baseline!.skipped).toMatch(/exited with code 1/);
    expect(formatBench([baseline!]).join('\n')).toContain('[SKIPPED]');
  });

  it('CLI: the guide baseline against our built server, as JSON', async () => {
    const r = await runCli(['bench', '--section', 'baseline', '--json'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      sections: Array<{ name: string; skipped?: string; rows: Array<{ metric: string; ours: number; floor: number; ratio: number }> }>;
    };
    expect(out.sections).toHaveLength(1);
    expect(out.sections[0]!.skipped).toBeUndefined();
    expect(out.sections[0]!.rows.map((row) => row.metric)).toEqual(['avg latency', 'min latency', 'max latency']);
    for (const row of out.sections[0]!.rows) expect(row.ours).toBeGreaterThan(0);
  });

  it('CLI: --help, and bad flags exit 2 with a clear message', async () => {
    const help = await runCli(['bench', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--concurrency <list>');
    const bad = await runCli(['bench', '--calls', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--calls must be a whole number');
    const unknown = await runCli(['bench', '--section', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown bench section(s): nope');
  });
  it('CLI: SIGTERM mid-run stops the servers it started and removes its temp dir', async () => {
    const benchDirs = () =>
      readdirSync(tmpdir())
        .filter((d) => d.startsWith('llm-pricing-bench-'))
        .map((d) => join(tmpdir(), d));
    const before = benchDirs();
    const bench = spawn(process.execPath, [CLI, 'bench', '--section', 'http', '--round', '5s'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const started = new Promise<void>((resolve, reject) => {
      bench.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
        if (/rounds of/.test(stderr)) resolve();
      });
      bench.once('exit', () => reject(new Error(`bench ended before its rounds: ${stderr}`)));
    });
    const exited = new Promise<number | null>((r) => bench.once('exit', (code) => r(code)));
    await started;
    // Its children, by parent pid, and the temp dir it made.
    const children = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1] === String(bench.pid);
        } catch {
          return false;
        }
      });
    const dirs = benchDirs().filter((d) => !before.includes(d));
    expect(children.length).toBeGreaterThan(0);
    expect(dirs).toHaveLength(1);
    bench.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(stderr).toContain('bench: SIGTERM: stopping what it started');
    for (const pid of children) expect(existsSync(`/proc/${pid}`), `child ${pid}`).toBe(false);
    for (const dir of dirs) expect(existsSync(dir), dir).toBe(false);
  });
});
