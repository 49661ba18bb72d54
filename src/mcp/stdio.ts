// `llm-pricing-mcp serve --stdio`: one MCP session on stdin/stdout.
//
// stdout carries MCP messages only; every log line goes to stderr. By default the
// server says nothing until the client speaks, as MCP requires. With --announce
// it first sends one valid MCP message, a `notifications/message` log
// notification (level "info", data.event "server_started"), for the guide's
// manual tests that read a line at start-up.
// It exits 0 when stdin closes or on SIGTERM/SIGINT, after flushing telemetry.
//
// Start-up is ordered for a client that spawns us and waits on `initialize`:
// connect and answer it first; then load the price catalog and warm up the
// tool path while the other requests wait, in order (LineTransport.holdUntilLoaded).

import { TOOL_NAMES } from './tools/index.js';
import { LOGGER_NAME } from './client-log.js';
import { openContext } from './context.js';
import { directToolCall } from './dispatch.js';
import { LineTransport } from './line-transport.js';
import { createMcpServer } from './server.js';
import { logToStderr } from './stderr-log.js';
import { warmUpTools } from './warmup.js';

export interface StdioOptions {
  announce: boolean;
  telemetryDir?: string;
}

/** Give up waiting for a clean shutdown after this long. */
const SHUTDOWN_GRACE_MS = 3000;

export async function runStdio(opts: StdioOptions): Promise<void> {
  routeConsoleToStderr();
  const opening = openContext(opts.telemetryDir !== undefined ? { telemetryDir: opts.telemetryDir } : {});
  const { ctx } = opening;
  const mcp = createMcpServer(ctx);
  const transport = new LineTransport(process.stdin, process.stdout);

  let stopping: Promise<void> | undefined;
  const stop = (reason: string, exitCode = 0): Promise<void> => {
    stopping ??= (async () => {
      logToStderr(exitCode === 0 ? 'info' : 'error', 'stopping', { reason });
      process.exitCode = exitCode;
      setTimeout(() => process.exit(exitCode), SHUTDOWN_GRACE_MS).unref();
      await mcp.close().catch(() => undefined);
      await opening.close();
      process.stdin.destroy();
      // Nothing else holds the event loop: the process exits 0 once stdout drains.
    })();
    return stopping;
  };

  // Even a client that leaves at once gets a start it can trust: the data is loaded before the exit, so bad price
  // data still ends the process with 1 and says why (getReady stops it), never with 0.
  transport.onclose = () =>
    void getReady().then(
      () => stop('stdin closed'),
      () => undefined,
    );
  mcp.server.onerror = (err) => logToStderr('warn', 'protocol error', { error: err.message });
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  // Every request path catches its own errors; should a bug slip past, the
  // session (read-only, stateless per call) is worth more alive than dead.
  process.on('unhandledRejection', (reason) => logToStderr('error', 'unhandled rejection', { error: String(reason) }));
  process.on('uncaughtException', (err) => logToStderr('error', 'uncaught exception', { error: err.message, stack: err.stack }));

  // Ready = catalog loaded, telemetry open, and the tool path warmed up (a few ms of direct calls).
  let loading: Promise<void> | undefined;
  const getReady = (): Promise<void> =>
    (loading ??= (async () => {
      try {
        await opening.load();
      } catch (err) {
        // The requests waiting for it are answered with this error; then there is nothing left to serve.
        const reason = `cannot load the price catalog or open telemetry: ${err instanceof Error ? err.message : String(err)}`;
        setImmediate(() => void stop(reason, 1));
        throw err;
      }
      logToStderr('info', 'price catalog loaded', {
        models: ctx.catalog.models.length,
        data_as_of: ctx.catalog.data_as_of,
        telemetry_dir: ctx.telemetry.dir,
      });
      warmUpTools(ctx);
    })());
  transport.holdUntilLoaded({
    get ready() {
      return opening.loaded;
    },
    load: getReady,
  });
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
          data_as_of: await catalogDate(),
        },
      },
    });
  }
  logToStderr('info', 'serving MCP over stdio', { version: ctx.version, color: ctx.color ?? null });

  /** --announce tells the data date, so it waits for the catalog (it is not the cold-start path). */
  async function catalogDate(): Promise<string | null> {
    try {
      await getReady();
      return ctx.catalog.data_as_of;
    } catch {
      return null;
    }
  }
}

/** A stray console.log from any library would corrupt the MCP stream: send it to stderr. */
function routeConsoleToStderr(): void {
  const toStderr = (...args: unknown[]) => console.error(...args);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
}
