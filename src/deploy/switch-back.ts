import type { DeployContext } from './context.js';
import type { Colour } from './defaults.js';
import type { RpcOutput } from './unix-rpc.js';

const up = (c: Colour) => c.toUpperCase();

/**
 * Switches traffic back to a colour that is still running (warm): one route table to the router.
 * The colour rolled back from drains and stops afterwards, in the background.
 */
export async function instantRollback(
  ctx: DeployContext,
  to: Colour,
  reason: string,
  out: RpcOutput,
): Promise<{ switchMs: number; from: Colour | null }> {
  const st = ctx.state;
  const from = st.active !== to ? st.active : null;
  ctx.analysis?.cancel();
  ctx.analysis = null;
  ctx.pending = null;
  ctx.cancelKeep(to);
  const sw = (await st.change({
    active: to,
    previous: null,
    deploy: null,
    colours: {
      [to]: { status: 'active', keepUntil: null },
      ...(from !== null && { [from]: { status: 'draining', note: `rolled back: ${reason}` } }),
    },
  })) ?? { switchMs: 0 };
  const version = st.colour(to).version;
  st.event({ event: 'rollback', from, to, version, switchMs: sw.switchMs, reason });
  out.line(`[SUCCESS] Traffic switched back to ${up(to)} (v${version}) in ${sw.switchMs.toFixed(2)} ms`);
  if (from !== null) {
    const key = `cleanup:${from}`;
    ctx.locks.set(key, `stopping ${from} after a rollback`);
    out.line(`  [INFO] Draining and stopping ${up(from)} (v${st.colour(from).version}) in the background`);
    void (async () => {
      try {
        // A crashed colour has nothing left to drain.
        if (ctx.procs[from].running)
          await ctx.router.call('drain', { colour: from, timeoutMs: ctx.defaults.drainTimeoutMs }).catch(() => undefined);
        if (st.colour(from).status === 'draining') await ctx.stopColour(from, `rolled back: ${reason}`);
      } catch (err) {
        ctx.log.error({ err }, 'cleanup after rollback failed');
      } finally {
        ctx.locks.delete(key);
      }
    })();
  }
  return { switchMs: sw.switchMs, from };
}
