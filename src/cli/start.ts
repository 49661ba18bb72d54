import type { Command } from 'commander';
import { daemonOptions, withDaemonFlags } from './daemon-flags.js';

export function register(program: Command): void {
  withDaemonFlags(
    program
      .command('start')
      .description('what `npm start` runs: the controller on embedded defaults, with this build deployed as the first version'),
  ).action(async (flags: Parameters<typeof daemonOptions>[0]) => {
    const { runStart } = await import('../deploy/quick-start.js');
    process.exitCode = await runStart(daemonOptions(flags));
  });
}
