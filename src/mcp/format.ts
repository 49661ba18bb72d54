// Number formatting for the short text renderings, and decimal-safe arithmetic on
// the already-rounded USD amounts the pricing core returns.
//
// The renderings print what Intl.NumberFormat('en-US', …) prints, but a call of
// ICU's formatter costs about half a µs and a tool answer makes several, so the
// common case (a finite number from 0 up to 1e21) is done here the way ICU does
// it: the shortest round-trip decimal of the number, rounded half away from zero
// (halfExpand) to the most fraction digits, trailing zeros trimmed to the least,
// thousands grouped with commas. Everything else goes to Intl itself.
// test/mcp/format.test.ts holds the two to the same output.

const usd = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 10 });
const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const plain = new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 });

/** "$0.27", "$0.000375", "$1,234.50". */
export function formatUsd(n: number): string {
  return `$${formatDecimal(n, 2, 10, usd)}`;
}

export function formatInt(n: number): string {
  return formatDecimal(n, 0, 0, whole);
}

export function formatNumber(n: number): string {
  return formatDecimal(n, 0, 4, plain);
}

/** `intl.format(n)` for an Intl.NumberFormat('en-US') with these fraction digits (and no other option). */
export function formatDecimal(n: number, minFraction: number, maxFraction: number, intl: Intl.NumberFormat): string {
  // NaN, negatives (and -0, which Intl prints "-0") and numbers String() writes with a positive exponent.
  if (!(n >= 0) || n >= 1e21 || Object.is(n, -0)) return intl.format(n);
  const text = String(n);
  let int: string;
  let frac: string;
  const e = text.indexOf('e');
  if (e >= 0) {
    // Below 1e-6: "1.5e-7" is 0.00000015.
    const digits = text.slice(0, e).replace('.', '');
    int = '0';
    frac = '0'.repeat(-Number(text.slice(e + 1)) - 1) + digits;
  } else {
    const dot = text.indexOf('.');
    int = dot < 0 ? text : text.slice(0, dot);
    frac = dot < 0 ? '' : text.slice(dot + 1);
  }
  if (frac.length > maxFraction) {
    const roundUp = frac.charCodeAt(maxFraction) >= 53; /* '5' */
    frac = frac.slice(0, maxFraction);
    if (roundUp) [int, frac] = increment(int, frac);
  }
  let end = frac.length;
  while (end > minFraction && frac.charCodeAt(end - 1) === 48 /* '0' */) end--;
  if (end < frac.length) frac = frac.slice(0, end);
  else if (frac.length < minFraction) frac = frac.padEnd(minFraction, '0');
  return frac === '' ? group(int) : `${group(int)}.${frac}`;
}

/** int.frac plus one unit in the last place of frac (or of int when frac is empty), as decimal text. */
function increment(int: string, frac: string): [string, string] {
  const digits = (int + frac).split('');
  let i = digits.length - 1;
  for (; i >= 0; i--) {
    if (digits[i] !== '9') {
      digits[i] = String.fromCharCode(digits[i]!.charCodeAt(0) + 1);
      break;
    }
    digits[i] = '0';
  }
  const all = (i < 0 ? '1' : '') + digits.join('');
  const cut = all.length - frac.length;
  return [all.slice(0, cut), all.slice(cut)];
}

/** "1234567" -> "1,234,567". */
function group(int: string): string {
  if (int.length <= 3) return int;
  let start = int.length % 3 || 3;
  let out = int.slice(0, start);
  for (; start < int.length; start += 3) out += `,${int.slice(start, start + 3)}`;
  return out;
}

/** Rounds to 1e-10 USD, the precision the pricing core uses, removing binary float noise (0.27 - 0.15 = 0.12). */
export function roundUsd(n: number): number {
  return Math.round(n * 1e10) / 1e10;
}

/** A published decimal rate ("2.5") as a number for structured output; undefined stays null. */
export function rateNumber(rate: string | undefined): number | null {
  if (rate === undefined) return null;
  const n = Number(rate);
  return Number.isFinite(n) ? n : null;
}

/** Rounds to `digits` decimals for scores. */
export function roundTo(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
