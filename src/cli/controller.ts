import type { Command } from 'commander';
import { daemonOptions, withDaemonFlags } from './daemon-flags.js';

export function register(program: Command): void {
  withDaemonFlags(
    program
      .command('controller')
      .description(
        'run the blue-green controller in the foreground: both environments, the admin socket, the router it steers (started if none runs). ' +
          'SIGTERM stops the controller only; the router and environments keep serving. JSON logs on stderr.',
      ),
  ).action(async (flags: Parameters<typeof daemonOptions>[0]) => {
    const { startDaemon } = await import('../deploy/daemon.js');
    const { stopped } = await startDaemon({ ...daemonOptions(flags), onSignal: 'detach' });
    await stopped;
    process.exit(0);
  });
}
