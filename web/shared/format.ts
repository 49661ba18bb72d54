// How numbers read on the pages. Costs keep every digit the server sent (it rounds to 1e-10), so the page
// shows exactly what estimate_cost answered.

const usdCents = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const usdExact = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 10,
});
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 });

/** A cost in USD with all its digits ($0.0423, $1,234.50). */
export function usd(n: number): string {
  return usdExact.format(n);
}

/** A rate in USD ($3.00, $0.075). */
export function rate(n: number): string {
  return n >= 0.01 && Number.isInteger(n * 100) ? usdCents.format(n) : usdExact.format(n);
}

export function int(n: number): string {
  return integer.format(n);
}

export function num(n: number): string {
  return decimal.format(n);
}

/** 128000 → "128K", 1000000 → "1M", 2097152 → "2.1M". */
export function tokensShort(n: number): string {
  if (n >= 1_000_000) return `${decimal.format(Math.round(n / 100_000) / 10)}M`;
  if (n >= 1000) return `${decimal.format(Math.round(n / 1000))}K`;
  return integer.format(n);
}

/** "per 1M tokens", "per 1K requests", "per request". */
export function perUnit(per: number, unit: string): string {
  if (per === 1) return `per ${unit.replace(/s$/, '')}`;
  return `per ${tokensShort(per)} ${unit}`;
}
