import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { firstText } from './tool-checks.js';
import { tidyMessage } from './session.js';
import type { CallOutcome, Session } from './session.js';
import type { ValidationSpec } from './spec.js';

// The steps every suite shares: the error-handling probe, the timing run, and
// telling a dead server from a failing call.

export interface SuiteContext {
  spec: ValidationSpec;
  timeoutMs: number;
  expectVersion?: string;
  maxAvgMs: number;
  maxMaxMs: number;
  /** The full suite's limit on one scenario (default SCENARIO_MAX_MS). */
  scenarioMaxMs?: number;
}

/** Set once the server can no longer answer (process gone, connection closed): later steps are skipped. */
export function deadReason(session: Session, outcome?: CallOutcome): string | undefined {
  const exit = session.exitDescription();
  if (exit) {
    const stderr = session.stderrTail();
    return `server process ${exit}${stderr ? ` (stderr: ${stderr.split('\n').slice(-2).join(' | ')})` : ''}`;
  }
  if (outcome && !outcome.ok && outcome.code === ErrorCode.ConnectionClosed) return 'connection closed by the server';
  if (outcome && !outcome.ok && outcome.network) return `server not reachable (${outcome.error.message})`;
  return undefined;
}

/** The version check behind --expect-version; undefined when it passes. */
export function versionProblem(session: Session, expected: string | undefined): string | undefined {
  if (expected === undefined) return undefined;
  const reported = session.client.getServerVersion()?.version;
  if (reported === expected) return undefined;
  return `server reports version ${reported ?? '(none)'}, expected ${expected}`;
}

/** Bad arguments must give an isError result or -32602; an unknown tool a JSON-RPC error; the server must live on. */
export async function errorHandlingProblem(session: Session, spec: ValidationSpec, timeoutMs: number): Promise<string | undefined> {
  const bad = await invalidParamsProblem(session, spec, timeoutMs);
  if (bad) return `bad arguments to ${spec.errors.badArguments.tool}: ${bad}`;
  const unknown = await invalidToolProblem(session, spec, timeoutMs);
  if (unknown) return unknown;
  try {
    await session.client.ping({ timeout: timeoutMs });
  } catch (err) {
    return `server stopped answering after the error cases: ${deadReason(session) ?? (err instanceof Error ? err.message : String(err))}`;
  }
  return undefined;
}

export async function invalidToolProblem(session: Session, spec: ValidationSpec, timeoutMs: number): Promise<string | undefined> {
  const name = spec.errors.unknownTool;
  const outcome = await session.callTool(name, {}, timeoutMs);
  const dead = deadReason(session, outcome);
  if (dead) return `unknown tool "${name}": ${dead}`;
  if (outcome.ok) {
    const how = outcome.result.isError ? `an isError result ("${firstText(outcome.result.content).slice(0, 80)}")` : 'a normal result';
    return `unknown tool "${name}" gave ${how}, expected a JSON-RPC error`;
  }
  if (outcome.code === undefined || outcome.code === ErrorCode.RequestTimeout) {
    return `unknown tool "${name}": ${outcome.error.message}`;
  }
  return undefined;
}

/** The spec's bad arguments must give an isError result or JSON-RPC -32602. */
export async function invalidParamsProblem(session: Session, spec: ValidationSpec, timeoutMs: number): Promise<string | undefined> {
  const bad = spec.errors.badArguments;
  const outcome = await session.callTool(bad.tool, bad.arguments, timeoutMs);
  const dead = deadReason(session, outcome);
  if (dead) return dead;
  if (outcome.ok)
    return outcome.result.isError ? undefined : `${JSON.stringify(bad.arguments)} were accepted (no isError result, no -32602 error)`;
  if (outcome.code === ErrorCode.InvalidParams) return undefined;
  return `gave "${tidyMessage(outcome.error.message)}", expected an isError result or error -32602`;
}

export interface TimingRun {
  samples: number[];
  problem?: string;
}

/** The guide's performance probe: `calls` sequential calls of the timing tool with its canonical arguments. */
export async function timeCalls(session: Session, spec: ValidationSpec, timeoutMs: number): Promise<TimingRun> {
  const tool = spec.tools.find((t) => t.name === spec.timing.tool)!;
  const samples: number[] = [];
  for (let i = 0; i < spec.timing.calls; i++) {
    const outcome = await session.callTool(tool.name, tool.canonical, timeoutMs);
    if (!outcome.ok || outcome.result.isError) {
      const why = outcome.ok
        ? `returned an error result: ${firstText(outcome.result.content).slice(0, 120)}`
        : (deadReason(session, outcome) ?? outcome.error.message);
      return { samples, problem: `call ${i + 1} of ${spec.timing.calls} to ${tool.name} failed: ${why}` };
    }
    samples.push(outcome.ms);
  }
  return { samples };
}

export function findTool(listed: Tool[], name: string): Tool | undefined {
  return listed.find((t) => t.name === name);
}
