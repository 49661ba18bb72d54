import type { Command } from 'commander';
import { withCommonFlags } from '../deploy/cli-client.js';
import { UsageError, intFlag } from './usage.js';

export function register(program: Command): void {
  withCommonFlags(
    program
      .command('logs')
      .description("the end of an environment's log (D/logs/<colour>.log); default: the active colour")
      .argument('[colour]', 'blue or green')
      .option('--lines <n>', 'how many lines', '50'),
  ).action(async (colour: string | undefined, flags: { dir?: string; json?: boolean; lines?: string }) => {
    if (colour !== undefined && colour !== 'blue' && colour !== 'green')
      throw new UsageError(`colour must be blue or green, got "${colour}"`);
    const { callController } = await import('../deploy/cli-client.js');
    await callController(flags, { cmd: 'logs', args: { colour, lines: intFlag('--lines', flags.lines) } }, (data) => {
      const byColour = data as Record<string, string[]>;
      const names = Object.keys(byColour);
      return names.map((c) => (names.length > 1 ? `==> ${c} <==\n` : '') + byColour[c]!.join('\n')).join('\n\n');
    });
  });
}
