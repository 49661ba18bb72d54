import type { Command } from 'commander';
import { printLine } from '../check/stdout.js';
import { EXIT_FAIL, EXIT_OK, UsageError, intFlag } from './usage.js';

interface ValidateFlags {
  stdio?: string;
  url?: string;
  suite: string;
  json?: boolean;
  timeoutMs?: string;
  expectVersion?: string;
  spec?: string;
  maxAvgMs?: string;
  maxMs?: string;
  header?: string[];
  compareWith?: string;
}

const SUITES = ['quick', 'integration', 'full'] as const;

export function register(program: Command): void {
  program
    .command('validate')
    .description(
      "check an MCP server the way the guide's test scripts do (quick = quick_validate, integration = test_mcp_server, full = the 16 scenarios)",
    )
    .option('--stdio <command>', 'start the server with this command and speak MCP on its stdin/stdout')
    .option('--url <url>', 'the Streamable HTTP endpoint, e.g. http://127.0.0.1:8002/mcp')
    .option('--suite <name>', 'quick | integration | full', 'quick')
    .option('--json', 'print the result as JSON instead of lines')
    .option('--timeout-ms <n>', 'per-request and start-up timeout in ms', '10000')
    .option('--expect-version <v>', 'fail unless the server reports this version (serverInfo.version)')
    .option('--spec <file>', 'expectations file (default: data/validate/llm-pricing-mcp.json)')
    .option('--max-avg-ms <n>', 'quick: average response-time limit in ms', '10')
    .option('--max-ms <n>', 'quick: maximum response-time limit in ms', '100')
    .option('--header <name:value...>', 'extra HTTP header(s) on every request')
    .option(
      '--compare-with <url>',
      "also show how the canonical answers differ from this server's (the active one), as deploy's phase 2 does; information only",
    )
    .action(async (flags: ValidateFlags) => {
      if (!SUITES.includes(flags.suite as (typeof SUITES)[number])) {
        throw new UsageError(`--suite must be one of ${SUITES.join(', ')}, got "${flags.suite}"`);
      }
      if ((flags.stdio === undefined) === (flags.url === undefined))
        throw new UsageError('give exactly one of --stdio <command> or --url <url>');
      if (flags.compareWith !== undefined && (flags.url === undefined || !/^https?:\/\//.test(flags.compareWith)))
        throw new UsageError('--compare-with takes an http(s) URL and needs --url');
      const { runValidation, ValidateOptionsError } = await import('../check/validate/run.js');
      const onLine = flags.json ? undefined : printLine;
      let result;
      try {
        result = await runValidation(
          {
            suite: flags.suite as (typeof SUITES)[number],
            ...(flags.stdio !== undefined && { stdio: flags.stdio }),
            ...(flags.url !== undefined && { url: flags.url }),
            timeoutMs: intFlag('--timeout-ms', flags.timeoutMs)!,
            ...(flags.expectVersion !== undefined && { expectVersion: flags.expectVersion }),
            ...(flags.spec !== undefined && { specFile: flags.spec }),
            maxAvgMs: intFlag('--max-avg-ms', flags.maxAvgMs)!,
            maxMaxMs: intFlag('--max-ms', flags.maxMs)!,
            headers: parseHeaders(flags.header ?? []),
          },
          onLine,
        );
      } catch (err) {
        if (err instanceof ValidateOptionsError) throw new UsageError(err.message);
        throw err;
      }
      const diff = result.ok && flags.compareWith !== undefined ? await compareWith(flags, onLine) : undefined;
      if (flags.json) printLine(JSON.stringify(diff === undefined ? result : { ...result, diff }, null, 2));
      process.exitCode = result.ok ? EXIT_OK : EXIT_FAIL;
    });
}

/** The answer diff against another server (the active one); never fails the validation. */
async function compareWith(flags: ValidateFlags, onLine: ((line: string) => void) | undefined): Promise<string[] | { error: string }> {
  const { collectCanonicalAnswers, diffAnswers } = await import('../check/validate/canonical.js');
  const headers = parseHeaders(flags.header ?? []);
  const timeoutMs = intFlag('--timeout-ms', flags.timeoutMs)!;
  const other = flags.compareWith!;
  try {
    const [before, after] = await Promise.all([
      collectCanonicalAnswers({ url: other, headers, timeoutMs }, flags.spec),
      collectCanonicalAnswers({ url: flags.url!, headers, timeoutMs }, flags.spec),
    ]);
    const diff = diffAnswers(before, after);
    if (diff.length === 0) onLine?.(`[INFO] Canonical answers unchanged from ${other}`);
    else {
      onLine?.(`[INFO] Canonical answers changed from ${other}:`);
      for (const d of diff) onLine?.(`  ${d}`);
    }
    return diff;
  } catch (err) {
    const message = (err as Error).message;
    onLine?.(`[INFO] Could not compare answers with ${other}: ${message}`);
    return { error: message };
  }
}

function parseHeaders(values: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf(':');
    if (i <= 0) throw new UsageError(`--header must look like "Name: value", got "${v}"`);
    headers[v.slice(0, i).trim()] = v.slice(i + 1).trim();
  }
  return headers;
}
