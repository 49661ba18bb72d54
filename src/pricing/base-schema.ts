// Schema of genai-prices' published provider data (the JSON the package embeds
// and publishes at REMOTE_DATA_JSON_URL): checked before refreshed data may
// replace what we have. Strict on the fields we read, tolerant of fields we
// do not use, so a newer file with extra keys still loads.
import { z } from 'zod';
import type { BaseProvider } from './build-catalog.js';
import type { MatchLogic } from './match-rule.js';

const nonNegative = z.number().finite().nonnegative();

const tiered = z.object({
  base: nonNegative,
  tiers: z.array(z.object({ start: z.number().int().nonnegative(), price: nonNegative })),
});

const modelPrice = z.record(z.string(), z.union([nonNegative, tiered]));

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
const clock = z.string().regex(/^\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/, 'must be a time like 16:30:00Z');

// The published file may omit `type` on a constraint; genai-prices infers it from the keys, so do we.
const constraint = z.union([
  z
    .object({ type: z.literal('start_date').optional(), start_date: isoDate })
    .transform((c) => ({ type: 'start_date' as const, start_date: c.start_date })),
  z
    .object({ type: z.literal('time_of_date').optional(), start_time: clock, end_time: clock })
    .transform((c) => ({ type: 'time_of_date' as const, start_time: c.start_time, end_time: c.end_time })),
]);

const conditional = z.object({ constraint: constraint.optional(), prices: modelPrice });

const matchLogic: z.ZodType<MatchLogic> = z.lazy(() =>
  z.union([
    z.object({ and: z.array(matchLogic) }),
    z.object({ or: z.array(matchLogic) }),
    z.object({ equals: z.string() }),
    z.object({ starts_with: z.string() }),
    z.object({ ends_with: z.string() }),
    z.object({ contains: z.string() }),
    z.object({ regex: z.string() }),
  ]),
);

const model = z.object({
  id: z.string().min(1),
  name: z.string().optional(),
  match: matchLogic,
  prices: z.union([modelPrice, z.array(conditional).min(1)]),
  context_window: z.number().int().positive().optional(),
  deprecated: z.boolean().optional(),
  price_comments: z.string().optional(),
});

const provider = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  pricing_urls: z.array(z.string()).optional(),
  price_comments: z.string().optional(),
  fallback_model_providers: z.array(z.string()).optional(),
  models: z.array(model),
});

export const BaseDataSchema = z.array(provider).min(1, 'provider data must list at least one provider');

export class BaseDataError extends Error {
  override name = 'BaseDataError';
}

/** Validate genai-prices-format provider data; throws BaseDataError listing the first problems as "path: message". */
export function parseBaseData(data: unknown, origin = 'provider data'): BaseProvider[] {
  const result = BaseDataSchema.safeParse(data);
  if (result.success) return result.data as BaseProvider[];
  const lines = result.error.issues.slice(0, 10).map((issue) => `  ${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  const more = result.error.issues.length > 10 ? `\n  … and ${result.error.issues.length - 10} more` : '';
  throw new BaseDataError(`invalid ${origin}:\n${lines.join('\n')}${more}`);
}
