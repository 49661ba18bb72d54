import type { AdminOutput, AdminResult } from './admin.js';
import { Analysis } from './analysis.js';
import type { AnalysisVerdict } from './analysis.js';
import type { Controller } from './controller.js';
import type { Colour } from './defaults.js';
import { otherColour } from './defaults.js';
import { describeRelease, prepareRelease } from './release.js';
import type { ReleaseRequest } from './release.js';
import type { ReleaseSpec } from './state.js';
import { compareAnswers, validateColour } from './validation.js';
import { instantRollback } from './rollback-flow.js';

export interface DeployOptions {
  drainTimeoutMs: number;
  keepPreviousMs: number;
  manualPromote: boolean;
  analysisWindowMs: number;
  maxErrorRate: number;
}

const up = (c: Colour) => c.toUpperCase();
const secs = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

/** Prints a line to the client and remembers it for the --json result. */
class Phases {
  readonly lines: string[] = [];
  private phaseStart = 0;
  private phase = 0;
  constructor(
    private readonly ctl: Controller,
    private readonly out: AdminOutput,
    private readonly version: string,
    private readonly colour: Colour,
  ) {}
  line(text: string): void {
    this.lines.push(text);
    this.out.line(text);
  }
  begin(phase: number, name: string, text: string): void {
    if (this.phase) this.line('');
    this.phase = phase;
    this.phaseStart = Date.now();
    this.line(`[PHASE ${phase}] ${text}`);
    this.ctl.event({ event: 'phase', phase, name, status: 'started', version: this.version, colour: this.colour });
    if (this.ctl.state.deploy) {
      this.ctl.state.deploy.phase = phase;
      this.ctl.save();
    }
  }
  pass(name: string, text: string, extra: Record<string, unknown> = {}): void {
    const ms = Date.now() - this.phaseStart;
    this.line(`  [SUCCESS] ${text} (${secs(ms)})`);
    this.ctl.event({
      event: 'phase',
      phase: this.phase,
      name,
      status: 'passed',
      version: this.version,
      colour: this.colour,
      durationMs: ms,
      ...extra,
    });
  }
  fail(name: string, reason: string): void {
    const ms = Date.now() - this.phaseStart;
    this.line(`  [FAIL] ${reason} (${secs(ms)})`);
    this.ctl.event({
      event: 'phase',
      phase: this.phase,
      name,
      status: 'failed',
      version: this.version,
      colour: this.colour,
      durationMs: ms,
      reason,
    });
  }
}

