import type { Command } from 'commander';
import { withCommonFlags } from '../deploy/cli-client.js';

export function register(program: Command): void {
  withCommonFlags(program.command('abort').description('drop a --manual-promote deployment: stop the new colour')).action(
    async (flags: { dir?: string; json?: boolean }) => {
      const { callController } = await import('../deploy/cli-client.js');
      await callController(flags, { cmd: 'abort', args: {} });
    },
  );
}
