// `llm-pricing-mcp serve --stdio`: one MCP session on stdin/stdout.
//
// stdout carries MCP messages only; every log line goes to stderr. By default the
// server says nothing until the client speaks, as MCP requires. With --announce
// it first sends one valid MCP message, a `notifications/message` log
// notification (level "info", data.event "server_started"), for the guide's
// manual tests that read a line at start-up.
// It exits 0 when stdin closes or on SIGTERM/SIGINT, after flushing telemetry.

import { TOOL_NAMES } from './tools/index.js';
import { LOGGER_NAME } from './client-log.js';
import { createContext } from './context.js';
import { directToolCall } from './dispatch.js';
import { LineTransport } from './line-transport.js';
import { createMcpServer } from './server.js';
import { logToStderr } from './stderr-log.js';

export interface StdioOptions {
  announce: boolean;
  telemetryDir?: string;
}

/** Give up waiting for a clean shutdown after this long. */
const SHUTDOWN_GRACE_MS = 3000;

export async function runStdio(opts: StdioOptions): Promise<void> {
  routeConsoleToStderr();
  const ctx = await createContext(opts.telemetryDir !== undefined ? { telemetryDir: opts.telemetryDir } : {});
  const mcp = createMcpServer(ctx);
  const transport = new LineTransport(process.stdin, process.stdout);

  let stopping: Promise<void> | undefined;
  const stop = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      logToStderr('info', 'stopping', { reason });
      setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
      await mcp.close().catch(() => undefined);
      await ctx.telemetry.close();
      process.stdin.destroy();
      // Nothing else holds the event loop: the process exits 0 once stdout drains.
    })();
    return stopping;
  };

  transport.onclose = () => void stop('stdin closed');
  mcp.server.onerror = (err) => logToStderr('warn', 'protocol error', { error: err.message });
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  // Every request path catches its own errors; should a bug slip past, the
  // session (read-only, stateless per call) is worth more alive than dead.
  process.on('unhandledRejection', (reason) => logToStderr('error', 'unhandled rejection', { error: String(reason) }));
  process.on('uncaughtException', (err) => logToStderr('error', 'uncaught exception', { error: err.message, stack: err.stack }));

  await mcp.connect(transport);
  transport.direct = directToolCall(mcp);
  if (opts.announce) {
    await mcp.server.notification({
      method: 'notifications/message',
      params: {
        level: 'info',
        logger: LOGGER_NAME,
        data: {
          event: 'server_started',
          name: 'llm-pricing-mcp',
          version: ctx.version,
          color: ctx.color ?? null,
          pid: process.pid,
          transport: 'stdio',
          tools: TOOL_NAMES,
          data_as_of: ctx.catalog.data_as_of,
        },
      },
    });
  }
  logToStderr('info', 'serving MCP over stdio', {
    version: ctx.version,
    color: ctx.color ?? null,
    models: ctx.catalog.models.length,
    telemetry_dir: ctx.telemetry.dir,
  });
}

/** A stray console.log from any library would corrupt the MCP stream: send it to stderr. */
function routeConsoleToStderr(): void {
  const toStderr = (...args: unknown[]) => console.error(...args);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
}
