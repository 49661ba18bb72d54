import type { Command } from 'commander';
import { resolve } from 'node:path';
import { adminCall, NoControllerError } from './admin.js';
import type { AdminRequest, AdminResult } from './admin.js';
import { DefaultDir } from './defaults.js';

export interface CommonFlags {
  dir?: string;
  json?: boolean;
}

/** --dir and --json, which every deploy verb takes. */
export function withCommonFlags(cmd: Command): Command {
  return cmd
    .option('--dir <dir>', "the controller's directory (default: $DEPLOY_DIR or .deploy)")
    .option('--json', 'print one JSON result instead of text');
}

export function deployDir(flags: CommonFlags): string {
  return resolve(flags.dir ?? process.env.DEPLOY_DIR ?? DefaultDir);
}

/**
 * Sends one request to the controller and prints what comes back: progress lines as they
 * arrive (text mode) or one JSON object at the end (--json). Sets the exit code from the result.
 * `render` turns a successful result's data into text.
 */
export async function callController(
  flags: CommonFlags,
  req: AdminRequest,
  render: (data: unknown) => string | undefined = () => undefined,
): Promise<AdminResult | undefined> {
  const dir = deployDir(flags);
  let result: AdminResult;
  try {
    result = await adminCall(dir, req, (m) => {
      if (!flags.json && m.type === 'line') process.stdout.write(m.text + '\n');
    });
  } catch (err) {
    if (err instanceof NoControllerError) {
      if (flags.json) process.stdout.write(JSON.stringify({ ok: false, error: err.message }) + '\n');
      else process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = 1;
      return undefined;
    }
    throw err;
  }
  if (flags.json) {
    process.stdout.write(
      JSON.stringify({ ok: result.ok, exitCode: result.exitCode, data: result.data, error: result.error }, null, 2) + '\n',
    );
  } else if (result.ok) {
    const text = render(result.data);
    if (text) process.stdout.write(text + '\n');
  } else {
    process.stderr.write(`error: ${result.error ?? 'failed'}\n`);
  }
  process.exitCode = result.exitCode;
  return result;
}
