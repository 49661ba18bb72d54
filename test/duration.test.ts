import { afterEach, describe, expect, it } from 'vitest';
import { DurationError, envDuration, formatDuration, parseDuration } from '../src/duration.js';

describe('the one duration grammar', () => {
  afterEach(() => {
    delete process.env.TEST_DURATION;
  });

  it('reads ms, s, m and h, and a bare number as seconds', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('30')).toBe(30_000);
    expect(parseDuration(' 1.5s ')).toBe(1500);
  });

  it('refuses anything else, naming the flag or variable', () => {
    for (const bad of ['', 'ten', '-1s', '5 s', '3d', '1e3']) expect(() => parseDuration(bad, '--drain-timeout')).toThrow(DurationError);
    expect(() => parseDuration('soon', '--drain-timeout')).toThrow(/--drain-timeout must be a duration like 500ms, 30s or 10m/);
  });

  it('gives environment variables the same grammar as flags: 30 is 30 seconds', () => {
    process.env.TEST_DURATION = '30';
    expect(envDuration('TEST_DURATION', 1)).toBe(30_000);
    process.env.TEST_DURATION = '';
    expect(envDuration('TEST_DURATION', 7)).toBe(7);
    process.env.TEST_DURATION = 'later';
    expect(() => envDuration('TEST_DURATION', 7)).toThrow(/TEST_DURATION must be a duration/);
  });

  it('writes durations back so that they read the same', () => {
    for (const ms of [250, 1000, 9000, 60_000, 90_000, 600_000]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});