/** `deploy`: phases 1 and 2, then (unless --manual-promote) 3 to 5. Holds the controller's lock throughout. */
export async function runDeploy(
  ctl: Controller,
  req: ReleaseRequest | ReleaseSpec,
  opts: DeployOptions,
  out: AdminOutput,
): Promise<AdminResult> {
  const t0 = Date.now();
  const active = ctl.state.active;
  const colour: Colour = active ? otherColour(active) : 'blue';
  const version = req.version;
  const p = new Phases(ctl, out, version, colour);
  ctl.state.deploy = { version, colour, startedAt: new Date().toISOString(), phase: 0, manualPromote: opts.manualPromote };
  ctl.save();
  ctl.event({ event: 'deploy', status: 'started', version, colour, from: active ? ctl.state.colours[active].version : null });

  const abandon = async (name: string, reason: string): Promise<AdminResult> => {
    p.fail(name, reason);
    if (ctl.procs[colour].running || ctl.router.targets[colour].state !== 'stopped') {
      await ctl.stopColour(colour, `deploy of v${version} failed: ${reason}`, 'failed');
    } else {
      ctl.state.colours[colour].note = `deploy of v${version} failed: ${reason}`;
    }
    ctl.state.deploy = null;
    ctl.save();
    const keeps = active ? `${up(active)} (v${ctl.state.colours[active].version}) keeps serving` : 'nothing was serving before';
    p.line('');
    p.line(`[FAIL] Blue-green deployment to v${version} FAILED: ${reason}; ${keeps}`);
    ctl.event({ event: 'deploy', status: 'failed', version, colour, reason, durationMs: Date.now() - t0 });
    return { type: 'result', ok: false, exitCode: 1, error: reason, data: { version, colour, lines: p.lines } };
  };

  // ---- Phase 1: start the standby colour and wait until it is ready ----
  p.begin(1, 'start', `Starting ${colour} environment...`);
  let release: ReleaseSpec;
  try {
    // A previous colour still kept warm in this slot gives way to the new release.
    if (ctl.procs[colour].running || ctl.router.targets[colour].state !== 'stopped') {
      p.line(`  [INFO] Stopping ${up(colour)} (v${ctl.state.colours[colour].version}), kept warm from the last deploy, to make room`);
      await ctl.stopColour(colour, `replaced by v${version}`);
    }
    release = 'kind' in req ? req : await prepareRelease(req, ctl.dir, (l) => p.line(l));
    p.line(`  [INFO] Release v${version}: ${describeRelease(release)}`);
    const { pid, readyMs } = await ctl.startColour(colour, release, ctl.defaults.readyTimeoutMs);
    p.pass('start', `${up(colour)} environment started (PID: ${pid}) on port ${ctl.state.colours[colour].port}, ready`, { pid, readyMs });
  } catch (err) {
    return abandon('start', (err as Error).message);
  }

  // ---- Phase 2: the quick suite against it, and how its answers differ from the active colour ----
  p.begin(2, 'validate', `Validating ${colour} environment...`);
  const port = ctl.state.colours[colour].port;
  const url = `http://${ctl.host}:${port}/mcp`;
  try {
    p.line("  Running the quick suite (the guide's quick_validate)...");
    const v = await validateColour(
      url,
      {
        expectVersion: version,
        specFile: release.specFile,
        timeoutMs: ctl.defaults.validateTimeoutMs,
        maxAvgMs: ctl.defaults.validateMaxAvgMs,
        maxMaxMs: ctl.defaults.validateMaxMaxMs,
      },
      (l) => p.line(`  ${l}`),
    );
    if (!v.ok) return abandon('validate', `validation failed: ${v.reason}`);
    if (!ctl.procs[colour].running) return abandon('validate', `${colour} exited during validation`);
    if (active && ctl.procs[active].running) {
      const activePort = ctl.state.colours[active].port;
      try {
        const diff = await compareAnswers(`http://${ctl.host}:${activePort}/mcp`, url, release.specFile);
        if (diff.length === 0) p.line(`  [INFO] Canonical answers unchanged from ${up(active)} (v${ctl.state.colours[active].version})`);
        else {
          p.line(`  [INFO] Canonical answers changed from ${up(active)} (v${ctl.state.colours[active].version}):`);
          for (const d of diff) p.line(`    ${d}`);
        }
      } catch (err) {
        p.line(`  [INFO] Could not compare answers with ${up(active)}: ${(err as Error).message}`);
      }
    }
    p.pass('validate', `${up(colour)} validation passed`);
  } catch (err) {
    return abandon('validate', (err as Error).message);
  }

  if (opts.manualPromote) {
    ctl.pending = { colour, version, opts: opts as unknown as Record<string, unknown> };
    ctl.state.deploy!.phase = 2;
    ctl.save();
    p.line('');
    p.line(
      `[INFO] ${up(colour)} (v${version}) is validated and waiting: \`llm-pricing-mcp promote\` switches traffic to it, \`abort\` stops it.`,
    );
    p.line(`[INFO] Preview it through the router with the header X-Deployment-Color: ${colour} (${ctl.publicUrl})`);
    ctl.event({ event: 'deploy', status: 'waiting', version, colour });
    return { type: 'result', ok: true, exitCode: 0, data: { version, colour, waiting: true, lines: p.lines } };
  }
  return finishDeploy(ctl, colour, version, opts, p, t0);
}

/** Phases 3 to 5: switch, drain the previous colour (keep it warm or stop it), mark the new one stable. */
export async function finishDeploy(
  ctl: Controller,
  colour: Colour,
  version: string,
  opts: DeployOptions,
  p?: Phases,
  t0 = Date.now(),
): Promise<AdminResult> {
  const out = p ?? new Phases(ctl, { line: () => {}, event: () => {} }, version, colour);
  return finishWith(ctl, colour, version, opts, out, t0);
}

export function phasesFor(ctl: Controller, out: AdminOutput, version: string, colour: Colour): Phases {
  return new Phases(ctl, out, version, colour);
}

