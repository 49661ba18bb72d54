import type { Command } from 'commander';
import { withCommonFlags } from '../deploy/cli-client.js';

export function register(program: Command): void {
  withCommonFlags(
    program
      .command('rollback')
      .description('switch back to the previous version: instant while it is warm, else start, validate, switch')
      .option('--previous-version <v>', 'the version to go back to (default: the one before the current)'),
  ).action(async (flags: { dir?: string; json?: boolean; previousVersion?: string }) => {
    const { callController } = await import('../deploy/cli-client.js');
    await callController(flags, { cmd: 'rollback', args: { previousVersion: flags.previousVersion } });
  });
}
