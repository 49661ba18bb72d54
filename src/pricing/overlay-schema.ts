// The overlay file (data/overlay.json): what genai-prices lacks. Every entry
// carries provenance (source + as_of, and estimate: true when no published
// source exists). The schema is the contract; parseOverlay rejects a broken
// file with a message naming the entry and the field to fix.
import { z } from 'zod';

const isoDate = z
  .string({ error: 'must be a date YYYY-MM-DD' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date YYYY-MM-DD', abort: true })
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'is not a real calendar date');

/** A rate per 1M tokens: a non-negative decimal written as a string, exactly as published. */
const rate = z
  .string({ error: 'must be a non-negative decimal string like "2.5"' })
  .regex(/^\d+(\.\d{1,12})?$/, 'must be a non-negative decimal string like "2.5" (at most 12 decimals)');

const provenance = {
  source: z.string({ error: 'source is required (a URL or a named source)' }).trim().min(1, 'source is required (a URL or a named source)'),
  as_of: isoDate,
  estimate: z.boolean().optional(),
  note: z.string().optional(),
};

const modelKey = z.string().regex(/^[a-z0-9_.-]+:.+$/, 'must be a catalog key "provider:model_id"');

const tier = z.object({ start: z.number().int().nonnegative(), rate });

/** A start date, or an exact moment when a price changed at a given time (2025-09-05T16:00:00Z). */
const isoMoment = z.union([
  isoDate,
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z$/, 'must be a date YYYY-MM-DD or a UTC date-time YYYY-MM-DDTHH:MM:SSZ')
    .refine((t) => !Number.isNaN(Date.parse(t)), 'is not a real UTC date-time'),
]);
const clockTime = z.string().regex(/^\d{2}:\d{2}(:\d{2})?Z$/, 'must be a UTC clock time HH:MM:SSZ');

export const OverlayProviderSchema = z.object({
  id: z.string().regex(/^[a-z0-9_-]+$/, 'must be a lower-case provider id'),
  name: z.string().min(1),
  /** Extra names accepted as provider filters (the display name and id are always accepted). */
  aliases: z.array(z.string().min(1)).default([]),
  /** For a provider genai-prices lacks; omit to only rename/annotate a base provider. */
  status: z.enum(['active', 'discontinued']).optional(),
  pricing_urls: z.array(z.string().min(1)).default([]),
  ...provenance,
});

const rates = z.object({
  input: rate,
  output: rate.optional(),
  cache_read: rate.optional(),
  cache_write: rate.optional(),
  cache_write_1h: rate.optional(),
  input_tiers: z.array(tier).optional(),
  output_tiers: z.array(tier).optional(),
  cache_read_tiers: z.array(tier).optional(),
  cache_write_tiers: z.array(tier).optional(),
  /** A fee in USD per 1,000 requests. */
  per_1k_requests: rate.optional(),
});

/** What a model can do, as its sources say (listing filters use these words). */
export const CAPABILITIES = ['vision', 'tools', 'reasoning', 'audio', 'web_search', 'pdf', 'prompt_caching', 'structured_output'] as const;
const capability = z.enum(CAPABILITIES, { error: `must be one of ${CAPABILITIES.join(', ')}` });

export const OverlayModelSchema = z.object({
  provider: z.string().min(1),
  id: z.string().min(1),
  name: z.string().min(1),
  aliases: z.array(z.string().min(1)).default([]),
  context_window: z.number().int().positive().optional(),
  deprecated: z.boolean().default(false),
  preview: z.boolean().default(false),
  capabilities: z.array(capability).optional(),
  rates,
  ...provenance,
});

/**
 * One price set of a dated schedule, as genai-prices lays them out: the first has no condition; a later one applies
 * from `start_date` on, or every day between `start_time` and `end_time` (UTC). At a moment, the last one whose
 * condition holds applies (so dated sets listed after a daily window end it).
 */
