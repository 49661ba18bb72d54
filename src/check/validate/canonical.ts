import { openHttpSession } from './session.js';
import { firstText, isRecord } from './tool-checks.js';
import { loadSpec } from './spec.js';
import { DEFAULT_TIMEOUT_MS } from './types.js';

// The deploy controller compares the standby colour's answers with the active
// one's before switching: same canonical calls, then a readable diff.

/** Above this many differing leaves, diffAnswers summarizes the rest in one line. */
export const MAX_DIFF_LINES = 40;

/**
 * Calls every tool of the expectations file once with its canonical arguments
 * and returns the structuredContent of each, by tool name. Tools whose answers
 * change by themselves (`"stable": false`, e.g. telemetry) are left out. A call
 * that fails is recorded as `{ error: "<message>" }` so the diff shows it.
 */
export async function collectCanonicalAnswers(
  target: { url: string; headers?: Record<string, string>; timeoutMs?: number },
  specFile?: string,
): Promise<Record<string, unknown>> {
  const spec = await loadSpec(specFile);
  const timeoutMs = target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const session = await openHttpSession(target.url, timeoutMs, target.headers ?? {});
  const answers: Record<string, unknown> = {};
  try {
    for (const tool of spec.tools) {
      if (!tool.stable) continue;
      const outcome = await session.callTool(tool.name, tool.canonical, timeoutMs);
      if (!outcome.ok) answers[tool.name] = { error: outcome.error.message };
      else if (outcome.result.isError) answers[tool.name] = { error: firstText(outcome.result.content) };
      else answers[tool.name] = outcome.result.structuredContent ?? { text: firstText(outcome.result.content) };
    }
  } finally {
    await session.close();
  }
  return answers;
}

/**
 * One line per leaf that differs, e.g. `estimate_cost.total_cost: 0.27 -> 0.3`,
 * `get_all_pricing.models[2]: (absent) -> {...}`. Empty when the answers agree.
 */
export function diffAnswers(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const lines: string[] = [];
  walk('', before, after, lines);
  if (lines.length <= MAX_DIFF_LINES) return lines;
  return [...lines.slice(0, MAX_DIFF_LINES), `… and ${lines.length - MAX_DIFF_LINES} more differences`];
}

const ABSENT = Symbol('absent');

function walk(path: string, a: unknown, b: unknown, out: string[]): void {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      walk(`${path}[${i}]`, i < a.length ? a[i] : ABSENT, i < b.length ? b[i] : ABSENT, out);
    }
    return;
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of [...keys].sort()) {
      walk(path ? `${path}.${k}` : k, k in a ? a[k] : ABSENT, k in b ? b[k] : ABSENT, out);
    }
    return;
  }
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return;
  if (a !== ABSENT && b !== ABSENT && JSON.stringify(a) === JSON.stringify(b)) return;
  out.push(`${path}: ${show(a)} -> ${show(b)}`);
}

function show(v: unknown): string {
  if (v === ABSENT) return '(absent)';
  const text = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
