import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { AdminAnswers, AdminArgs, AdminVerb } from '../deploy/admin-protocol.js';
import { NoControllerError, adminCall } from '../deploy/admin-client.js';
import { DefaultDir } from '../deploy/defaults.js';
import type { RpcResult } from '../deploy/unix-rpc.js';

// The deploy verbs' one way to the controller: a typed call over its admin socket (the admin
// protocol says what each verb sends and gets back), progress printed as it arrives, the answer
// formatted here, on the client side.

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
 * Sends one verb and prints what comes back: progress lines as they arrive (text mode) or one
 * JSON object at the end (--json). Sets the exit code from the result. `render` turns a
 * successful answer into text.
 */
export async function callController<K extends AdminVerb>(
  flags: CommonFlags,
  verb: K,
  args: AdminArgs<K>,
  render: (data: AdminAnswers[K]) => string | undefined = () => undefined,
  onProgress: (line: string) => void = (line) => process.stdout.write(line + '\n'),
): Promise<RpcResult | undefined> {
  const dir = deployDir(flags);
  let result: RpcResult & { data?: AdminAnswers[K] };
  try {
    result = await adminCall(dir, verb, args, (m) => {
      if (!flags.json && m.type === 'line') onProgress(m.text);
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
    const text = render(result.data as AdminAnswers[K]);
    if (text) process.stdout.write(text + '\n');
  } else {
    process.stderr.write(`error: ${result.error ?? 'failed'}\n`);
  }
  process.exitCode = result.exitCode;
  return result;
}
