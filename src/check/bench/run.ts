import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmtMs } from '../stats.js';
import { cleanUpOnInterrupt, onInterrupt } from './interrupt.js';
import { sections as allSections } from './sections.js';
import type { BenchOptions, BenchRow, BenchSection, BenchSectionResult, BenchTransport } from './types.js';
import { bareServerArgv, ourServerCommands } from './workload.js';

// Runs the chosen bench sections one after another (never in parallel: they
// would time each other) and renders their rows as one table.

export const DEFAULT_CALLS = 5000;
export const DEFAULT_CONCURRENCY = [1, 32];
export const DEFAULT_RSS_CHECKPOINTS = [10_000, 100_000];
export const DEFAULT_PHASE_TIME_LIMIT_MS = 60_000;

export interface BenchSelection {
  /** Sections by transport (none = all). */
  transports: BenchTransport[];
  /** Sections by name (none = all of the chosen transports). */
  names: string[];
}

export function selectSections(sel: BenchSelection, available: BenchSection[] = allSections): BenchSection[] {
  const unknown = sel.names.filter((n) => !available.some((s) => s.name === n));
  if (unknown.length > 0)
    throw new Error(`unknown bench section(s): ${unknown.join(', ')} (have: ${available.map((s) => s.name).join(', ')})`);
  return available.filter(
    (s) => (sel.names.length === 0 || sel.names.includes(s.name)) && (sel.transports.length === 0 || sel.transports.includes(s.transport)),
  );
}

export type BenchRunOptions = Omit<BenchOptions, 'ours' | 'bare'> & Partial<Pick<BenchOptions, 'ours' | 'bare'>>;

/** Runs the sections; a section that throws is reported as skipped with the reason, the rest still run. */
export async function runBench(chosen: BenchSection[], run: BenchRunOptions): Promise<BenchSectionResult[]> {
  const stopHandling = cleanUpOnInterrupt();
  const telemetryDir = await mkdtemp(join(tmpdir(), 'llm-pricing-bench-'));
  const forget = onInterrupt(() => rm(telemetryDir, { recursive: true, force: true }));
  const opts: BenchOptions = { ...run, ours: run.ours ?? ourServerCommands(telemetryDir), bare: run.bare ?? bareServerArgv() };
  const results: BenchSectionResult[] = [];
  try {
    for (const section of chosen) {
      opts.onLine(`[bench] ${section.name}: ${section.title}`);
      try {
        results.push(await section.run(opts));
      } catch (err) {
        results.push({ name: section.name, title: section.title, rows: [], skipped: err instanceof Error ? err.message : String(err) });
      }
    }
  } finally {
    await rm(telemetryDir, { recursive: true, force: true });
    forget();
    stopHandling();
  }
  return results;
}

/** The table: one block per section, columns metric | ours | floor | ratio | goal. */
export function formatBench(results: BenchSectionResult[]): string[] {
  const lines: string[] = [];
  const header = ['metric', 'ours', 'floor', 'ratio', 'goal'];
  for (const r of results) {
    lines.push('', `${r.name.toUpperCase()}: ${r.title}`);
    if (r.skipped) {
      lines.push(`  [SKIPPED] ${r.skipped}`);
      continue;
    }
    const table = [header, ...r.rows.map(rowCells)];
    const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
    for (const row of table)
      lines.push(`  ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')}`.trimEnd());
    for (const note of r.notes ?? []) lines.push(`  note: ${note}`);
  }
  return lines;
}

function rowCells(row: BenchRow): string[] {
  const value = (n: number | undefined) => (n === undefined ? '-' : formatValue(n, row.unit));
  const goal = row.goal === undefined ? '' : `${row.goal} ${row.met ? '[MET]' : '[MISSED]'}`;
  const ratio = row.ratio === undefined || !Number.isFinite(row.ratio) ? '-' : `${row.ratio.toFixed(2)}x`;
  return [row.metric, value(row.ours), value(row.floor), ratio, goal];
}

function formatValue(n: number, unit: string): string {
  if (!Number.isFinite(n)) return '-';
  if (unit === 'ms') return `${fmtMs(n)} ms`;
  if (unit === 'calls/s') return `${Math.round(n).toLocaleString('en-US')}/s`;
  if (unit === 'MB') return `${n.toFixed(1)} MB`;
  if (unit === '%') return `${n >= 0 ? '+' : ''}${n.toFixed(1)}%`;
  // Units other sections bring (req/s, s, ...): rates as whole numbers, the rest to 3 significant digits.
  if (unit.endsWith('/s')) return `${Math.round(n).toLocaleString('en-US')} ${unit}`;
  return `${Number(n.toPrecision(3)).toLocaleString('en-US', { maximumFractionDigits: 3 })} ${unit}`;
}
