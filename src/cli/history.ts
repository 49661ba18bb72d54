import type { Command } from 'commander';
import { withCommonFlags } from '../deploy/cli-client.js';
import { intFlag } from './usage.js';

export function register(program: Command): void {
  withCommonFlags(
    program.command('history').description('deployment events from deployment.log').option('--limit <n>', 'only the last n events'),
  ).action(async (flags: { dir?: string; json?: boolean; limit?: string }) => {
    const { callController } = await import('../deploy/cli-client.js');
    const { formatHistory } = await import('../deploy/history-format.js');
    await callController(flags, { cmd: 'history', args: { limit: intFlag('--limit', flags.limit) } }, (data) =>
      formatHistory(data as Parameters<typeof formatHistory>[0]),
    );
  });
}
