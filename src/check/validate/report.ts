import type { CheckResult, ValidationResult } from './types.js';

/** Collects the checks of one run and the lines a person reads, handing each line to onLine as it comes. */
export class Report {
  readonly lines: string[] = [];
  readonly checks: CheckResult[] = [];
  serverVersion: string | undefined;

  constructor(private readonly onLine?: (line: string) => void) {}

  line(text: string): void {
    this.lines.push(text);
    this.onLine?.(text);
  }

  /** Records a check without printing (suites that print their own line format). */
  record(check: CheckResult): CheckResult {
    this.checks.push(check);
    return check;
  }

  pass(name: string, text: string, ms?: number): void {
    this.record({ name, ok: true, ...(ms !== undefined && { ms: round1(ms) }) });
    this.line(`[PASS] ${text}`);
  }

  fail(name: string, reason: string, ms?: number): void {
    this.record({ name, ok: false, detail: reason, ...(ms !== undefined && { ms: round1(ms) }) });
    this.line(`[FAIL] ${name}: ${reason}`);
  }

  get failed(): CheckResult[] {
    return this.checks.filter((c) => !c.ok);
  }

  result(): ValidationResult {
    const ok = this.checks.length > 0 && this.failed.length === 0;
    return { ok, lines: this.lines, checks: this.checks, ...(this.serverVersion !== undefined && { serverVersion: this.serverVersion }) };
  }
}

export function round1(ms: number): number {
  return Math.round(ms * 10) / 10;
}
