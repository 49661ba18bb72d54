// Conditions of time: which dated price set priced an answer, and the daily
// windows (DeepSeek's off-peak hours) in words and as data.
import type { CostCondition, ModelEntry, PriceSet } from './types.js';
import { inWindow, pricesAt } from './schedule.js';

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
  const ws = tod.windows.map((w) => `${describeSet(w.prices)} from ${clock(w.start_time)} to ${clock(w.end_time)}`);
  return `${ws.join('; ')}; ${describeSet(tod.outside)} at other times`;
}

/** Conditions of the default answer: the dated set's start, and the daily windows with the one priced. */
export function defaultTimeConditions(model: ModelEntry): CostCondition[] {
  const out: CostCondition[] = [];
  if (model.price_since) {
    out.push({ kind: 'price_date', description: `prices in force since ${model.price_since}`, since: model.price_since });
  }
  if (model.time_of_day) {
    const dearest = model.prices === model.time_of_day.outside ? 'the price outside the windows' : 'the window price';
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
  const conditions: CostCondition[] = [];
  const c = found.constraint;
  if (c?.type === 'time_of_day') {
    conditions.push({
      kind: 'time_of_day',
      description: `at ${iso} the window ${clock(c.start_time)}–${clock(c.end_time)} applies (${describeSet(found.prices)})`,
      applied: 'window',
      at: iso,
      start_time: c.start_time,
      end_time: c.end_time,
    });
  } else {
    const since = c?.type === 'start_date' ? c.start_date : undefined;
    const windows = model.schedule.filter((s) => s.constraint?.type === 'time_of_day');
    const outside =
      windows.length > 0 &&
      !windows.some((w) => w.constraint?.type === 'time_of_day' && inWindow(at, w.constraint.start_time, w.constraint.end_time));
    conditions.push({
      kind: 'price_date',
      description:
        `price at ${iso}: ` +
        (since ? `the set in force since ${since}` : 'the undated price set (no later dated set had started)') +
        (outside ? ', outside every daily window' : ''),
      at: iso,
      ...(since ? { since } : {}),
    });
  }
  return { prices: found.prices, conditions };
}
