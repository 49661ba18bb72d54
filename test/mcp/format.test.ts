// The text renderings format numbers without calling ICU for the common case
// (src/mcp/format.ts); what they print must stay exactly what
// Intl.NumberFormat('en-US') prints for the same options.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDecimal, formatInt, formatNumber, formatUsd } from '../../src/mcp/format.js';

const OPTIONS: Array<[number, number]> = [
  [2, 10], // formatUsd
  [0, 0], // formatInt
  [0, 4], // formatNumber
  [0, 2],
  [1, 3],
];
const FORMATS = OPTIONS.map(([min, max]) => ({
  min,
  max,
  intl: new Intl.NumberFormat('en-US', { minimumFractionDigits: min, maximumFractionDigits: max }),
}));

/** Where the two differ for n: "n min..max: ours | Intl's". */
function differences(n: number): string[] {
  const out: string[] = [];
  for (const f of FORMATS) {
    const ours = formatDecimal(n, f.min, f.max, f.intl);
    const intl = f.intl.format(n);
    if (ours !== intl) out.push(`${n} ${f.min}..${f.max}: ${ours} | ${intl}`);
  }
  return out;
}

/** Numbers like the ones we print: amounts rounded to some decimals, ties at the rounding digit, all magnitudes. */
const printed = fc.oneof(
  fc.double({ min: 0, max: 1e22, noNaN: true }),
  fc.double({ min: 0, max: 1e-5, noNaN: true }),
  fc.tuple(fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 14 })).map(([m, d]) => m / 10 ** d),
  fc.tuple(fc.nat({ max: 99_999_999 }), fc.integer({ min: 0, max: 12 })).map(([m, d]) => Number(`${m / 10 ** d}5`)),
  fc.integer({ min: -1000, max: 1000 }).map((x) => x / 8),
  fc.constantFrom(
    0,
    -0,
    0.5,
    1.5,
    2.5,
    1.005,
    0.00015,
    9.99995,
    999_999.99999,
    5e-7,
    1.5e-7,
    1e21,
    1e-10,
    0.1 + 0.2,
    NaN,
    Infinity,
    -Infinity,
  ),
);

describe('number formatting', () => {
  it('prints what Intl.NumberFormat prints, for 20,000 generated numbers and each option set', () => {
    const found: string[] = [];
    fc.assert(
      fc.property(printed, (n) => {
        found.push(...differences(n));
      }),
      { seed: 12, numRuns: 20_000 },
    );
    expect(found).toEqual([]);
  });

  it('edges: carries, grouping, tiny and huge numbers, negatives', () => {
    const edges = [0, 9.99999999995, 999.5, 999_999.5, 0.99995, 1234567.891, 1e-7, 1.23e-9, 9.5e-11, 123456789012345.6, -2.5, -0];
    expect(edges.flatMap(differences)).toEqual([]);
    expect(formatUsd(1234.5)).toBe('$1,234.50');
    expect(formatUsd(0.000375)).toBe('$0.000375');
    expect(formatInt(1_000_000)).toBe('1,000,000');
    expect(formatNumber(0.00015)).toBe('0.0002');
  });
});
