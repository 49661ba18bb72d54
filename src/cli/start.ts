import type { Command } from 'commander';
import { daemonOptions, withDaemonFlags } from './daemon-flags.js';

export function register(program: Command): void {
  withDaemonFlags(
    program
      .command('start')
      .description(
        'what `npm start` runs: controller and router on embedded defaults, this build deployed as the first version; Ctrl-C or SIGTERM stops it all',
      ),
  ).action(async (flags: Parameters<typeof daemonOptions>[0]) => {
    const { runStart } = await import('../deploy/quick-start.js');
    process.exit(await runStart(daemonOptions(flags)));
  });
}
