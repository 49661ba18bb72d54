import type { Command } from 'commander';
import { daemonOptions, withDaemonFlags } from './daemon-flags.js';

export function register(program: Command): void {
  withDaemonFlags(
    program
      .command('controller')
      .description('run the blue-green controller in the foreground: router, both environments, admin socket (JSON logs on stderr)'),
  ).action(async (flags: Parameters<typeof daemonOptions>[0]) => {
    const { startDaemon } = await import('../deploy/daemon.js');
    const { stopped } = await startDaemon(daemonOptions(flags));
    await stopped;
  });
}
