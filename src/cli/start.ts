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
    .command('start')
    .description('what `npm start` runs: the controller on embedded defaults, with this build deployed as the first version')
    .option('--dir <dir>', 'state directory (default: $DEPLOY_DIR or .deploy)')
    .option('--port <n>', 'public router port (default 8000)')
    .option('--blue-port <n>', 'blue environment port (default 8001)')
    .option('--green-port <n>', 'green environment port (default 8002)')
    .option('--host <addr>', 'router bind address (default 127.0.0.1)')
    .action(async (flags: Flags) => {
      const { runStart } = await import('../deploy/quick-start.js');
      process.exitCode = await runStart({
        dir: flags.dir,
        host: flags.host,
        port: intFlag('--port', flags.port, { min: 0, max: 65535 }),
        bluePort: intFlag('--blue-port', flags.bluePort, { min: 1, max: 65535 }),
        greenPort: intFlag('--green-port', flags.greenPort, { min: 1, max: 65535 }),
      });
    });
}
