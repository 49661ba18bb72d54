import type { Command } from 'commander';
import type { CommonFlags } from './admin-call.js';
import { withCommonFlags } from './admin-call.js';
import { UsageError, intFlag } from './usage.js';

export function register(program: Command): void {
  withCommonFlags(
    program
      .command('logs')
      .description("the end of an environment's log (D/logs/<colour>.log); default: the active colour")
      .argument('[colour]', 'blue or green')
      .option('--lines <n>', 'how many lines', '50'),
  ).action(async (colour: string | undefined, flags: CommonFlags & { lines?: string }) => {
    if (colour !== undefined && colour !== 'blue' && colour !== 'green')
      throw new UsageError(`colour must be blue or green, got "${colour}"`);
    const lines = intFlag('--lines', flags.lines);
    const { callController } = await import('./admin-call.js');
    await callController(flags, 'logs', { ...(colour !== undefined && { colour }), ...(lines !== undefined && { lines }) }, (byColour) => {
      const names = Object.keys(byColour);
      return names.map((c) => (names.length > 1 ? `==> ${c} <==\n` : '') + byColour[c]!.join('\n')).join('\n\n');
    });
  });
}
