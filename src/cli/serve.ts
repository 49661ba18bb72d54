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
  bodyLimit?: string;
  heapGrowingPercent?: string;
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
    .option('--body-limit <bytes>', 'HTTP: largest request body (default: $MCP_BODY_LIMIT or 1048576)')
    .option(
      '--heap-growing-percent <n>',
      'HTTP: old-generation growth before a full GC, keeps RSS steady; 0 = V8 default (default: $MCP_HEAP_GROWING_PERCENT or 100)',
    )
    .action(async (flags: ServeFlags) => {
      if (flags.stdio && flags.http) throw new UsageError('choose one of --stdio and --http');
      if (flags.http) {
        const port = intFlag('--port', flags.port ?? env('MCP_PORT') ?? '8001', { min: 0, max: 65535 })!;
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

function splitList(value: string | undefined): string[] {
  return value
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}
