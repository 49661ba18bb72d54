import type { AdminAnswers, AdminArgs, AdminVerb } from './admin-protocol.js';
import { AdminSocketName } from './defaults.js';
import { NoServerError, callRpc, socketPathIn } from './unix-rpc.js';
import type { RpcMessage, RpcResult } from './unix-rpc.js';

export class NoControllerError extends Error {
  override name = 'NoControllerError';
}

/** Sends one verb (typed by the admin protocol) to the controller in `dir`; its progress messages go to onMessage. */
export async function adminCall<K extends AdminVerb>(
  dir: string,
  verb: K,
  args: AdminArgs<K>,
  onMessage: (m: RpcMessage) => void = () => {},
): Promise<RpcResult & { data?: AdminAnswers[K] }> {
  const path = socketPathIn(dir, AdminSocketName);
  try {
    return (await callRpc(path, { op: verb, args }, onMessage)) as RpcResult & { data?: AdminAnswers[K] };
  } catch (err) {
    if (err instanceof NoServerError) {
      throw new NoControllerError(`no controller at ${path}: start it with \`llm-pricing-mcp controller --dir ${dir}\``);
    }
    throw err;
  }
}
