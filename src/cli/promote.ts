import type { Command } from 'commander';
import type { CommonFlags } from './admin-call.js';
import { withCommonFlags } from './admin-call.js';

export function register(program: Command): void {
  withCommonFlags(program.command('promote').description('continue a --manual-promote deployment: switch, drain, promote')).action(
    async (flags: CommonFlags) => {
      const { callController } = await import('./admin-call.js');
      await callController(flags, 'promote', {});
    },
  );
}
