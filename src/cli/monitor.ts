import type { Command } from 'commander';
import { printLine } from '../check/stdout.js';
import { EXIT_FAIL, EXIT_OK, UsageError, durationFlag, intFlag } from './usage.js';

interface MonitorFlags {
  url?: string;
  check?: boolean;
  interval?: string;
  duration?: string;
  probes: string;
  timeoutMs: string;
  spec?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('monitor')
    .description(
      "watch one environment: --check prints the guide's health report once; --interval/--duration prints a line per interval and a summary",
    )
    .requiredOption('--url <base>', 'base URL of the environment, e.g. http://127.0.0.1:8001')
    .option('--check', 'one report: server status, module check, available tools')
    .option('--interval <s>', 'seconds (or 500ms, 1m) between lines')
    .option('--duration <s>', 'stop after this long (default: until Ctrl-C)')
    .option('--probes <n>', 'probe calls per interval', '5')
    .option('--timeout-ms <n>', 'per-request timeout in ms', '5000')
    .option('--spec <file>', 'expectations file naming the tools (default: data/validate/llm-pricing-mcp.json)')
    .option('--json', 'print the result as JSON')
    .action(async (flags: MonitorFlags) => {
      if (flags.check && (flags.interval || flags.duration)) throw new UsageError('--check runs once: drop --interval/--duration');
      if (!flags.check && !flags.interval) throw new UsageError('give --check, or --interval S [--duration S]');
      if (flags.duration && !flags.interval) throw new UsageError('--duration needs --interval');
      const base = baseUrl(flags.url!);
      const timeoutMs = intFlag('--timeout-ms', flags.timeoutMs)!;
      const { loadSpec } = await import('../check/validate/spec.js');
      let spec;
      try {
        spec = await loadSpec(flags.spec);
      } catch (err) {
        throw new UsageError(err instanceof Error ? err.message : String(err));
      }
      const onLine = flags.json ? undefined : printLine;

      if (flags.check) {
        const { runMonitorCheck } = await import('../check/monitor/check.js');
        const result = await runMonitorCheck(base, spec, timeoutMs, onLine);
        if (flags.json) printLine(JSON.stringify(result, null, 2));
        process.exitCode = result.ok ? EXIT_OK : EXIT_FAIL;
        return;
      }

      const intervalMs = durationFlag('--interval', flags.interval)!;
      const durationMs = durationFlag('--duration', flags.duration);
      if (intervalMs < 100) throw new UsageError('--interval must be at least 100ms');
      if (durationMs !== undefined && durationMs < intervalMs) throw new UsageError('--duration must be at least one --interval');
      const { runMonitorWatch } = await import('../check/monitor/watch.js');
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const result = await runMonitorWatch({
          base,
          spec,
          intervalMs,
          ...(durationMs !== undefined && { durationMs }),
          probesPerInterval: intFlag('--probes', flags.probes, { min: 0, max: 1000 })!,
          timeoutMs,
          signal: stop.signal,
          ...(onLine && { onLine }),
        });
        if (flags.json) printLine(JSON.stringify(result, null, 2));
        process.exitCode = result.ok ? EXIT_OK : EXIT_FAIL;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}

function baseUrl(value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new UsageError(`--url must be a URL like http://127.0.0.1:8001, got "${value}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--url must be http(s), got "${value}"`);
  return `${u.origin}${u.pathname.replace(/\/+$/, '').replace(/\/mcp$/, '')}`;
}
