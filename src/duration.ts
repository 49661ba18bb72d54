// The one duration grammar of every verb's flags and environment variables:
// `500ms`, `30s`, `10m`, `1h`, or a bare number, which means seconds
// (so `--drain-timeout 30` and `DEPLOY_DRAIN_TIMEOUT=30` both mean 30 s).

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const grammar = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;

export class DurationError extends Error {
  override name = 'DurationError';
}

/** Milliseconds for `text`; throws a DurationError naming `what` (a flag or variable) when it is not a duration. */
export function parseDuration(text: string, what = 'duration'): number {
  const m = grammar.exec(text.trim());
  if (!m) throw new DurationError(`${what} must be a duration like 500ms, 30s or 10m (a bare number is seconds), got "${text}"`);
  return Math.round(Number(m[1]) * units[m[2] ?? 's']!);
}

/** A duration from the environment variable `name`, or `fallbackMs` when unset or empty. A bad value is an error, not a silent default. */
export function envDuration(name: string, fallbackMs: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallbackMs;
  return parseDuration(raw, name);
}

/** Writes `ms` back in the grammar (whole units when they fit), e.g. for a child's command line. */
export function formatDuration(ms: number): string {
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${Math.round(ms)}ms`;
}
