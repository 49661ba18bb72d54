import type { Command } from 'commander';
import { intFlag } from './usage.js';

interface Flags {
  dir?: string;
  port?: string;
  bluePort?: string;
  greenPort?: string;
  host?: string;
}

export function register(program: Command): void {
  program
    .command('controller')
    .description('run the blue-green controller in the foreground: router, both environments, admin socket (JSON logs on stderr)')
    .option('--dir <dir>', 'state, logs and admin socket directory (default: $DEPLOY_DIR or .deploy)')
    .option('--port <n>', 'public router port (default: $ROUTER_PORT or 8000)')
    .option('--blue-port <n>', 'blue environment port (default: $BLUE_PORT or 8001)')
    .option('--green-port <n>', 'green environment port (default: $GREEN_PORT or 8002)')
    .option('--host <addr>', 'address the router binds (default: $ROUTER_HOST or 127.0.0.1)')
    .action(async (flags: Flags) => {
      const { startDaemon } = await import('../deploy/daemon.js');
      const { stopped } = await startDaemon({
        dir: flags.dir,
        host: flags.host,
        port: intFlag('--port', flags.port, { min: 0, max: 65535 }),
        bluePort: intFlag('--blue-port', flags.bluePort, { min: 1, max: 65535 }),
        greenPort: intFlag('--green-port', flags.greenPort, { min: 1, max: 65535 }),
      });
      await stopped;
    });
}
