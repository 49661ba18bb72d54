// Number formatting for the short text renderings, and decimal-safe arithmetic on
// the already-rounded USD amounts the pricing core returns.

const usd = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 10 });
const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const plain = new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 });

/** "$0.27", "$0.000375", "$1,234.50". */
export function formatUsd(n: number): string {
  return `$${usd.format(n)}`;
}

export function formatInt(n: number): string {
  return whole.format(n);
}

export function formatNumber(n: number): string {
  return plain.format(n);
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
