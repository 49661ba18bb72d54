import { describe, expect, it } from 'vitest';
import { PERFORMANCE_SCORE_FORMULA, performanceScore, valueScore } from '../../src/mcp/catalog-view.js';

describe('performance and value scores (as documented in the tool output)', () => {
  it('follows the stated formula', () => {
    expect(performanceScore(400, 150, 1_000_000)).toBe(100);
    expect(performanceScore(800, 50, 2_000_000)).toBe(100); // every component caps at 1
    expect(performanceScore(200, 300, 8_000)).toBe(40); // 0.4·0.5 + 0.4·0.5 + 0.2·0
    expect(performanceScore(400, null, null)).toBe(70); // missing latency and context count 0.5
    expect(performanceScore(null, null, 128_000)).toBeNull();
    expect(PERFORMANCE_SCORE_FORMULA).toContain('0.4 × speed');
  });

  it('divides the score by the blended price', () => {
    expect(valueScore(60, 2.5)).toBe(24);
    expect(valueScore(50, 3)).toBe(16.67);
    expect(valueScore(null, 2)).toBeNull();
    expect(valueScore(50, 0)).toBeNull();
    expect(valueScore(50, null)).toBeNull();
  });
});
