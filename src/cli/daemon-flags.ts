import type { Command } from 'commander';
import type { DaemonOptions } from '../deploy/daemon.js';
import { parsePublicUrl, splitList } from '../deploy/exposure.js';
import { UsageError, intFlag } from './usage.js';

// The flags `controller` and `start` share: where the controller keeps its state, where the
// router listens, and the names clients use to reach it. Defaults live in src/deploy/defaults.ts
// (each also an environment variable).
interface DaemonFlags {
  dir?: string;
  port?: string;
  bluePort?: string;
  greenPort?: string;
  host?: string;
  publicUrl?: string;
  allowedHosts?: string;
  allowedOrigins?: string;
}

export function withDaemonFlags(cmd: Command): Command {
  return cmd
    .option('--dir <dir>', 'state, logs and sockets directory (default: $DEPLOY_DIR or .deploy)')
    .option('--port <n>', 'public router port (default: $ROUTER_PORT or 8000)')
    .option('--host <addr>', 'address the router binds (default: $ROUTER_HOST or 127.0.0.1)')
    .option(
      '--public-url <url>',
      'the URL clients use, e.g. https://mcp.example.com (default: $DEPLOY_PUBLIC_URL, else the router address)',
    )
    .option(
      '--allowed-hosts <list>',
      'more Host names the environments accept, comma-separated; no port = any port ($DEPLOY_ALLOWED_HOSTS)',
    )
    .option('--allowed-origins <list>', 'more Origins the environments accept, comma-separated ($DEPLOY_ALLOWED_ORIGINS)')
    .option('--blue-port <n>', 'blue TCP port, for releases that only speak TCP (default: $BLUE_PORT or 8001)')
    .option('--green-port <n>', 'green TCP port, for releases that only speak TCP (default: $GREEN_PORT or 8002)');
}

export function daemonOptions(flags: DaemonFlags): DaemonOptions {
  if (flags.publicUrl !== undefined) {
    try {
      parsePublicUrl(flags.publicUrl);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  return {
    dir: flags.dir,
    host: flags.host,
    port: intFlag('--port', flags.port, { min: 0, max: 65535 }),
    bluePort: intFlag('--blue-port', flags.bluePort, { min: 1, max: 65535 }),
    greenPort: intFlag('--green-port', flags.greenPort, { min: 1, max: 65535 }),
    ...(flags.publicUrl !== undefined && { publicUrl: flags.publicUrl }),
    ...(flags.allowedHosts !== undefined && { allowedHosts: splitList(flags.allowedHosts) }),
    ...(flags.allowedOrigins !== undefined && { allowedOrigins: splitList(flags.allowedOrigins) }),
  };
}
