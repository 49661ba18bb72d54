import type { Command } from 'commander';
import type { CommonFlags } from './admin-call.js';
import { withCommonFlags } from './admin-call.js';
import { intFlag } from './usage.js';

export function register(program: Command): void {
  withCommonFlags(
    program.command('history').description('deployment events from deployment.log').option('--limit <n>', 'only the last n events'),
  ).action(async (flags: CommonFlags & { limit?: string }) => {
    const limit = intFlag('--limit', flags.limit);
    const { callController } = await import('./admin-call.js');
    const { formatHistory } = await import('./format-history.js');
    await callController(flags, 'history', { ...(limit !== undefined && { limit }) }, formatHistory);
  });
}
