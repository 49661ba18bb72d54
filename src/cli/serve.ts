import type { Command } from 'commander';
import { DEFAULT_DRAIN_TIMEOUT_MS } from '../http/defaults.js';
import { UsageError, durationFlag, intFlag } from './usage.js';

export interface ServeFlags {
  stdio?: boolean;
  http?: boolean;
  port?: string;
  host?: string;
  socket?: string;
  announce?: boolean;
  telemetryDir?: string;
  drainTimeout?: string;
  allowedHosts?: string;
  allowedOrigins?: string;
  maxSessions?: string;
  sessionTtl?: string;
  sessionMaxAge?: string;
  bodyLimit?: string;
  heapGrowingPercent?: string;
  prices?: string;
  overlay?: string;
}

// Every HTTP option is also an environment variable (the flag wins).
const env = (name: string): string | undefined => {
  const v = process.env[name]?.trim();
  return v ? v : undefined;
};

export function register(program: Command): void {
  program
    .command('serve')
    .description('run the MCP server over stdio (for desktop clients) or Streamable HTTP')
    .option('--stdio', 'speak MCP on stdin/stdout (default when --http is not given)')
    .option('--http', 'serve Streamable HTTP at /mcp plus health, metrics and REST endpoints')
    .option('--port <n>', 'HTTP port (default: $MCP_PORT or 8001)')
    .option('--host <addr>', 'HTTP bind address (default: $MCP_HOST or 127.0.0.1)')
    .option('--socket <path>', 'HTTP: listen on this Unix socket instead of a port, e.g. behind the deploy router ($MCP_SOCKET)')
    .option('--announce', "stdio: send a start-up notification before the first request (the guide's manual tests read one line)")
    .option(
      '--telemetry-dir <dir>',
      'where telemetry counts are kept (default: $LLM_PRICING_TELEMETRY_DIR or ~/.llm-pricing-mcp/telemetry)',
    )
    .option(
      '--drain-timeout <duration>',
      'HTTP: how long SIGTERM waits for in-flight requests, e.g. 10s (bare number: seconds; default: $MCP_DRAIN_TIMEOUT or 10s)',
    )
    .option(
      '--allowed-hosts <list>',
      'HTTP: extra Host header values to accept on /mcp, comma-separated; a name without a port allows any port ($MCP_ALLOWED_HOSTS)',
    )
    .option('--allowed-origins <list>', 'HTTP: extra Origin header values to accept on /mcp, comma-separated ($MCP_ALLOWED_ORIGINS)')
    .option(
      '--max-sessions <n>',
      'HTTP: most MCP sessions at once; the least recently used idle one makes room (default: $MCP_MAX_SESSIONS or 1000)',
    )
    .option('--session-ttl <duration>', 'HTTP: close an MCP session idle this long, e.g. 30m (default: $MCP_SESSION_TTL or 30m)')
    .option(
      '--session-max-age <duration>',
      'HTTP with $MCP_SESSION_KEYS: a session id is refused this long after initialize, e.g. 24h (default: $MCP_SESSION_MAX_AGE or 24h)',
    )
    .option('--body-limit <bytes>', 'HTTP: largest request body (default: $MCP_BODY_LIMIT or 1048576)')
    .option(
      '--heap-growing-percent <n>',
      'HTTP: old-generation growth before a full GC, keeps RSS steady; 0 = V8 default (default: $MCP_HEAP_GROWING_PERCENT or 100)',
    )
    .option(
      '--prices <file>',
      "base price data in genai-prices' JSON format, e.g. from `prices update` (default: $LLM_PRICING_PRICES or the bundled copy)",
    )
    .option('--overlay <file>', 'overlay data file (default: $LLM_PRICING_OVERLAY or data/overlay.json)')
    .action(async (flags: ServeFlags) => {
      if (flags.stdio && flags.http) throw new UsageError('choose one of --stdio and --http');
      // The context reads the data files from the environment, so a flag and its variable are one setting.
      if (flags.prices !== undefined) process.env.LLM_PRICING_PRICES = flags.prices;
      if (flags.overlay !== undefined) process.env.LLM_PRICING_OVERLAY = flags.overlay;
      if (flags.http) {
        const port = intFlag('--port', flags.port ?? env('MCP_PORT') ?? '8001', { min: 0, max: 65535 })!;
        const sessions = await sessionKeyOptions(flags);
        const socket = flags.socket ?? env('MCP_SOCKET');
        if (socket !== undefined && Buffer.byteLength(socket) > 100)
          throw new UsageError(`--socket path is too long for a Unix socket: ${socket}`);
        const { startHttpServer } = await import('../http/server.js');
        await startHttpServer({
          port,
          host: flags.host ?? env('MCP_HOST') ?? '127.0.0.1',
          ...(socket !== undefined && { socketPath: socket }),
          telemetryDir: flags.telemetryDir,
          drainTimeoutMs: durationFlag('--drain-timeout', flags.drainTimeout ?? env('MCP_DRAIN_TIMEOUT')) ?? DEFAULT_DRAIN_TIMEOUT_MS,
          allowedHosts: splitList(flags.allowedHosts ?? env('MCP_ALLOWED_HOSTS')),
          allowedOrigins: splitList(flags.allowedOrigins ?? env('MCP_ALLOWED_ORIGINS')),
          maxSessions: intFlag('--max-sessions', flags.maxSessions ?? env('MCP_MAX_SESSIONS'), { min: 1 }),
          sessionIdleTtlMs: durationFlag('--session-ttl', flags.sessionTtl ?? env('MCP_SESSION_TTL')),
          ...sessions,
          bodyLimitBytes: intFlag('--body-limit', flags.bodyLimit ?? env('MCP_BODY_LIMIT'), { min: 1024 }),
          heapGrowingPercent: intFlag('--heap-growing-percent', flags.heapGrowingPercent ?? env('MCP_HEAP_GROWING_PERCENT'), {
            min: 0,
            max: 1000,
          }),
        });
        return;
      }
      const { runStdio } = await import('../mcp/stdio.js');
      await runStdio({ announce: flags.announce === true, telemetryDir: flags.telemetryDir });
    });
}

/**
 * MCP_SESSION_KEYS (never a flag: command lines are visible to every user of the machine) turns on sessions that
 * any replica can serve; see src/http/mcp/session-token.ts.
 */
async function sessionKeyOptions(flags: ServeFlags): Promise<{ sessionKeys?: Buffer[]; sessionMaxAgeMs?: number }> {
  const maxAge = durationFlag('--session-max-age', flags.sessionMaxAge ?? env('MCP_SESSION_MAX_AGE'));
  if (maxAge !== undefined && maxAge < 1000) throw new UsageError('--session-max-age must be at least 1s');
  const keys = env('MCP_SESSION_KEYS');
  if (keys === undefined) return maxAge === undefined ? {} : { sessionMaxAgeMs: maxAge };
  const { parseSessionKeys, SessionKeyError } = await import('../http/mcp/session-token.js');
  try {
    return { sessionKeys: parseSessionKeys(keys), ...(maxAge !== undefined && { sessionMaxAgeMs: maxAge }) };
  } catch (err) {
    if (err instanceof SessionKeyError) throw new UsageError(`MCP_SESSION_KEYS: ${err.message}`);
    throw err;
  }
}

function splitList(value: string | undefined): string[] {
  return value
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}
