import { describe, expect, it } from 'vitest';
import {
  BUCKET_COUNT,
  addSample,
  bucketIndex,
  bucketUpperBound,
  emptyCounts,
  isLatencyCounts,
  mergeInto,
  percentile,
} from '../../src/telemetry/histogram.js';

describe('latency histogram', () => {
  it('puts every value in a bucket whose bounds contain it', () => {
    for (const ms of [0.011, 0.05, 0.3, 1, 7.5, 42, 999, 12_345]) {
      const i = bucketIndex(ms);
      expect(bucketUpperBound(i)).toBeGreaterThanOrEqual(ms);
      if (i > 0) expect(bucketUpperBound(i - 1)).toBeLessThan(ms);
    }
    expect(bucketIndex(0)).toBe(0);
    expect(bucketIndex(-3)).toBe(0);
    expect(bucketIndex(Number.NaN)).toBe(0);
    expect(bucketIndex(1e12)).toBe(BUCKET_COUNT - 1);
  });

  it('reads percentiles within one bucket of the truth, never above the max', () => {
    const c = emptyCounts();
    for (let i = 1; i <= 1000; i++) addSample(c, i / 100, i % 10 !== 0); // 0.01 .. 10 ms, every 10th an error
    expect(c.calls).toBe(1000);
    expect(c.errors).toBe(100);
    const p50 = percentile(c, 0.5)!;
    const p99 = percentile(c, 0.99)!;
    expect(p50).toBeGreaterThanOrEqual(5);
    expect(p50).toBeLessThanOrEqual(5 * 1.19);
    expect(p99).toBeGreaterThanOrEqual(9.9);
    expect(p99).toBeLessThanOrEqual(10); // capped by max_ms
    expect(percentile(emptyCounts(), 0.5)).toBeNull();
  });

  it('merges by adding counts, so merged percentiles equal those of all samples together', () => {
    const a = emptyCounts();
    const b = emptyCounts();
    const all = emptyCounts();
    for (let i = 0; i < 300; i++) {
      const ms = (i * 7) % 50;
      addSample(i % 2 ? a : b, ms, true);
      addSample(all, ms, true);
    }
    mergeInto(a, b);
    expect(a.calls).toBe(300);
    expect(a.buckets).toEqual(all.buckets);
    expect(percentile(a, 0.95)).toBe(percentile(all, 0.95));
  });

  it('distrusts malformed counts read from disk', () => {
    const good = emptyCounts();
    addSample(good, 3, true);
    expect(isLatencyCounts(JSON.parse(JSON.stringify(good)))).toBe(true);
    expect(isLatencyCounts({ ...good, calls: -1 })).toBe(false);
    expect(isLatencyCounts({ ...good, buckets: { 500: 1 } })).toBe(false);
    expect(isLatencyCounts({ ...good, buckets: [1, 2] })).toBe(false);
    expect(isLatencyCounts(null)).toBe(false);
  });
});
