import type { Command } from 'commander';
import { withCommonFlags } from '../deploy/cli-client.js';

export function register(program: Command): void {
  withCommonFlags(program.command('status').description('both environments, the active one, any deployment under way')).action(
    async (flags: { dir?: string; json?: boolean }) => {
      const { callController } = await import('../deploy/cli-client.js');
      const { formatStatus } = await import('../deploy/status.js');
      await callController(flags, { cmd: 'status', args: {} }, (data) => formatStatus(data as Parameters<typeof formatStatus>[0]));
    },
  );
}
