import { join } from 'node:path';
import { pino } from 'pino';
import { PACKAGE_ROOT, VERSION } from '../version.js';
import { adminCall } from './admin-client.js';
import { daemonSettings, startDaemon } from './daemon.js';
import type { DaemonOptions } from './daemon.js';

/**
 * `start` (what `npm start` runs): the controller in the foreground on embedded defaults, with
 * the router it starts, this very build deployed (as blue on a fresh directory), then the endpoint
 * and client configurations. Ctrl-C or SIGTERM stops everything. Returns the exit code.
 */
export async function runStart(o: DaemonOptions): Promise<number> {
  // The terminal gets readable progress; the controller's JSON log goes to a file.
  const logFile = join(daemonSettings(o).dir, 'logs', 'controller.log');
  const logger = pino(
    { name: 'llm-pricing-mcp-controller', level: process.env.LOG_LEVEL ?? 'info' },
    pino.destination({ dest: logFile, mkdir: true, sync: true }),
  );
  const { controller, stopped } = await startDaemon({ ...o, logger, onSignal: 'shutdown' });
  const out = (s: string) => process.stdout.write(s + '\n');
  out(`[INFO] Controller log: ${logFile}; router log: ${join(controller.dir, 'logs', 'router.log')}`);
  const active = controller.state.active;
  if (active !== null && controller.procs[active].running && controller.state.colour(active).version === VERSION) {
    out(`[INFO] v${VERSION} is already serving on ${active.toUpperCase()} (recovered from ${controller.dir})`);
  } else {
    const result = await adminCall(controller.dir, 'deploy', { version: VERSION, from: PACKAGE_ROOT, cwd: PACKAGE_ROOT }, (m) => {
      if (m.type === 'line') out(m.text);
    });
    if (!result.ok) {
      process.stderr.write(`error: ${result.error ?? 'the first deployment failed'}\n`);
      if (controller.state.active === null) {
        await controller.shutdown();
        return 1;
      }
    }
  }
  const url = controller.publicUrl;
  out('');
  out(`MCP endpoint (Streamable HTTP): ${url}`);
  out(`Cost calculator and price table: ${new URL('/', url).href}`);
  const actions = controller.opts.adminToken
    ? 'promote, abort and rollback with the admin token'
    : 'read-only; DEPLOY_ADMIN_TOKEN enables promote, abort and rollback';
  out(`Deployment dashboard: ${new URL('/deploy/', url).href} (${actions})`);
  out('');
  out('Desktop client config (a client that takes Streamable HTTP URLs):');
  out(JSON.stringify({ mcpServers: { 'llm-pricing': { type: 'http', url } } }, null, 2));
  out('');
  // A client that only speaks stdio reaches the deployment through the bridge, which re-opens its
  // session across switches. Absolute paths: `npx NAME` could fetch a stranger's package of that name.
  const cli = join(PACKAGE_ROOT, 'dist', 'cli', 'main.js');
  out('For a client that only speaks stdio (bridged to the deployment, survives switches):');
  out(JSON.stringify({ mcpServers: { 'llm-pricing': { command: process.execPath, args: [cli, 'connect', url] } } }, null, 2));
  out('');
  out(`Deploy a new version: llm-pricing-mcp deploy --dir ${controller.dir} --version V --from DIR   (status, rollback, history, logs)`);
  out('Ctrl-C stops the router and both environments.');
  await stopped;
  return 0;
}
