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

/** 850 → "850 ms", 3400 → "3.4 s", 125000 → "2 min 5 s", 11520000 → "3 h 12 min", 190800000 → "2 d 5 h". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${decimal.format(Math.round(ms / 100) / 10)} s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

/** 0.0423 → "4.2%" (one decimal; two below 1%). */
export function percent(share: number): string {
  const p = share * 100;
  return `${p > 0 && p < 1 ? p.toFixed(2) : p.toFixed(1)}%`;
}

const timeOfDay = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dayAndTime = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** A moment in local time: "14:03:22" today, "2 Dec, 14:03:22" another day. */
export function clock(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toDateString() === new Date().toDateString() ? timeOfDay.format(d) : dayAndTime.format(d);
}
