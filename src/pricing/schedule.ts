// Which price set is in force: at a moment (genai-prices' rule, daily windows
// included), or for the catalog's date (the default answer). The default never
// shows a discount window's price silently: when a model has daily windows
// (DeepSeek's off-peak hours), it is priced at its dearest set that day and the
// other windows are named as a condition.
import type { PriceConstraint, PriceSet, ScheduledPrices, TimeOfDayPrices } from './types.js';
import { parseDecimal } from './decimal.js';

const CLOCK = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|([+-])(\d{2}):(\d{2}))?$/;

/** Seconds after midnight UTC of a clock time such as "16:30:00Z" or "08:00:00+08:00". */
export function clockSeconds(text: string): number {
  const m = CLOCK.exec(text);
  if (!m) throw new RangeError(`not a time of day: "${text}"`);
  const local = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
  const offset = m[6] ? (m[6] === '+' ? 1 : -1) * (Number(m[7]) * 3600 + Number(m[8]) * 60) : 0;
  return (((local - offset) % 86400) + 86400) % 86400;
}

/** Whether the moment falls in the window: [start, end) of its day (a window may wrap past midnight), Monday to Friday only if so marked. */
export function inWindow(at: Date, w: { start_time: string; end_time: string; weekdays_only?: boolean }): boolean {
  if (w.weekdays_only && (at.getUTCDay() === 0 || at.getUTCDay() === 6)) return false;
  return inDailyWindow(at, w.start_time, w.end_time);
}

function inDailyWindow(at: Date, start: string, end: string): boolean {
  const t = at.getUTCHours() * 3600 + at.getUTCMinutes() * 60 + at.getUTCSeconds();
  const s = clockSeconds(start);
  const e = clockSeconds(end);
  return e < s ? t >= s || t < e : t >= s && t < e;
}

export interface InForce {
  prices: PriceSet;
  constraint?: PriceConstraint;
}

/** Whether the dated set last listed before entry `i` (if any) has started at `at`: a daily window belongs to it. */
function periodStarted(schedule: readonly ScheduledPrices[], i: number, at: Date): boolean {
  for (let j = i - 1; j >= 0; j--) {
    const c = schedule[j]!.constraint;
    if (c?.type === 'start_date') return at.getTime() >= Date.parse(c.start_date);
  }
  return true;
}

/**
 * genai-prices' rule: from the last entry back, the first whose constraint holds at `at` (or has none); with one
 * refinement, a daily window listed after a dated set holds only once that set has started (genai-prices' own
 * comments on DeepSeek V4 name the earlier requests its layout would misprice).
 */
export function pricesAt(schedule: readonly ScheduledPrices[], at: Date): InForce {
  for (let i = schedule.length - 1; i >= 0; i--) {
    const entry = schedule[i]!;
    const c = entry.constraint;
    if (c === undefined) return { prices: entry.prices };
    if (c.type === 'start_date' ? at.getTime() >= Date.parse(c.start_date) : inWindow(at, c) && periodStarted(schedule, i, at)) {
      return { prices: entry.prices, constraint: c };
    }
  }
  return { prices: schedule[0]!.prices };
}

export interface DayPrices {
  /** The set the default estimate uses. */
  prices: PriceSet;
  /** Start date of the dated set in force that day, if any. */
  since?: string;
  timeOfDay?: TimeOfDayPrices;
}

/**
 * The prices for a day: the dated set in force (daily windows aside), and the
 * daily windows that override it, listed after it in the data. The default
 * is the dearest of these (by a 3:1 blend of input and output).
 */
export function pricesForDay(schedule: readonly ScheduledPrices[], day: Date): DayPrices {
  let chosen = 0;
  for (let i = schedule.length - 1; i >= 0; i--) {
    const c = schedule[i]!.constraint;
    if (c === undefined || (c.type === 'start_date' && day.getTime() >= Date.parse(c.start_date))) {
      chosen = i;
      break;
    }
  }
  const base = schedule[chosen]!;
  const since = base.constraint?.type === 'start_date' ? base.constraint.start_date : undefined;
  const windows: TimeOfDayPrices['windows'] = [];
  for (const entry of schedule.slice(chosen + 1)) {
    const c = entry.constraint;
    if (c?.type === 'start_date') break; // the windows after it belong to a later period
    if (c?.type === 'time_of_day')
      windows.push({
        start_time: c.start_time,
        end_time: c.end_time,
        ...(c.weekdays_only && { weekdays_only: true }),
        prices: entry.prices,
      });
  }
  const out: DayPrices = { prices: base.prices };
  if (since) out.since = since;
  if (windows.length > 0) {
    out.timeOfDay = { outside: base.prices, windows };
    for (const w of windows) if (blend(w.prices) > blend(out.prices)) out.prices = w.prices;
  }
  return out;
}

/** A 3:1 blend of input and output rates, to tell the dearer of two price sets. */
export function blend(p: PriceSet): bigint {
  return 3n * parseDecimal(p.input_mtok?.rate ?? '0') + parseDecimal(p.output_mtok?.rate ?? '0');
}
