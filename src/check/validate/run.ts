import { runFullSuite } from './full.js';
import { runIntegrationSuite } from './integration.js';
import { quickVerdict, runQuickSuite } from './quick.js';
import { Report } from './report.js';
import { loadSpec } from './spec.js';
import { startTarget } from './target.js';
import type { SuiteContext } from './probes.js';
import { DEFAULT_MAX_AVG_MS, DEFAULT_MAX_MAX_MS, DEFAULT_TIMEOUT_MS } from './types.js';
import type { ValidateOptions, ValidationResult } from './types.js';

export type { ValidateOptions, ValidationResult, CheckResult, Suite } from './types.js';

/** Thrown for options that cannot describe a run (no target, both targets, a bad URL, a bad expectations file). */
export class ValidateOptionsError extends Error {
  override name = 'ValidateOptionsError';
}

/**
 * Runs one suite against one server and reports each line through onLine.
 * Never prints and never exits: the CLI and the deploy controller decide what
 * to do with the result. Throws ValidateOptionsError for unusable options; a
 * server that misbehaves in any way is a failed result, not a throw.
 */
export async function runValidation(opts: ValidateOptions, onLine?: (line: string) => void): Promise<ValidationResult> {
  if (!['quick', 'integration', 'full'].includes(opts.suite)) {
    throw new ValidateOptionsError(`suite must be quick, integration or full, got "${String(opts.suite)}"`);
  }
  if ((opts.url === undefined) === (opts.stdio === undefined)) {
    throw new ValidateOptionsError('give exactly one of a URL (--url) or a command (--stdio)');
  }
  if (opts.url !== undefined) {
    let u: URL;
    try {
      u = new URL(opts.url);
    } catch {
      throw new ValidateOptionsError(`not a URL: ${opts.url}`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ValidateOptionsError(`the URL must be http(s): ${opts.url}`);
  }
  if (opts.stdio !== undefined && opts.stdio.trim() === '') throw new ValidateOptionsError('the --stdio command is empty');
  let spec;
  try {
    spec = await loadSpec(opts.specFile);
  } catch (err) {
    throw new ValidateOptionsError(err instanceof Error ? err.message : String(err));
  }

  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const ctx: SuiteContext = {
    spec,
    timeoutMs,
    ...(opts.expectVersion !== undefined && { expectVersion: opts.expectVersion }),
    maxAvgMs: opts.maxAvgMs ?? DEFAULT_MAX_AVG_MS,
    maxMaxMs: opts.maxMaxMs ?? DEFAULT_MAX_MAX_MS,
    ...(opts.scenarioMaxMs !== undefined && { scenarioMaxMs: opts.scenarioMaxMs }),
  };
  const report = new Report(onLine);
  const started = await startTarget(
    {
      ...(opts.url !== undefined && { url: opts.url }),
      ...(opts.stdio !== undefined && { stdio: opts.stdio }),
      timeoutMs,
      ...(opts.headers && { headers: opts.headers }),
    },
    spec,
  );
  try {
    if (opts.suite === 'quick') {
      await runQuickSuite(started, ctx, report);
      report.line(quickVerdict(report));
    } else if (opts.suite === 'integration') {
      await runIntegrationSuite(started, ctx, report);
    } else {
      await runFullSuite(started, ctx, report);
    }
  } catch (err) {
    // A bug or an unexpected transport failure still ends as a failed result.
    report.fail('Validation', `unexpected error: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await started.session?.close();
  }
  return report.result();
}