async function finishWith(
  ctl: Controller,
  colour: Colour,
  version: string,
  opts: DeployOptions,
  p: Phases,
  t0: number,
): Promise<AdminResult> {
  const previous = ctl.state.active;
  // ---- Phase 3: the switch ----
  p.begin(3, 'switch', `Swapping traffic to ${colour} environment...`);
  const sw = ctl.router.switchTo(colour);
  ctl.state.active = colour;
  ctl.state.previous = previous !== colour ? previous : null;
  ctl.setStatus(colour, 'active');
  if (previous && previous !== colour) ctl.setStatus(previous, 'draining');
  ctl.save();
  ctl.event({ event: 'switch', from: sw.from, to: colour, version, switchMs: sw.ms });
  p.pass('switch', `Traffic switched to ${up(colour)} (v${version}) in ${sw.ms.toFixed(2)} ms`, { switchMs: sw.ms });
  startAnalysis(ctl, colour, version, opts);

  // ---- Phase 4: drain the previous colour; keep it warm for a rollback or stop it ----
  if (previous && previous !== colour && ctl.procs[previous].running) {
    p.begin(4, 'drain', `Monitoring previous ${previous} environment for graceful shutdown...`);
    // Kept warm, the old colour still serves its idle sessions after the drain; stopped, it must wait for them.
    const d = await ctl.router.drain(previous, opts.drainTimeoutMs, opts.keepPreviousMs > 0 ? ctl.defaults.sessionIdleMs : undefined);
    if (ctl.state.active !== colour) return rolledBack(ctl, colour, version, p);
    ctl.event({
      event: 'drain',
      colour: previous,
      durationMs: Math.round(d.ms),
      inFlightLeft: d.inFlightLeft,
      sessionsLeft: d.sessionsLeft,
      timedOut: d.timedOut,
    });
    if (d.timedOut)
      p.line(
        `  [INFO] Drain timeout (${secs(opts.drainTimeoutMs)}): ${d.inFlightLeft} requests and ${d.sessionsLeft} MCP sessions still on ${up(previous)}`,
      );
    if (opts.keepPreviousMs > 0 && ctl.state.active === colour) {
      const target = ctl.router.targets[previous];
      if (target.state === 'draining') target.setState('standby');
      ctl.setStatus(previous, 'standby');
      ctl.keepWarm(previous, opts.keepPreviousMs);
      ctl.save();
      p.pass(
        'drain',
        `${up(previous)} drained in ${secs(d.ms)}; kept warm for instant rollback until ${ctl.state.colours[previous].keepUntil}`,
      );
    } else {
      p.line(`  [INFO] Stopping ${up(previous)} environment...`);
      await ctl.stopColour(previous, `replaced by v${version}`);
      p.pass('drain', `${up(previous)} drained in ${secs(d.ms)} and stopped`);
    }
  } else {
    p.begin(4, 'drain', 'No previous environment to drain');
    if (previous && previous !== colour) {
      // It was not running at the switch (crashed, maybe waiting for a restart): stop for good.
      await ctl.stopColour(previous, `not running when v${version} took over`);
    }
    p.pass('drain', 'Nothing to stop');
  }

  if (ctl.state.active !== colour) return rolledBack(ctl, colour, version, p);
  // ---- Phase 5: the new colour is the primary ----
  p.begin(5, 'promote', `Promoting ${colour} to primary...`);
  ctl.state.deploy = null;
  ctl.pending = null;
  ctl.save();
  p.pass('promote', `${up(colour)} (v${version}) is the primary environment`);
  const total = Date.now() - t0;
  p.line(`  [SUCCESS] Blue-green deployment to v${version} SUCCESSFUL (${secs(total)})`);
  if (ctl.analysis?.active) {
    p.line(
      `  [INFO] Watching ${up(colour)} for ${secs(opts.analysisWindowMs)}: automatic rollback above ${(opts.maxErrorRate * 100).toFixed(0)}% errors or on a crash`,
    );
  }
  ctl.event({ event: 'deploy', status: 'succeeded', version, colour, durationMs: total, switchMs: sw.ms });
  return { type: 'result', ok: true, exitCode: 0, data: { version, colour, switchMs: sw.ms, durationMs: total, lines: p.lines } };
}

/** The analysis rolled the deploy back while phase 4 was still draining. */
function rolledBack(ctl: Controller, colour: Colour, version: string, p: Phases): AdminResult {
  const reason = `rolled back automatically: ${ctl.state.colours[colour].note ?? 'the post-switch analysis failed'}`;
  p.fail('drain', reason);
  ctl.state.deploy = null;
  ctl.pending = null;
  ctl.save();
  p.line(`[FAIL] Blue-green deployment to v${version} FAILED: ${reason}`);
  return { type: 'result', ok: false, exitCode: 1, error: reason, data: { version, colour, lines: p.lines } };
}

/** The post-switch watch; on a breach it rolls back by itself while the previous colour is warm. */
function startAnalysis(ctl: Controller, colour: Colour, version: string, opts: DeployOptions): void {
  ctl.analysis?.cancel();
  if (opts.analysisWindowMs <= 0) {
    ctl.analysis = null;
    return;
  }
  ctl.analysis = new Analysis(
    ctl.router.targets[colour],
    {
      windowMs: opts.analysisWindowMs,
      maxErrorRate: opts.maxErrorRate,
      minRequests: ctl.defaults.analysisMinRequests,
      maxAvgLatencyMs: ctl.defaults.analysisMaxAvgLatencyMs,
    },
    (v: AnalysisVerdict) => {
      ctl.event({
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
      if (v.passed) return;
      void autoRollback(ctl, colour, v.reason);
    },
  );
}

async function autoRollback(ctl: Controller, colour: Colour, reason: string): Promise<void> {
  if (ctl.state.active !== colour) return;
  const prev = ctl.state.previous;
  if (!prev || !ctl.procs[prev].running) {
    ctl.event({
      event: 'rollback',
      automatic: true,
      from: colour,
      to: prev,
      failed: `no warm previous environment to roll back to (${reason})`,
    });
    ctl.note(colour, `analysis failed (${reason}) but no previous environment was warm`);
    ctl.save();
    return;
  }
  await instantRollback(ctl, prev, `automatic: ${reason}`, { line: () => {}, event: () => {} });
}
