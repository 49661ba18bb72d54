// The shared telemetry directory under real concurrency: several writer
// processes at once, restarts, a crashed writer, and damaged files.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Telemetry } from '../../src/telemetry/telemetry.js';
import { ROOT, cleanupTempDirs, tempDir } from '../mcp/helpers.js';

const CHILD = join(import.meta.dirname, 'writer-child.mjs');

afterAll(cleanupTempDirs);

function runWriter(dir: string, calls: number): Promise<void> {
  if (!existsSync(join(ROOT, 'dist', 'telemetry', 'telemetry.js'))) throw new Error('run `npx tsc -p tsconfig.build.json` first');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, String(calls)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer exited ${code}: ${stderr}`))));
  });
}

async function totalsOf(dir: string) {
  const t = await Telemetry.open({ dir, version: 'test', flushIntervalMs: 0 });
  const totals = t.totals();
  const snap = t.snapshot();
  await t.close();
  return { totals, snap };
}

describe('telemetry store', () => {
  it('keeps every count when many writers run at once and fold each other', async () => {
    const dir = await tempDir();
    const calls = 400;
    // Four at once, then four more starting while the first ones are mid-way.
    const first = [1, 2, 3, 4].map(() => runWriter(dir, calls));
    await new Promise((r) => setTimeout(r, 60));
    const second = [1, 2, 3, 4].map(() => runWriter(dir, calls));
    await Promise.all([...first, ...second]);

    const { totals } = await totalsOf(dir);
    expect(totals.tool_a!.calls).toBe(8 * calls);
    expect(totals.tool_a!.errors).toBe(8 * (calls / 4));
    expect(totals.tool_b!.calls).toBe(8 * (calls / 2));
    // Every writer folded itself in on close: only base.json is left.
    expect((await readdir(dir)).sort()).toEqual(['base.json']);
  });

  it('survives a restart and folds the file of a writer that was killed', async () => {
    const dir = await tempDir();
    const a = await Telemetry.open({ dir, version: 'test', flushIntervalMs: 0 });
    for (let i = 0; i < 10; i++) a.record('estimate_cost', 1, i !== 0);
    await a.close();

    // A writer killed with SIGKILL after its last flush leaves its own file behind.
    const crashed = spawn(process.execPath, [CHILD, dir, '40', '--crash'], { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve) => crashed.stdout.on('data', (c: Buffer) => c.toString().includes('flushed') && resolve()));
    crashed.kill('SIGKILL');
    await new Promise((r) => crashed.on('exit', r));
    expect((await readdir(dir)).filter((f) => f.startsWith('w-'))).toHaveLength(1);

    const { totals, snap } = await totalsOf(dir);
    expect(totals.estimate_cost).toMatchObject({ calls: 10, errors: 1 });
    expect(totals.tool_a!.calls).toBe(40);
    expect(snap.requests_total).toBe(10 + 40 + 20);
    expect(snap.process.requests).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(['base.json']);
  });

  it('ignores damaged writer files and sets a damaged base aside instead of trusting it', async () => {
    const dir = await tempDir();
    const a = await Telemetry.open({ dir, version: 'test', flushIntervalMs: 0 });
    a.record('get_all_pricing', 2, true);
    await a.close();
    await writeFile(join(dir, 'w-garbage.json'), '{"format":1,"writer":');
    await writeFile(join(dir, 'w-wrongshape.json'), JSON.stringify({ format: 1, writer: { id: 'x' }, tools: { t: { calls: -4 } } }));

    const { totals } = await totalsOf(dir);
    expect(totals.get_all_pricing!.calls).toBe(1);
    expect(Object.keys(totals)).toEqual(['get_all_pricing']);

    await writeFile(join(dir, 'base.json'), 'not json at all');
    const b = await Telemetry.open({ dir, version: 'test', flushIntervalMs: 0 });
    b.record('get_all_pricing', 2, true);
    expect(b.snapshot().requests_total).toBe(1);
    await b.close();
    const names = await readdir(dir);
    expect(names.some((n) => n.startsWith('base.json.corrupt-'))).toBe(true);
    expect((await totalsOf(dir)).totals.get_all_pricing!.calls).toBe(1);
  });

  it('keeps counting in memory when the directory cannot be used', async () => {
    const dir = await tempDir();
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    const errors: string[] = [];
    const t = await Telemetry.open({ dir: join(file, 'sub'), version: 'test', flushIntervalMs: 0, onError: (m) => errors.push(m) });
    t.record('estimate_cost', 1, true);
    const snap = t.snapshot();
    expect(snap.requests_total).toBe(1);
    expect(snap.store.persisted).toBe(false);
    expect(snap.store.last_error).toMatch(/telemetry store/);
    expect(errors).toHaveLength(1);
    await t.close();
  });

  it('never counts names that could clash with object internals', async () => {
    const t = await Telemetry.open({ dir: null, version: 'test' });
    t.record('__proto__', 1, true);
    t.record('constructor', 1, true);
    t.record('ok_tool', 1, true);
    expect(t.snapshot().tools.map((x) => x.tool)).toEqual(['ok_tool']);
    await t.close();
  });
});
