import type { Command } from 'commander';
import type { CommonFlags } from './admin-call.js';
import { withCommonFlags } from './admin-call.js';

export function register(program: Command): void {
  withCommonFlags(
    program
      .command('shutdown')
      .description('stop everything: both environments (drained), the router the controller started, and the controller'),
  ).action(async (flags: CommonFlags) => {
    const { callController } = await import('./admin-call.js');
    await callController(flags, 'shutdown', {}, () => 'Stopping: environments drain and stop, then the router and the controller.');
  });
}
