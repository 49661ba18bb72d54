import type { Command } from 'commander';
import { UsageError, intFlag } from './usage.js';

export interface ServeFlags {
  stdio?: boolean;
  http?: boolean;
  port?: string;
  host?: string;
  announce?: boolean;
  telemetryDir?: string;
  drainTimeout?: string;
  allowedHosts?: string;
  allowedOrigins?: string;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('run the MCP server over stdio (for desktop clients) or Streamable HTTP')
    .option('--stdio', 'speak MCP on stdin/stdout (default when --http is not given)')
    .option('--http', 'serve Streamable HTTP at /mcp plus health, metrics and REST endpoints')
    .option('--port <n>', 'HTTP port (default: $MCP_PORT or 8001)')
    .option('--host <addr>', 'HTTP bind address', '127.0.0.1')
    .option('--announce', 'stdio: send a start-up notification before the first request (the guide\'s manual tests read one line)')
    .option('--telemetry-dir <dir>', 'where telemetry counts are kept (default: $LLM_PRICING_TELEMETRY_DIR or ~/.llm-pricing-mcp/telemetry)')
    .option('--drain-timeout <ms>', 'HTTP: how long SIGTERM waits for in-flight requests', '10000')
    .option('--allowed-hosts <list>', 'HTTP: extra Host header values to accept, comma-separated')
    .option('--allowed-origins <list>', 'HTTP: Origin header values to accept, comma-separated')
    .action(async (flags: ServeFlags) => {
      if (flags.stdio && flags.http) throw new UsageError('choose one of --stdio and --http');
      if (flags.http) {
        const envPort = process.env.MCP_PORT;
        const port = intFlag('--port', flags.port ?? envPort ?? '8001', { min: 0, max: 65535 })!;
        const { startHttpServer } = await import('../http/server.js');
        await startHttpServer({
          port,
          host: flags.host ?? '127.0.0.1',
          telemetryDir: flags.telemetryDir,
          drainTimeoutMs: intFlag('--drain-timeout', flags.drainTimeout, { min: 0 })!,
          allowedHosts: splitList(flags.allowedHosts),
          allowedOrigins: splitList(flags.allowedOrigins),
        });
        return;
      }
      const { runStdio } = await import('../mcp/stdio.js');
      await runStdio({ announce: flags.announce === true, telemetryDir: flags.telemetryDir });
    });
}

function splitList(value: string | undefined): string[] {
  return value ? value.split(',').map((s) => s.trim()).filter(Boolean) : [];
}
