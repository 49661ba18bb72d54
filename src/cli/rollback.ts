import type { Command } from 'commander';
import type { CommonFlags } from './admin-call.js';
import { withCommonFlags } from './admin-call.js';

export function register(program: Command): void {
  withCommonFlags(
    program
      .command('rollback')
      .description('switch back to the previous version: instant while it is warm, else start, validate, switch')
      .option('--previous-version <v>', 'the version to go back to (default: the one before the current)'),
  ).action(async (flags: CommonFlags & { previousVersion?: string }) => {
    const { callController } = await import('./admin-call.js');
    await callController(flags, 'rollback', { ...(flags.previousVersion !== undefined && { previousVersion: flags.previousVersion }) });
  });
}
