import type { DeployContext, DeployOptions } from './context.js';
import type { Colour } from './defaults.js';
import { otherColour } from './defaults.js';
import { failpoint } from './failpoint.js';
import { Phases, deployResult as result, secs, up } from './deploy-phases.js';
import { startAnalysis } from './post-switch-watch.js';
import { describeData, describeRelease, prepareRelease, releaseIdentity } from './release.js';
import type { ReleaseRequest } from './release.js';
import type { PendingDeploy, ReleaseSpec } from './state.js';
import type { RpcOutput, RpcResult } from './unix-rpc.js';
import { compareAnswers, comparePrices, priceChangeLines, validateColour } from './validation.js';

/**
 * `deploy`: phases 1 and 2, then (unless --manual-promote) 3 to 5. The caller holds the deploy
 * lock throughout. `signal` is the operator's Ctrl-C: before the switch it calls the deploy off
 * (the new colour stops, the active one is untouched); from the switch on it is refused.
 */
export async function runDeploy(
  ctx: DeployContext,
  req: ReleaseRequest | ReleaseSpec,
  opts: DeployOptions,
  out: RpcOutput,
  signal: AbortSignal,
): Promise<RpcResult> {
  const t0 = Date.now();
  const st = ctx.state;
  const active = st.active;
  const colour: Colour = active ? otherColour(active) : 'blue';
  const version = req.version;
  const p = new Phases(ctx, out, version, colour);
  const pending: PendingDeploy = {
    version,
    colour,
    from: active,
    startedAt: new Date().toISOString(),
    phase: 0,
    manualPromote: opts.manualPromote,
    drainTimeoutMs: opts.drainTimeoutMs,
    keepPreviousMs: opts.keepPreviousMs,
  };
  await st.change({
    deploy: pending,
    event: {
      event: 'deploy',
      status: 'started',
      version,
      colour,
      from: active ? st.colour(active).version : null,
      identity: releaseIdentity(req),
      data: describeData(req.data),
    },
  });

  const abandon = async (name: string, reason: string): Promise<RpcResult> => {
    const cancelled = signal.aborted;
    if (cancelled) reason = `cancelled by the operator (Ctrl-C) in phase ${p.phase}`;
    p.fail(name, reason);
    if (ctx.procs[colour].running || (st.colour(colour).status !== 'stopped' && st.colour(colour).status !== 'failed')) {
      p.line(`  [INFO] Stopping ${up(colour)}...`);
      await ctx.stopColour(
        colour,
        `deploy of v${version} ${cancelled ? 'cancelled' : `failed: ${reason}`}`,
        cancelled ? 'stopped' : 'failed',
      );
    } else {
      await st.change({ colours: { [colour]: { note: `deploy of v${version} failed: ${reason}` } } });
    }
    await st.change({
      deploy: null,
      event: { event: 'deploy', status: cancelled ? 'cancelled' : 'failed', version, colour, reason, durationMs: Date.now() - t0 },
    });
    const keeps = active ? `${up(active)} (v${st.colour(active).version}) keeps serving, untouched` : 'nothing was serving before';
    p.line('');
    p.line(
      cancelled
        ? `[CANCELLED] Deployment of v${version} called off before the switch: ${up(colour)} stopped; ${keeps}`
        : `[FAIL] Blue-green deployment to v${version} FAILED: ${reason}; ${keeps}`,
    );
    return result(false, { version, colour, lines: p.lines, cancelled }, reason);
  };

  // ---- Phase 1: start the standby colour and wait until it is ready ----
  await p.begin(1, 'start', `Starting ${colour} environment...`);
  let release: ReleaseSpec;
  try {
    // A previous colour still kept warm in this slot gives way to the new release.
    if (ctx.procs[colour].running || (st.colour(colour).status !== 'stopped' && st.colour(colour).status !== 'failed')) {
      p.line(`  [INFO] Stopping ${up(colour)} (v${st.colour(colour).version}), kept warm from the last deploy, to make room`);
      await ctx.stopColour(colour, `replaced by v${version}`);
    }
    if (signal.aborted) return await abandon('start', 'cancelled');
    release = 'kind' in req ? req : await prepareRelease(req, ctx.dir, (l) => p.line(l), signal);
    p.line(`  [INFO] Release v${version}: ${describeRelease(release)}; ${describeData(release.data)}`);
    if (signal.aborted) return await abandon('start', 'cancelled');
    const { pid, readyMs } = await ctx.startColour(colour, release, ctx.defaults.readyTimeoutMs, signal);
    p.pass('start', `${up(colour)} environment started (PID: ${pid}) on ${where(ctx, colour)}, ready`, { pid, readyMs });
  } catch (err) {
    return abandon('start', (err as Error).message);
  }

  // ---- Phase 2: the quick suite through the router's preview, and how the answers differ from the active colour ----
  await p.begin(2, 'validate', `Validating ${colour} environment...`);
  const url = `${ctx.routerBase}/mcp`;
  try {
    p.line("  Running the quick suite (the guide's quick_validate) through the router's preview...");
    const v = await validateColour(
      url,
      {
        expectVersion: version,
        specFile: release.specFile,
        timeoutMs: ctx.defaults.validateTimeoutMs,
        maxAvgMs: ctx.defaults.validateMaxAvgMs,
        maxMaxMs: ctx.defaults.validateMaxMaxMs,
        headers: ctx.previewHeaders(colour),
      },
      (l) => p.line(`  ${l}`),
    );
    if (signal.aborted) return await abandon('validate', 'cancelled');
    if (!v.ok) return await abandon('validate', `validation failed: ${v.reason}`);
    if (!ctx.procs[colour].running) return await abandon('validate', `${colour} exited during validation`);
    if (active && ctx.procs[active].running) {
      const was = `${up(active)} (v${st.colour(active).version})`;
      try {
        const diff = await compareAnswers(
          { url, headers: ctx.previewHeaders(active) },
          { url, headers: ctx.previewHeaders(colour) },
          release.specFile,
        );
        st.event({ event: 'answers', version, colour, against: { colour: active, version: st.colour(active).version }, changes: diff });
        if (diff.length === 0) p.line(`  [INFO] Canonical answers unchanged from ${was}`);
        else {
          p.line(`  [INFO] Canonical answers changed from ${was}:`);
          for (const d of diff) p.line(`    ${d}`);
        }
      } catch (err) {
        p.line(`  [INFO] Could not compare answers with ${up(active)}: ${(err as Error).message}`);
        st.event({
          event: 'answers',
          version,
          colour,
          against: { colour: active, version: st.colour(active).version },
          error: (err as Error).message,
        });
      }
      await showPriceChanges(ctx, active, colour, version, p);
    }
    if (signal.aborted) return await abandon('validate', 'cancelled');
    p.pass('validate', `${up(colour)} validation passed`);
  } catch (err) {
    return abandon('validate', (err as Error).message);
  }

  if (opts.manualPromote) {
    ctx.pending = { colour, version, opts };
    p.line('');
    p.line(
      `[INFO] ${up(colour)} (v${version}) is validated and waiting: \`llm-pricing-mcp promote\` switches traffic to it, \`abort\` stops it.`,
    );
    p.line(
      `[INFO] Preview it through the router with the header X-Deployment-Color: ${colour} (${ctx.publicUrl}; from loopback, or with the preview token)`,
    );
    st.event({ event: 'deploy', status: 'waiting', version, colour });
    return result(true, { version, colour, waiting: true, lines: p.lines });
  }
  return finishDeploy(ctx, colour, version, opts, p, t0);
}

