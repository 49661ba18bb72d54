import type { Command } from 'commander';
import type { DaemonOptions } from '../deploy/daemon.js';
import { intFlag } from './usage.js';

// The flags `controller` and `start` share: where the controller keeps its state and
// which ports it binds. Defaults live in src/deploy/defaults.ts (each also an env var).
interface DaemonFlags {
  dir?: string;
  port?: string;
  bluePort?: string;
  greenPort?: string;
  host?: string;
}

export function withDaemonFlags(cmd: Command): Command {
  return cmd
    .option('--dir <dir>', 'state, logs and admin socket directory (default: $DEPLOY_DIR or .deploy)')
    .option('--port <n>', 'public router port (default: $ROUTER_PORT or 8000)')
    .option('--blue-port <n>', 'blue environment port (default: $BLUE_PORT or 8001)')
    .option('--green-port <n>', 'green environment port (default: $GREEN_PORT or 8002)')
    .option('--host <addr>', 'address the router binds (default: $ROUTER_HOST or 127.0.0.1)');
}

export function daemonOptions(flags: DaemonFlags): DaemonOptions {
  return {
    dir: flags.dir,
    host: flags.host,
    port: intFlag('--port', flags.port, { min: 0, max: 65535 }),
    bluePort: intFlag('--blue-port', flags.bluePort, { min: 1, max: 65535 }),
    greenPort: intFlag('--green-port', flags.greenPort, { min: 1, max: 65535 }),
  };
}
