import type { Command } from 'commander';
import { UsageError } from './usage.js';

interface UpdateFlags {
  from?: string;
  to?: string;
  overlay?: string;
  removedNote?: string;
  drift?: string;
  json?: boolean;
}

interface AuditFlags {
  against?: string[];
  prices?: string;
  overlay?: string;
  known?: string;
  json?: boolean;
}

export function register(program: Command): void {
  const prices = program.command('prices').description('check and refresh the price data');
  prices
    .command('update')
    .description("validate new base price data (a file or URL in genai-prices' JSON format) and write it atomically for serve --prices")
    .requiredOption('--from <file|url>', 'where the new data is')
    .requiredOption('--to <file>', 'the data file serve --prices reads (written only when the new data passes)')
    .option('--overlay <file>', 'overlay to check the new data against (default: data/overlay.json)')
    .option('--removed-note <text>', 'accept models in force now that the new data lacks, and record why')
    .option('--drift <fraction>', 'flag prices that move by more than this fraction (default 0.25)')
    .option('--json', 'print the report as JSON')
    .action(async (flags: UpdateFlags) => {
      const drift = flags.drift === undefined ? undefined : Number(flags.drift);
      if (drift !== undefined && !(drift >= 0)) throw new UsageError(`--drift must be a fraction such as 0.25, got "${flags.drift}"`);
      const { runPriceUpdate } = await import('../prices/update.js');
      const code = await runPriceUpdate({
        from: flags.from!,
        to: flags.to!,
        ...(flags.overlay ? { overlayPath: flags.overlay } : {}),
        ...(flags.removedNote ? { removedNote: flags.removedNote } : {}),
        ...(drift !== undefined ? { driftFraction: drift } : {}),
        json: flags.json === true,
        out: (line) => process.stdout.write(`${line}\n`),
      });
      process.exitCode = code;
    });
  prices
    .command('audit')
    .description(
      "compare the catalog's prices with independent public price lists (LiteLLM, models.dev) and list every disagreement over 0.5%",
    )
    .option(
      '--against <file|url...>',
      "price lists to compare with, in LiteLLM's or models.dev's format (default: the pinned models.dev snapshot in data/audit/)",
    )
    .option('--prices <file>', 'audit this base price data instead of the bundled copy')
    .option('--overlay <file>', 'overlay to audit (default: data/overlay.json)')
    .option('--known <file>', 'reviewed known differences (default: data/audit/known-differences.json)')
    .option('--json', 'print the findings as JSON')
    .action(async (flags: AuditFlags) => {
      const { runAudit } = await import('../prices/audit.js');
      process.exitCode = await runAudit({
        ...(flags.against ? { against: flags.against } : {}),
        ...(flags.prices ? { pricesPath: flags.prices } : {}),
        ...(flags.overlay ? { overlayPath: flags.overlay } : {}),
        ...(flags.known ? { knownPath: flags.known } : {}),
        json: flags.json === true,
        out: (line) => process.stdout.write(`${line}\n`),
      });
    });
}
