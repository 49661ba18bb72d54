import { parseDuration } from '../duration.js';

// Exit codes shared by every verb: 0 success, 1 the check/operation failed, 2 bad usage.
export const EXIT_OK = 0;
export const EXIT_FAIL = 1;
export const EXIT_USAGE = 2;

/** Thrown by a verb for bad flags or arguments; main prints the message and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses a positive integer flag or throws a UsageError naming the flag. */
export function intFlag(name: string, value: string | undefined, opts: { min?: number; max?: number } = {}): number | undefined {
  if (value === undefined) return undefined;
  const min = opts.min ?? 1;
  if (!/^\d+$/.test(value)) throw new UsageError(`${name} must be a whole number, got "${value}"`);
  const n = Number(value);
  if (n < min || (opts.max !== undefined && n > opts.max)) {
    throw new UsageError(`${name} must be between ${min} and ${opts.max ?? 'any'}, got ${n}`);
  }
  return n;
}

/** Parses a duration in the one grammar of src/duration.ts ("500ms", "30s", "10m"; bare = seconds) into milliseconds. */
export function durationFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseDuration(value, name);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
