import type { DeployContext } from './context.js';
import type { Colour } from './defaults.js';
import type { RpcOutput, RpcResult } from './unix-rpc.js';

// A deploy's voice: the lines its client sees, each phase saved and logged as it begins and ends, and its answer.

export const up = (c: Colour) => c.toUpperCase();
export const secs = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

/** The deploy's answer (the admin protocol's `deploy` data). */
export interface DeployAnswer {
  version: string;
  colour: Colour;
  lines: string[];
  waiting?: boolean;
  cancelled?: boolean;
  switchMs?: number;
  durationMs?: number;
}

/** Prints a line to the client and remembers it; saves the phase and logs it as it begins and ends. */
export class Phases {
  readonly lines: string[] = [];
  private phaseStart = 0;
  phase = 0;
  constructor(
    private readonly ctx: DeployContext,
    private readonly out: RpcOutput,
    private readonly version: string,
    private readonly colour: Colour,
  ) {}
  line(text: string): void {
    this.lines.push(text);
    this.out.line(text);
  }
  /** Starts phase `phase`; `with` is saved in the same write (the switch is saved with phase 3). */
  async begin(
    phase: number,
    name: string,
    text: string,
    with_: Parameters<DeployContext['state']['change']>[0] = {},
  ): Promise<{ switchMs: number } | null> {
    if (this.phase) this.line('');
    this.phase = phase;
    this.phaseStart = Date.now();
    this.line(`[PHASE ${phase}] ${text}`);
    const d = this.ctx.state.data.deploy;
    return this.ctx.state.change({
      ...with_,
      ...(d !== null && with_.deploy === undefined && { deploy: { ...d, phase } }),
      event: { event: 'phase', phase, name, status: 'started', version: this.version, colour: this.colour },
    });
  }
  pass(name: string, text: string, extra: Record<string, unknown> = {}): void {
    this.end(name, 'passed', `[SUCCESS] ${text}`, extra);
  }
  fail(name: string, reason: string): void {
    this.end(name, 'failed', `[FAIL] ${reason}`, { reason });
  }
  /** Ends the current phase: its line with the time it took, and its event in deployment.log. */
  private end(name: string, status: 'passed' | 'failed', text: string, extra: Record<string, unknown>): void {
    const ms = Date.now() - this.phaseStart;
    this.line(`  ${text} (${secs(ms)})`);
    this.ctx.state.event({
      event: 'phase',
      phase: this.phase,
      name,
      status,
      version: this.version,
      colour: this.colour,
      durationMs: ms,
      ...extra,
    });
  }
}

export const deployResult = (ok: boolean, data: DeployAnswer, error?: string): RpcResult => ({
  type: 'result',
  ok,
  exitCode: ok ? 0 : 1,
  data,
  error,
});
