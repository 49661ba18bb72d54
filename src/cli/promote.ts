import type { Command } from 'commander';
import { withCommonFlags } from '../deploy/cli-client.js';

export function register(program: Command): void {
  withCommonFlags(program.command('promote').description('continue a --manual-promote deployment: switch, drain, promote')).action(
    async (flags: { dir?: string; json?: boolean }) => {
      const { callController } = await import('../deploy/cli-client.js');
      await callController(flags, { cmd: 'promote', args: {} });
    },
  );
}