const scheduledRates = z
  .object({
    start_date: isoMoment.optional(),
    start_time: clockTime.optional(),
    end_time: clockTime.optional(),
    /** The daily window holds Monday to Friday only (by the UTC date). */
    weekdays_only: z.literal(true).optional(),
    rates,
  })
  .refine(
    (e) => e.weekdays_only === undefined || e.start_time !== undefined,
    'weekdays_only goes with a daily window (start_time, end_time)',
  )
  .refine((e) => (e.start_time === undefined) === (e.end_time === undefined), 'a daily window needs both start_time and end_time')
  .refine((e) => e.start_date === undefined || e.start_time === undefined, 'a price set has a start_date or a daily window, not both');

/**
 * A context window larger than the model's standard one that only some requests get, for a period: a beta behind a
 * header (Claude Sonnet 4's 1M-token window, 2025-08-12 to 2026-04-30). The model's context_window stays the
 * standard one; a request above it is priced when made inside the period, and the answer names what it needs.
 */
const extendedContext = z
  .object({
    window: z.number().int().positive(),
    requires: z.string().trim().min(1),
    from: isoDate.optional(),
    until: isoDate.optional(),
  })
  .refine((e) => e.from === undefined || e.until === undefined || e.from < e.until, 'from must be before until');

/**
 * A correction or addition to a model the catalog already has (usually a base model): its context window (and what
 * a larger window some requests get, and when), deprecated or preview status, capabilities, its prices (which then
 * replace the base data's, dated schedule included), a dated schedule of its own, or long-context tiers added to
 * the base prices it has (by price key, e.g. "input_mtok"). Each patch carries its own source.
 */
export const OverlayPatchSchema = z
  .object({
    model: modelKey,
    context_window: z.number().int().positive().optional(),
    extended_context: extendedContext.optional(),
    deprecated: z.boolean().optional(),
    preview: z.boolean().optional(),
    capabilities: z.array(capability).optional(),
    rates: rates.optional(),
    schedule: z
      .array(scheduledRates)
      .min(2, 'a schedule has at least two price sets (use rates for one)')
      .refine((s) => s[0]!.start_date === undefined && s[0]!.start_time === undefined, 'the first price set of a schedule has no condition')
      .optional(),
    tiers: z.record(z.string().regex(/^[a-z0-9_]+$/, 'must be a price key such as "input_mtok"'), z.array(tier).min(1)).optional(),
    ...provenance,
  })
  .refine(
    (p) =>
      p.context_window !== undefined ||
      p.deprecated !== undefined ||
      p.preview !== undefined ||
      p.capabilities !== undefined ||
      p.extended_context !== undefined ||
      p.rates !== undefined ||
      p.schedule !== undefined ||
      p.tiers !== undefined,
    'a patch must change something: context_window, extended_context, deprecated, preview, capabilities, rates, schedule or tiers',
  )
  .refine((p) => [p.rates, p.schedule, p.tiers].filter((x) => x !== undefined).length <= 1, 'a patch has one of rates, schedule and tiers')
  .refine(
    (p) => p.extended_context === undefined || p.context_window === undefined || p.extended_context.window > p.context_window,
    'extended_context.window must be larger than context_window',
  );

const adjustment = z.object({
  model: modelKey.optional(),
  prices: z.record(z.string(), rate).optional(),
  factor: z
    .string()
    .regex(/^\d+(\.\d{1,6})?$/, 'must be a decimal string like "0.5"')
    .optional(),
  keys: z.array(z.string().min(1)).optional(),
});

/**
 * A published price option (batch discount, service tier, search context, regional endpoint) for a list of
 * models: catalog keys, or "provider:*" for every model of a provider.
 */
export const OverlayModifierSchema = z
  .object({
    kind: z.enum(['batch', 'service_tier', 'search_context', 'region']),
    models: z.array(z.string().regex(/^[a-z0-9_.-]+:.+$/, 'must be a catalog key "provider:model_id" or "provider:*"')).min(1),
    except: z.array(modelKey).default([]),
    default: z.string().min(1),
    options: z.record(z.string().min(1), adjustment),
    ...provenance,
  })
  .refine((m) => m.default in m.options, 'default must be one of the options')
  .refine((m) => m.kind !== 'batch' || (Object.keys(m.options).sort().join(',') === 'off,on' && m.default === 'off'), {
    message: 'a batch modifier has the options "off" (the default) and "on"',
  });

