import type { Command } from 'commander';
import type { CommonFlags } from './admin-call.js';
import { withCommonFlags } from './admin-call.js';
import { UsageError, durationFlag } from './usage.js';

interface Flags extends CommonFlags {
  version?: string;
  from?: string;
  gitRef?: string;
  command?: string;
  spec?: string;
  prices?: string;
  overlay?: string;
  removedNote?: string;
  drainTimeout?: string;
  keepPrevious?: string;
  manualPromote?: boolean;
  analysisWindow?: string;
  maxErrorRate?: string;
}

export function register(program: Command): void {
  withCommonFlags(
    program
      .command('deploy')
      .description(
        "blue-green deploy a version: start, validate, switch, drain, promote (the guide's five phases); Ctrl-C before the switch calls it off",
      )
      .option(
        '--version <v>',
        'the version to deploy (without --from/--git-ref/--command: the git tag v<version>); with --prices alone: the active version',
      )
      .option('--from <dir>', 'a directory holding a built release of this project')
      .option('--git-ref <ref>', 'a git ref to check out, install and build')
      .option('--command <cmd>', 'any command that starts a Streamable HTTP MCP server on $PORT')
      .option('--spec <file>', 'validation expectations for a --command server')
      .option(
        '--prices <file|url>',
        "new base price data (genai-prices' JSON format): checked, copied into the deploy directory, served by the new colour; alone, on the active release's code",
      )
      .option('--overlay <file|url>', 'a new overlay for the new colour, checked against its base data')
      .option('--removed-note <text>', 'with --prices: accept models in force now that the new data lacks, and record why')
      .option('--drain-timeout <d>', 'how long the old colour may take to finish requests and sessions (default 30s)')
      .option('--keep-previous <d>', 'how long the old colour stays warm for an instant rollback (default 10m)')
      .option('--manual-promote', 'stop after validation; `promote` switches, `abort` stops the new colour')
      .option('--analysis-window <d>', 'how long the new colour is watched after the switch (default 60s)')
      .option('--max-error-rate <r>', 'error rate above which the watch rolls back (default 0.10)'),
  ).action(async (flags: Flags) => {
    const maxErrorRate = flags.maxErrorRate === undefined ? undefined : Number(flags.maxErrorRate);
    if (maxErrorRate !== undefined && !(maxErrorRate >= 0 && maxErrorRate <= 1)) {
      throw new UsageError(`--max-error-rate must be a number between 0 and 1, got "${flags.maxErrorRate}"`);
    }
    if ([flags.from, flags.gitRef, flags.command].filter((s) => s !== undefined).length > 1) {
      throw new UsageError('choose one of --from, --git-ref and --command');
    }
    if (flags.spec !== undefined && flags.command === undefined) throw new UsageError('--spec goes with --command');
    if (flags.version === undefined && flags.prices === undefined && flags.overlay === undefined) {
      throw new UsageError("required option '--version <v>' not specified (it may be left out with --prices or --overlay alone)");
    }
    if (flags.version === undefined && (flags.from ?? flags.gitRef ?? flags.command) !== undefined) {
      throw new UsageError('--from, --git-ref and --command need --version');
    }
    if (flags.removedNote !== undefined && flags.prices === undefined) throw new UsageError('--removed-note goes with --prices');
    const drainTimeoutMs = durationFlag('--drain-timeout', flags.drainTimeout);
    const keepPreviousMs = durationFlag('--keep-previous', flags.keepPrevious);
    const analysisWindowMs = durationFlag('--analysis-window', flags.analysisWindow);
    const { callController, deployDir } = await import('./admin-call.js');
    const { adminCall } = await import('../deploy/admin-client.js');
    // Ctrl-C: the controller calls the deploy off if it has not switched yet, and says so; after
    // the switch the deploy goes on. A second Ctrl-C leaves at once (the controller carries on).
    let interrupts = 0;
    const onInterrupt = () => {
      interrupts++;
      if (interrupts > 1) {
        process.stderr.write('[INFO] Leaving; the controller carries on with what it was doing (see `llm-pricing-mcp status`).\n');
        process.exit(130);
      }
      process.stderr.write('\n[INFO] Ctrl-C: asking the controller to call the deployment off...\n');
      adminCall(deployDir(flags), 'cancel', {}).then(
        (r) => process.stderr.write(`[INFO] ${r.data?.message ?? r.error ?? 'no answer'}\n`),
        (err: Error) => process.stderr.write(`[INFO] could not reach the controller: ${err.message}\n`),
      );
    };
    process.on('SIGINT', onInterrupt);
    try {
      await callController(flags, 'deploy', {
        ...(flags.version !== undefined && { version: flags.version }),
        ...(flags.from !== undefined && { from: flags.from }),
        ...(flags.gitRef !== undefined && { gitRef: flags.gitRef }),
        ...(flags.command !== undefined && { command: flags.command }),
        ...(flags.spec !== undefined && { specFile: flags.spec }),
        ...(flags.prices !== undefined && { prices: flags.prices }),
        ...(flags.overlay !== undefined && { overlay: flags.overlay }),
        ...(flags.removedNote !== undefined && { removedNote: flags.removedNote }),
        cwd: process.cwd(),
        ...(drainTimeoutMs !== undefined && { drainTimeoutMs }),
        ...(keepPreviousMs !== undefined && { keepPreviousMs }),
        manualPromote: flags.manualPromote === true,
        ...(analysisWindowMs !== undefined && { analysisWindowMs }),
        ...(maxErrorRate !== undefined && { maxErrorRate }),
      });
    } finally {
      process.off('SIGINT', onInterrupt);
    }
  });
}
