// Conditions of time: which dated price set priced an answer, and the daily
// windows (DeepSeek's off-peak hours) in words and as data.
import type { CostCondition, ModelEntry, PriceSet, TimeOfDayPrices } from './types.js';
import { blend, inWindow, pricesAt, pricesForDay } from './schedule.js';

/** "$0.27 in / $1.1 out per 1M" for a price set. */
export function describeSet(p: PriceSet): string {
  const input = p.input_mtok?.rate ?? '0';
  const output = p.output_mtok?.rate;
  return output === undefined ? `$${input} in per 1M tokens` : `$${input} in / $${output} out per 1M tokens`;
}

function clock(t: string): string {
  return t.replace(/:00(\.0+)?(?=Z|[+-]|$)/, '').replace(/Z$/, ' UTC');
}

function windowsData(model: ModelEntry) {
  const tod = model.time_of_day!;
  return {
    outside: { input_per_1m: Number(tod.outside.input_mtok?.rate ?? 0), output_per_1m: Number(tod.outside.output_mtok?.rate ?? 0) },
    windows: tod.windows.map((w) => ({
      start_time: w.start_time,
      end_time: w.end_time,
      input_per_1m: Number(w.prices.input_mtok?.rate ?? 0),
      output_per_1m: Number(w.prices.output_mtok?.rate ?? 0),
    })),
  };
}

function windowsInWords(model: ModelEntry): string {
  const tod = model.time_of_day!;
  const ws = tod.windows.map((w) => `${windowName(w.prices, tod.outside)} hours ${span(w)}: ${describeSet(w.prices)}`);
  return `${ws.join('; ')}; other times: ${describeSet(tod.outside)}`;
}

/** Conditions of the default answer: the dated set's start, and the daily windows with the one priced. */
export function defaultTimeConditions(model: ModelEntry): CostCondition[] {
  const out: CostCondition[] = [];
  if (model.price_since) {
    out.push({ kind: 'price_date', description: `prices in force since ${model.price_since}`, since: model.price_since });
  }
  if (model.time_of_day) {
    const tod = model.time_of_day;
    const window = tod.windows.find((w) => w.prices === model.prices);
    const dearest = window ? `the ${windowName(window.prices, tod.outside)} price` : 'the price at other times';
    out.push({
      kind: 'time_of_day',
      description:
        `the price depends on the time of day: ${windowsInWords(model)}. This estimate uses the standard (dearest) ` +
        `rate, ${dearest}; pass at (an ISO date-time) to price a given moment.`,
      applied: 'standard',
      ...windowsData(model),
    });
  }
  return out;
}

/** "peak" for a window dearer than the price at other times, "off-peak" for a cheaper one. */
function windowName(window: PriceSet, outside: PriceSet): 'peak' | 'off-peak' {
  return blend(window) > blend(outside) ? 'peak' : 'off-peak';
}

/** "00:30–16:30 UTC", "01:00–04:00 UTC on weekdays" */
function span(w: { start_time: string; end_time: string; weekdays_only?: boolean }): string {
  return `${clock(w.start_time).replace(/ UTC$/, '')}–${clock(w.end_time)}${w.weekdays_only ? ' on weekdays' : ''}`;
}

/**
 * The daily windows at `at`, in words: which window (or "other times") priced it, at what price, and the other
 * prices of that day, so a user sees why the moment got the price it got.
 */
function timeOfDayAt(tod: TimeOfDayPrices, at: Date, iso: string): CostCondition {
  const time = `${iso.slice(11, 16)} UTC`;
  const inside = tod.windows.find((w) => inWindow(at, w));
  if (inside) {
    const name = windowName(inside.prices, tod.outside);
    const others = tod.windows
      .filter((w) => w !== inside)
      .map((w) => `${windowName(w.prices, tod.outside)} ${span(w)}: ${describeSet(w.prices)}`);
    const outsideName = name === 'peak' ? 'off-peak' : 'standard';
    return {
      kind: 'time_of_day',
      description:
        `at ${iso} (${time}, in the ${name} hours ${span(inside)}) the ${name} price applies: ${describeSet(inside.prices)}; ` +
        [...others, `${outsideName} at other times: ${describeSet(tod.outside)}`].join('; '),
      applied: name === 'peak' ? 'peak' : 'off_peak',
      at: iso,
      start_time: inside.start_time,
      end_time: inside.end_time,
    };
  }
  const windowsAreDearer = tod.windows.every((w) => windowName(w.prices, tod.outside) === 'peak');
  const name = windowsAreDearer ? 'off-peak' : 'standard';
  const hours = tod.windows.map((w) => `${windowName(w.prices, tod.outside)} hours ${span(w)} (${describeSet(w.prices)})`);
  return {
    kind: 'time_of_day',
    description: `at ${iso} (${time}, outside the ${hours.join(' and the ')}) the ${name} price applies: ${describeSet(tod.outside)}`,
    applied: windowsAreDearer ? 'off_peak' : 'standard',
    at: iso,
  };
}

/** The price set in force at `at` (genai-prices' rule, daily windows included) and the conditions saying so. */
export function pricesAtMoment(model: ModelEntry, at: Date): { prices: PriceSet; conditions: CostCondition[] } {
  const iso = at.toISOString();
  if (!model.schedule) {
    return {
      prices: model.prices,
      conditions: [{ kind: 'price_date', description: `price at ${iso}: this model has one price set in our data`, at: iso }],
    };
  }
  const found = pricesAt(model.schedule, at);
  const day = pricesForDay(model.schedule, at);
  const conditions: CostCondition[] = [];
  if (day.since || !day.timeOfDay) {
    conditions.push({
      kind: 'price_date',
      description:
        `price at ${iso}: ` +
        (day.since ? `the prices in force since ${day.since}` : 'the undated price set (no later dated set had started)'),
      at: iso,
      ...(day.since ? { since: day.since } : {}),
    });
  }
  if (day.timeOfDay) conditions.push(timeOfDayAt(day.timeOfDay, at, iso));
  return { prices: found.prices, conditions };
}
