// Latency histogram with a fixed, shared bucket layout, so histograms from many
// processes (blue, green, restarts) merge by adding counts. Memory is constant
// no matter how many calls are recorded; a percentile is read from the buckets
// with at most ~19% overestimate (one bucket's width), capped by the true max.

/** Upper bound of bucket i is FIRST_BOUND_MS * 2^(i / STEPS_PER_DOUBLING). */
export const FIRST_BOUND_MS = 0.01;
export const STEPS_PER_DOUBLING = 4;
/** 96 buckets reach 0.01 ms * 2^23.75 ≈ 140 s; slower calls land in the last bucket. */
export const BUCKET_COUNT = 96;

/** Sparse bucket counts: bucket index -> number of samples. */
export type Buckets = Record<string, number>;

export interface LatencyCounts {
  calls: number;
  errors: number;
  sum_ms: number;
  max_ms: number;
  buckets: Buckets;
}

export function emptyCounts(): LatencyCounts {
  return { calls: 0, errors: 0, sum_ms: 0, max_ms: 0, buckets: {} };
}

export function bucketIndex(ms: number): number {
  if (!(ms > FIRST_BOUND_MS)) return 0; // also catches NaN and negatives
  const i = Math.ceil(STEPS_PER_DOUBLING * Math.log2(ms / FIRST_BOUND_MS));
  return i >= BUCKET_COUNT ? BUCKET_COUNT - 1 : i;
}

export function bucketUpperBound(index: number): number {
  return FIRST_BOUND_MS * 2 ** (index / STEPS_PER_DOUBLING);
}

export function addSample(counts: LatencyCounts, ms: number, ok: boolean): void {
  const safeMs = Number.isFinite(ms) && ms > 0 ? ms : 0;
  counts.calls += 1;
  if (!ok) counts.errors += 1;
  counts.sum_ms += safeMs;
  if (safeMs > counts.max_ms) counts.max_ms = safeMs;
  const key = String(bucketIndex(safeMs));
  counts.buckets[key] = (counts.buckets[key] ?? 0) + 1;
}

/** Adds `from` into `into` (both use the same bucket layout). */
export function mergeInto(into: LatencyCounts, from: LatencyCounts): void {
  into.calls += from.calls;
  into.errors += from.errors;
  into.sum_ms += from.sum_ms;
  if (from.max_ms > into.max_ms) into.max_ms = from.max_ms;
  for (const [key, n] of Object.entries(from.buckets)) {
    into.buckets[key] = (into.buckets[key] ?? 0) + n;
  }
}

export function cloneCounts(c: LatencyCounts): LatencyCounts {
  return { calls: c.calls, errors: c.errors, sum_ms: c.sum_ms, max_ms: c.max_ms, buckets: { ...c.buckets } };
}

/** The q-quantile (0 < q <= 1) in ms: the upper bound of the bucket holding it, never above the max seen. */
export function percentile(counts: LatencyCounts, q: number): number | null {
  const total = Object.values(counts.buckets).reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  const keys = Object.keys(counts.buckets)
    .map(Number)
    .sort((a, b) => a - b);
  let seen = 0;
  for (const key of keys) {
    seen += counts.buckets[String(key)] ?? 0;
    if (seen >= rank) return roundMs(Math.min(bucketUpperBound(key), counts.max_ms));
  }
  return roundMs(counts.max_ms);
}

/** Milliseconds to 3 decimals (microseconds), for display. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Checks a parsed JSON value has the LatencyCounts shape (files from disk are untrusted). */
export function isLatencyCounts(v: unknown): v is LatencyCounts {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  if (!isCount(c.calls) || !isCount(c.errors) || !isNonNeg(c.sum_ms) || !isNonNeg(c.max_ms)) return false;
  if (typeof c.buckets !== 'object' || c.buckets === null || Array.isArray(c.buckets)) return false;
  for (const [key, n] of Object.entries(c.buckets)) {
    const idx = Number(key);
    if (!Number.isInteger(idx) || idx < 0 || idx >= BUCKET_COUNT || !isCount(n)) return false;
  }
  return true;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isNonNeg(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}