/**
 * Phases 3 to 5: the switch (saved with the decision to keep the previous colour warm, before the
 * router is told), the drain of the previous colour, and the promotion. From here a controller
 * crash is finished by the next controller, never reverted.
 */
export async function finishDeploy(
  ctx: DeployContext,
  colour: Colour,
  version: string,
  opts: DeployOptions,
  p: Phases,
  t0 = Date.now(),
): Promise<RpcResult> {
  const st = ctx.state;
  const previous = st.active !== colour ? st.active : null;
  const keepUntil = opts.keepPreviousMs > 0 ? new Date(Date.now() + opts.keepPreviousMs).toISOString() : null;
  const d = st.data.deploy;
  // ---- Phase 3: the switch ----
  const routed = p.begin(3, 'switch', `Swapping traffic to ${colour} environment...`, {
    ...(d !== null && { deploy: { ...d, phase: 3, from: previous } }),
    active: colour,
    previous,
    colours: { [colour]: { status: 'active' }, ...(previous && { [previous]: { status: 'draining', keepUntil } }) },
  });
  failpoint('switch-saved'); // saved, and the router may not have the new table yet
  const sw = (await routed) ?? { switchMs: 0 };
  st.event({ event: 'switch', from: previous, to: colour, version, switchMs: sw.switchMs });
  p.pass('switch', `Traffic switched to ${up(colour)} (v${version}) in ${sw.switchMs.toFixed(2)} ms`, { switchMs: sw.switchMs });
  startAnalysis(ctx, colour, version, opts);

  // ---- Phase 4: drain the previous colour; keep it warm for a rollback or stop it ----
  if (previous && ctx.procs[previous].running) {
    await p.begin(4, 'drain', `Monitoring previous ${previous} environment for graceful shutdown...`);
    failpoint('draining');
    // Kept warm, the old colour still serves its idle sessions after the drain; stopped, it must wait for them.
    const dr = await ctx.router.call('drain', {
      colour: previous,
      timeoutMs: opts.drainTimeoutMs,
      ...(opts.keepPreviousMs > 0 && { sessionIdleMs: ctx.defaults.sessionIdleMs }),
    });
    if (st.active !== colour) return rolledBack(ctx, colour, version, p);
    st.event({
      event: 'drain',
      colour: previous,
      durationMs: Math.round(dr.ms),
      inFlightLeft: dr.inFlightLeft,
      sessionsLeft: dr.sessionsLeft,
      timedOut: dr.timedOut,
    });
    if (dr.timedOut) {
      p.line(
        `  [INFO] Drain timeout (${secs(opts.drainTimeoutMs)}): ${dr.inFlightLeft} requests and ${dr.sessionsLeft} MCP sessions still on ${up(previous)}`,
      );
    }
    if (keepUntil !== null && st.colour(previous).status === 'draining') {
      await st.move(previous, 'standby');
      ctx.keepWarm(previous);
      p.pass('drain', `${up(previous)} drained in ${secs(dr.ms)}; kept warm for instant rollback until ${keepUntil}`);
    } else if (st.colour(previous).status === 'draining') {
      p.line(`  [INFO] Stopping ${up(previous)} environment...`);
      await ctx.stopColour(previous, `replaced by v${version}`);
      p.pass('drain', `${up(previous)} drained in ${secs(dr.ms)} and stopped`);
    }
  } else if (previous) {
    await p.begin(4, 'drain', `Previous ${previous} environment is not running: nothing to drain`);
    p.pass('drain', 'nothing to drain');
  }

  // ---- Phase 5: the new colour is the primary ----
  await p.begin(5, 'promote', `Promoting ${colour} to primary...`);
  failpoint('promoting');
  ctx.pending = null;
  const total = Date.now() - t0;
  await st.change({
    deploy: null,
    event: {
      event: 'deploy',
      status: 'succeeded',
      version,
      colour,
      identity: releaseIdentity({ version, data: st.colour(colour).release?.data }),
      durationMs: total,
      switchMs: sw.switchMs,
    },
  });
  p.pass('promote', `${up(colour)} (v${version}) is the primary environment`);
  p.line(`  [SUCCESS] Blue-green deployment to v${version} SUCCESSFUL (${secs(total)})`);
  if (ctx.analysis?.active) {
    p.line(
      `  [INFO] Watching ${up(colour)} for ${secs(opts.analysisWindowMs)}: automatic rollback above ${(opts.maxErrorRate * 100).toFixed(0)}% errors or on a crash`,
    );
  }
  return result(true, { version, colour, switchMs: sw.switchMs, durationMs: total, lines: p.lines });
}

