import { z } from 'zod';
import type { ModelEntry } from '../../pricing/types.js';
import { useCaseText, viewOf } from '../catalog-view.js';
import { rateNumber } from '../format.js';
import { defineTool, optionalText, provenance, provenanceShape, requireProvider, toolInput } from '../toolkit.js';

export const MAX_USE_CASE_RESULTS = 100;

const input = toolInput({
  provider: optionalText('provider', 'a provider id or name such as "anthropic"').describe('Only models of this provider.'),
  use_case: optionalText('use_case', 'words such as "coding" or "long documents"').describe(
    'Words describing the task (e.g. "coding", "summarization", "vision"); models whose best-for text, use cases or strengths mention every word are returned.',
  ),
});

const model = z.object({
  model: z.string(),
  key: z.string(),
  name: z.string(),
  provider: z.string(),
  best_for: z.string(),
  use_cases: z.array(z.string()),
  strengths: z.array(z.string()),
  cost_tier: z.enum(['low', 'medium', 'high']),
  category: z.enum(['budget', 'standard', 'premium', 'embedding']),
  input_per_1m: z.number().nullable().describe('USD per 1M input tokens'),
  output_per_1m: z.number().nullable().describe('USD per 1M output tokens'),
  context_window: z.number().nullable(),
  info_source: z.string(),
  info_as_of: z.string(),
});

const output = z.object({
  models: z.array(model),
  total: z.number(),
  filters: z.object({ provider: z.string().nullable(), use_case: z.string().nullable() }),
  note: z.string().nullable(),
  ...provenanceShape,
});

export const getUseCasesTool = defineTool({
  name: 'get_use_cases',
  title: 'What each model is good for',
  description:
    'Recommended uses of LLM models: what each is best for, typical use cases, strengths, its cost tier ' +
    '(low, medium, high) and its list prices per 1M tokens. Filter by provider and by use_case words (e.g. "coding", "long documents", "cheap ' +
    `classification"); every word must appear. At most ${MAX_USE_CASE_RESULTS} models are returned. Combine with ` +
    'compare_costs to price the candidates for a workload.',
  input,
  output,
  run(args, ctx) {
    const provider = requireProvider(ctx, args.provider);
    const words = (args.use_case ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    const matches = viewOf(ctx.catalog).useCases.filter(
      (m) => (!provider || m.provider.id === provider.id) && words.every((w) => useCaseText(m).includes(w)),
    );
    let note: string | null = null;
    if (matches.length === 0 && words.length > 0) {
      note = `No model mentions all of "${args.use_case}". Try fewer or broader words, e.g. coding, chat, summarization, reasoning, vision, embeddings.`;
    } else if (matches.length > MAX_USE_CASE_RESULTS) {
      note = `${matches.length} models match; showing the first ${MAX_USE_CASE_RESULTS}. Narrow with provider or use_case.`;
    }
    return {
      models: matches.slice(0, MAX_USE_CASE_RESULTS).map(toOutput),
      total: matches.length,
      filters: { provider: provider?.id ?? null, use_case: args.use_case ?? null },
      note,
      ...provenance(ctx),
    };
  },
  render(r) {
    const lines = r.models.map(
      (m) => `${m.key} [${m.cost_tier} cost, $${m.input_per_1m ?? '-'}/$${m.output_per_1m ?? '-'} per 1M]: ${m.best_for}`,
    );
    return [`${r.total} model(s)${r.filters.use_case ? ` for "${r.filters.use_case}"` : ''}:`, ...lines, ...(r.note ? [r.note] : [])].join(
      '\n',
    );
  },
});

function toOutput(m: ModelEntry): z.output<typeof model> {
  const u = m.use_case!;
  return {
    model: m.id,
    key: m.key,
    name: m.name,
    provider: m.provider.id,
    best_for: u.best_for,
    use_cases: [...u.use_cases],
    strengths: [...u.strengths],
    cost_tier: m.cost_tier,
    category: m.category,
    input_per_1m: rateNumber(m.rates.input),
    output_per_1m: rateNumber(m.rates.output),
    context_window: m.context_window ?? null,
    info_source: u.source,
    info_as_of: u.as_of,
  };
}
