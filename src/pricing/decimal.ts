// Exact decimal arithmetic for money. Published rates are decimals ("0.0375" USD
// per 1M tokens); binary floats cannot hold most of them, so a naive
// `tokens * rate / 1e6` prints things like 0.22499999999999998. We keep every
// amount as a bigint count of 1e-18 USD ("atto-dollars"), which holds
// tokens x rate/1e6 exactly for any rate with up to 12 decimals, sum exactly,
// and round once at the edge.

/** Decimal places of the fixed-point unit (1e-18 USD). */
const SCALE_DIGITS = 18;
/** A rate per 1M tokens with more decimals than this cannot be held exactly. */
export const MAX_RATE_DECIMALS = SCALE_DIGITS - 6;
/** Amounts leave this module rounded to 1e-10 USD. */
export const ROUND_DIGITS = 10;

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * The plain decimal text of a finite non-negative JS number, as the shortest
 * round-trip form prints it ("0.0375", never "3.75e-2").
 */
export function numberToDecimal(n: number): string {
  if (!Number.isFinite(n) || n < 0) throw new RangeError(`not a finite non-negative number: ${n}`);
  const text = String(n);
  const exp = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!exp) return text;
  const digits = (exp[1] ?? '') + (exp[2] ?? '');
  const power = Number(exp[3]) - (exp[2]?.length ?? 0);
  if (power >= 0) return digits + '0'.repeat(power);
  const pad = digits.padStart(-power + 1, '0');
  return trimDecimal(`${pad.slice(0, power)}.${pad.slice(power)}`);
}

function trimDecimal(text: string): string {
  if (!text.includes('.')) return text;
  return text.replace(/0+$/, '').replace(/\.$/, '');
}

/** Parse a non-negative decimal string into 1e-18 units of its value (exact). */
export function parseDecimal(text: string, maxDecimals = SCALE_DIGITS): bigint {
  const m = DECIMAL.exec(text);
  if (!m) throw new RangeError(`not a non-negative decimal: "${text}"`);
  const frac = m[2] ?? '';
  if (frac.replace(/0+$/, '').length > maxDecimals) {
    throw new RangeError(`"${text}" has more than ${maxDecimals} decimals`);
  }
  return BigInt(m[1] ?? '0') * 10n ** BigInt(SCALE_DIGITS) + BigInt(frac.padEnd(SCALE_DIGITS, '0').slice(0, SCALE_DIGITS) || '0');
}

const POW10: readonly bigint[] = Array.from({ length: SCALE_DIGITS + 1 }, (_, i) => 10n ** BigInt(i));

/** Parsed rates, keyed by their text: a catalog has a few hundred distinct rates, parsed once each. */
const rateCache = new Map<string, bigint>();
const RATE_CACHE_MAX = 10_000;

function parseRate(ratePerMTok: string): bigint {
  let rate = rateCache.get(ratePerMTok);
  if (rate === undefined) {
    rate = parseDecimal(ratePerMTok, MAX_RATE_DECIMALS);
    if (rateCache.size >= RATE_CACHE_MAX) rateCache.clear();
    rateCache.set(ratePerMTok, rate);
  }
  return rate;
}

/** Exact cost in 1e-18 USD of `tokens` at `ratePerMTok` (a decimal string). */
export function tokenCost(tokens: number, ratePerMTok: string): bigint {
  const rate = parseRate(ratePerMTok);
  // rate is in 1e-18 units per 1M tokens; divide by 1e6 exactly: rate has at
  // most 12 decimals, so rate is a multiple of 1e6 units.
  return (BigInt(tokens) * rate) / 1_000_000n;
}

/** `rate` x `factor` as decimal text, exact (both are decimals; the product has at most 18 decimals). */
export function scaleRate(rate: string, factor: string): string {
  return formatUnits((parseDecimal(rate) * parseDecimal(factor)) / SCALE);
}

/** Units rounded half-up to the 1e-10 USD every amount leaves this module with. */
export function roundUnits(units: bigint): bigint {
  const div = POW10[SCALE_DIGITS - ROUND_DIGITS] ?? 1n;
  const q = units / div;
  return (units % div >= div / 2n ? q + 1n : q) * div;
}

const SCALE = 10n ** BigInt(SCALE_DIGITS);

/** Decimal text of an amount in 1e-18 units, optionally rounded half-up to `maxDigits` decimals. */
export function formatUnits(units: bigint, maxDigits = SCALE_DIGITS): string {
  const negative = units < 0n;
  let abs = negative ? -units : units;
  if (maxDigits < SCALE_DIGITS) {
    const div = POW10[SCALE_DIGITS - maxDigits] ?? 1n;
    const q = abs / div;
    abs = (abs % div >= div / 2n ? q + 1n : q) * div;
  }
  const whole = abs / SCALE;
  const fracUnits = abs % SCALE;
  const sign = negative ? '-' : '';
  if (fracUnits === 0n) return `${sign}${whole}`;
  const frac = fracUnits.toString().padStart(SCALE_DIGITS, '0').replace(/0+$/, '');
  return `${sign}${whole}.${frac}`;
}

/**
 * The one rounding step: units -> JS number rounded half-up to 1e-10 USD. The
 * number is parsed from the short decimal text, so it prints as that text.
 */
export function unitsToNumber(units: bigint): number {
  if (units === 0n) return 0;
  // roundUnits(units) / TO_ROUND_UNIT, without building the rounded units first.
  const rounded = units / TO_ROUND_UNIT + (units % TO_ROUND_UNIT >= HALF_ROUND_UNIT ? 1n : 0n);
  // An integer count of 1e-10 USD divided by 1e10 is the double nearest the decimal, which prints as that
  // decimal; above 2^53 units (about $900,000) the text path keeps it exact.
  if (rounded <= MAX_SAFE && rounded >= -MAX_SAFE) return Number(rounded) / 1e10;
  return Number(formatUnits(units, ROUND_DIGITS));
}

const TO_ROUND_UNIT = 10n ** BigInt(SCALE_DIGITS - ROUND_DIGITS);
const HALF_ROUND_UNIT = TO_ROUND_UNIT / 2n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A decimal rate string divided by 1000 (per-1M -> per-1K), exact. */
export function perThousand(ratePerMTok: string): string {
  let text = perThousandCache.get(ratePerMTok);
  if (text === undefined) {
    text = formatUnits(parseDecimal(ratePerMTok) / 1000n);
    if (perThousandCache.size < RATE_CACHE_MAX) perThousandCache.set(ratePerMTok, text);
  }
  return text;
}
const perThousandCache = new Map<string, string>();
