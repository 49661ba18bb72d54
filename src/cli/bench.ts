import type { Command } from 'commander';
import { printLine } from '../check/stdout.js';
import { EXIT_OK, UsageError, durationFlag, intFlag } from './usage.js';

interface BenchFlags {
  stdio?: boolean;
  http?: boolean;
  section?: string;
  calls?: string;
  concurrency?: string;
  rssAt?: string;
  timeLimit?: string;
  starts?: string;
  round?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('bench')
    .description(
      "measure our server beside a bare SDK server in the same run (the guide's performance baseline, stdio latency, HTTP throughput and memory)",
    )
    .option('--stdio', 'only the stdio sections (baseline, stdio)')
    .option('--http', 'only the HTTP sections')
    .option('--section <names>', 'only these sections, comma-separated')
    .option('--calls <n>', 'sequential stdio calls', '5000')
    .option('--concurrency <list>', 'HTTP connection counts, comma-separated', '1,32')
    .option('--rss-at <list>', 'cumulative HTTP calls at which server RSS is read, comma-separated', '10000,100000')
    .option('--time-limit <duration>', 'cap on any one measurement run', '60s')
    .option('--starts <n>', 'process starts of each server for the cold-start section', '15')
    .option('--round <duration>', 'length of one HTTP throughput round', '2s')
    .option('--json', 'print the results as JSON')
    .action(async (flags: BenchFlags) => {
      const calls = intFlag('--calls', flags.calls, { max: 1_000_000 })!;
      const concurrency = listFlag('--concurrency', flags.concurrency!, 256);
      const rssCheckpoints = listFlag('--rss-at', flags.rssAt!, 10_000_000);
      const phaseTimeLimitMs = durationFlag('--time-limit', flags.timeLimit)!;
      const coldStarts = intFlag('--starts', flags.starts, { min: 1, max: 1000 })!;
      const httpRoundMs = durationFlag('--round', flags.round)!;
      if (httpRoundMs <= 0) throw new UsageError('--round must be more than 0');
      if (phaseTimeLimitMs <= 0) throw new UsageError('--time-limit must be more than 0');
      const { runBench, selectSections, formatBench } = await import('../check/bench/run.js');
      const transports = [...(flags.stdio ? ['stdio' as const] : []), ...(flags.http ? ['http' as const] : [])];
      const names = flags.section
        ? flags.section
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [];
      let chosen;
      try {
        chosen = selectSections({ transports, names });
      } catch (err) {
        throw new UsageError(err instanceof Error ? err.message : String(err));
      }
      if (chosen.length === 0) throw new UsageError('no bench section matches the flags');
      const progress = (line: string) => process.stderr.write(`${line}\n`);
      const results = await runBench(chosen, {
        calls,
        concurrency,
        rssCheckpoints,
        phaseTimeLimitMs,
        coldStarts,
        httpRoundMs,
        onLine: progress,
      });
      if (flags.json) printLine(JSON.stringify({ calls, concurrency, rssCheckpoints, sections: results }, null, 2));
      else printLine(formatBench(results).join('\n'));
      // Missed goals are figures to read, not a failure; a section that could not run is.
      process.exitCode = results.some((r) => r.skipped) ? 1 : EXIT_OK;
    });
}

function listFlag(name: string, value: string, max: number): number[] {
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new UsageError(`${name} needs at least one number`);
  return parts.map((p) => intFlag(name, p, { max })!);
}