/** Phase 2's price diff: every price the new colour serves differently from the active one, each on a line. */
async function showPriceChanges(ctx: DeployContext, active: Colour, colour: Colour, version: string, p: Phases): Promise<void> {
  const st = ctx.state;
  const was = `${up(active)} (v${st.colour(active).version}; ${describeData(st.colour(active).release?.data)})`;
  try {
    const { changes, after } = await comparePrices(
      ctx.routerBase,
      ctx.previewHeaders(active),
      ctx.previewHeaders(colour),
      ctx.defaults.validateTimeoutMs,
    );
    if (changes.length === 0) p.line(`  [INFO] Prices unchanged from ${was}: ${Object.keys(after.prices).length} models compared`);
    else {
      p.line(`  [INFO] Prices changed from ${was} to ${up(colour)} (data as of ${after.data_as_of}):`);
      for (const l of priceChangeLines(changes)) p.line(`    ${l}`);
    }
    st.event({
      event: 'prices',
      from: active,
      to: colour,
      version,
      data: describeData(st.colour(colour).release?.data),
      changes: changes.filter((c) => c.field !== 'model').length,
      modelsAdded: changes.filter((c) => c.field === 'model' && c.old === null).length,
      modelsRemoved: changes.filter((c) => c.field === 'model' && c.new === null).length,
    });
  } catch (err) {
    p.line(`  [INFO] Could not compare prices with ${up(active)}: ${(err as Error).message}`);
  }
}

function where(ctx: DeployContext, colour: Colour): string {
  const l = ctx.state.colour(colour).listen;
  return l === null ? '?' : 'socketPath' in l ? `socket ${l.socketPath}` : `port ${l.port}`;
}

/** The analysis rolled the deploy back while phase 4 was still draining. */
async function rolledBack(ctx: DeployContext, colour: Colour, version: string, p: Phases): Promise<RpcResult> {
  const reason = `rolled back automatically: ${ctx.state.colour(colour).note ?? 'the post-switch analysis failed'}`;
  p.fail('drain', reason);
  ctx.pending = null;
  if (ctx.state.data.deploy !== null) await ctx.state.change({ deploy: null });
  p.line(`[FAIL] Blue-green deployment to v${version} FAILED: ${reason}`);
  return result(false, { version, colour, lines: p.lines }, reason);
}
