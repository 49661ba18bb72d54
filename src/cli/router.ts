import type { Command } from 'commander';
import { intFlag } from './usage.js';

export function register(program: Command): void {
  program
    .command('router')
    .description(
      'run the deploy router in the foreground: the public port, nothing but the hot path; the controller steers it over D/router.sock',
    )
    .option('--dir <dir>', 'the deploy directory: routes.json, router.sock (default: $DEPLOY_DIR or .deploy)')
    .option('--host <addr>', 'address to bind (default: $ROUTER_HOST or 127.0.0.1)')
    .option('--port <n>', 'public port (default: $ROUTER_PORT or 8000)')
    .option('--managed', 'started by a controller, which stops it with `shutdown` (set by the controller itself)')
    .action(async (flags: { dir?: string; host?: string; port?: string; managed?: boolean }) => {
      const { startRouter } = await import('../deploy/router/daemon.js');
      const { stopped } = await startRouter({
        dir: flags.dir,
        host: flags.host,
        port: intFlag('--port', flags.port, { min: 0, max: 65535 }),
        managed: flags.managed === true,
      });
      await stopped;
      process.exit(0);
    });
}
