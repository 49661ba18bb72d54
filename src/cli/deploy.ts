import type { Command } from 'commander';
import { withCommonFlags } from '../deploy/cli-client.js';
import { UsageError, durationFlag } from './usage.js';

interface Flags {
  dir?: string;
  json?: boolean;
  version?: string;
  from?: string;
  gitRef?: string;
  command?: string;
  spec?: string;
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
      .description("blue-green deploy a version: start, validate, switch, drain, promote (the guide's five phases)")
      .requiredOption('--version <v>', 'the version to deploy (without --from/--git-ref/--command: the git tag v<version>)')
      .option('--from <dir>', 'a directory holding a built release of this project')
      .option('--git-ref <ref>', 'a git ref to check out, install and build')
      .option('--command <cmd>', 'any command that starts a Streamable HTTP MCP server on $PORT')
      .option('--spec <file>', 'validation expectations for a --command server')
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
    const { callController } = await import('../deploy/cli-client.js');
    await callController(flags, {
      cmd: 'deploy',
      args: {
        version: flags.version,
        from: flags.from,
        gitRef: flags.gitRef,
        command: flags.command,
        specFile: flags.spec,
        cwd: process.cwd(),
        drainTimeoutMs: durationFlag('--drain-timeout', flags.drainTimeout),
        keepPreviousMs: durationFlag('--keep-previous', flags.keepPrevious),
        manualPromote: flags.manualPromote === true,
        analysisWindowMs: durationFlag('--analysis-window', flags.analysisWindow),
        maxErrorRate,
      },
    });
  });
}