/** A moving alias ("mistral-large-latest") and where its provider points it today; `family` is a regex over ids. */
export const OverlayMovingAliasSchema = z.object({
  alias: z.string().min(1),
  target: modelKey,
  family: z.string().min(1),
  ...provenance,
});

export const OverlayAliasSchema = z.object({
  alias: z.string().min(1),
  target: modelKey,
  ...provenance,
});

export const OverlayGenericSchema = z.object({
  name: z.string().min(1),
  display_name: z.string().min(1),
  /** Keys of the hosts' offers; the cheapest is the default answer. */
  offers: z.array(modelKey).min(1, 'a generic name needs at least one offer'),
  ...provenance,
});

export const OverlayPerformanceSchema = z
  .object({
    model: modelKey,
    throughput_tps: z.number().positive().optional(),
    latency_ms: z.number().positive().optional(),
    ...provenance,
  })
  .refine((p) => p.throughput_tps !== undefined || p.latency_ms !== undefined, 'needs throughput_tps or latency_ms');

export const OverlayUseCaseSchema = z.object({
  model: modelKey,
  best_for: z.string().min(1),
  use_cases: z.array(z.string().min(1)).min(1),
  strengths: z.array(z.string().min(1)).min(1),
  ...provenance,
});

/** What we know about the base data package: its publish date is not inside it. */
const BaseInfoSchema = z.object({
  package: z.string().min(1),
  version: z.string().min(1),
  published: isoDate,
  source: z.string().min(1),
});

export const OverlaySchema = z.object({
  as_of: isoDate,
  description: z.string().optional(),
  base: BaseInfoSchema.optional(),
  providers: z.array(OverlayProviderSchema).default([]),
  models: z.array(OverlayModelSchema).default([]),
  aliases: z.array(OverlayAliasSchema).default([]),
  generic: z.array(OverlayGenericSchema).default([]),
  performance: z.array(OverlayPerformanceSchema).default([]),
  use_cases: z.array(OverlayUseCaseSchema).default([]),
  patches: z.array(OverlayPatchSchema).default([]),
  modifiers: z.array(OverlayModifierSchema).default([]),
  moving_aliases: z.array(OverlayMovingAliasSchema).default([]),
});

export type Overlay = z.infer<typeof OverlaySchema>;
export type OverlayModel = z.infer<typeof OverlayModelSchema>;
export type OverlayPatch = z.infer<typeof OverlayPatchSchema>;
export type OverlayModifier = z.infer<typeof OverlayModifierSchema>;

/** ' (id "x")' for an issue inside a list entry, so the reader can find it without counting. */
function entryLabel(data: unknown, path: readonly PropertyKey[]): string {
  const [section, index] = path;
  if (typeof section !== 'string' || typeof index !== 'number' || typeof data !== 'object' || data === null) return '';
  const list = (data as Record<string, unknown>)[section];
  const entry = Array.isArray(list) ? (list[index] as Record<string, unknown> | undefined) : undefined;
  if (!entry || typeof entry !== 'object') return '';
  const label = entry.id ?? entry.alias ?? entry.name ?? entry.model ?? entry.kind;
  return typeof label === 'string' ? ` (${JSON.stringify(label)})` : '';
}

export class OverlayError extends Error {
  override name = 'OverlayError';
}

/** Validate parsed JSON as an overlay; throws OverlayError listing each problem as "path: message". */
export function parseOverlay(data: unknown, origin = 'overlay'): Overlay {
  const result = OverlaySchema.safeParse(data);
  if (result.success) return result.data;
  const lines = result.error.issues.slice(0, 20).map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    return `  ${path.replace(/^\./, '') || '(root)'}${entryLabel(data, issue.path)}: ${issue.message}`;
  });
  const more = result.error.issues.length > 20 ? `\n  … and ${result.error.issues.length - 20} more` : '';
  throw new OverlayError(`invalid ${origin}:\n${lines.join('\n')}${more}`);
}
