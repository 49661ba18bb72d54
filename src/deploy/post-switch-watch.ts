import { Analysis } from './analysis.js';
import type { AnalysisVerdict } from './analysis.js';
import type { DeployContext, DeployOptions } from './context.js';
import type { Colour } from './defaults.js';
import { instantRollback } from './switch-back.js';

// After the switch: the new colour's traffic watched for the analysis window, and the automatic rollback.

/** The post-switch watch; on a breach it rolls back by itself while the previous colour is warm. */
export function startAnalysis(ctx: DeployContext, colour: Colour, version: string, opts: DeployOptions): void {
  ctx.analysis?.cancel();
  if (opts.analysisWindowMs <= 0) {
    ctx.analysis = null;
    return;
  }
  const traffic = {
    colour,
    counts: async () => (await ctx.router.call('status', {})).colours[colour],
    inspect: async (on: boolean) => void (await ctx.router.call('inspect', { colour, on })),
  };
  ctx.analysis = new Analysis(
    traffic,
    {
      windowMs: opts.analysisWindowMs,
      maxErrorRate: opts.maxErrorRate,
      minRequests: ctx.defaults.analysisMinRequests,
      maxAvgLatencyMs: ctx.defaults.analysisMaxAvgLatencyMs,
    },
    (v: AnalysisVerdict) => {
      ctx.state.event({
        event: 'analysis',
        colour,
        version,
        passed: v.passed,
        reason: v.reason,
        requests: v.requests,
        errors: v.errors,
        errorRate: v.errorRate,
        avgLatencyMs: Math.round(v.avgLatencyMs * 10) / 10,
      });
      if (!v.passed) void autoRollback(ctx, colour, v.reason);
    },
  );
}

async function autoRollback(ctx: DeployContext, colour: Colour, reason: string): Promise<void> {
  const st = ctx.state;
  if (st.active !== colour) return;
  const prev = st.data.previous;
  if (!prev || !ctx.procs[prev].running) {
    await st.change({
      colours: { [colour]: { note: `analysis failed (${reason}) but no previous environment was warm` } },
      event: {
        event: 'rollback',
        automatic: true,
        from: colour,
        to: prev,
        failed: `no warm previous environment to roll back to (${reason})`,
      },
    });
    return;
  }
  await instantRollback(ctx, prev, `automatic: ${reason}`, { line: () => {}, event: () => {} });
}
