import type { Command } from 'commander';
import type { CommonFlags } from './admin-call.js';
import { withCommonFlags } from './admin-call.js';

export function register(program: Command): void {
  withCommonFlags(program.command('status').description('both environments, the active one, the router, any deployment under way')).action(
    async (flags: CommonFlags) => {
      const { callController } = await import('./admin-call.js');
      const { formatStatus } = await import('./format-status.js');
      await callController(flags, 'status', {}, formatStatus);
    },
  );
}
