import { MAX_COST_BATCH } from '../defaults.js';

// JSON Schemas of the REST API's inputs: fastify validates requests with them and
// the OpenAPI document is built from them, so the two cannot disagree.

const providerParam = { type: 'string', minLength: 1, maxLength: 100, description: 'Provider id or name, e.g. "openai" or "Anthropic"' };
const tokens = (description: string) => ({ type: 'integer', minimum: 0, description });

export const pricingQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    provider: providerParam,
    category: { type: 'string', enum: ['budget', 'standard', 'premium', 'embedding'], description: 'Price category' },
    include_deprecated: { type: 'boolean', description: 'Also list deprecated models' },
    limit: { type: 'integer', minimum: 1, maximum: 200, description: 'Page size (default 50)' },
    offset: { type: 'integer', minimum: 0, description: 'Models to skip' },
  },
} as const;

export const modelsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { provider: providerParam },
} as const;

export const costEstimateBody = {
  type: 'object',
  additionalProperties: false,
  required: ['model_name', 'input_tokens', 'output_tokens'],
  properties: {
    model_name: { type: 'string', minLength: 1, maxLength: 200, description: 'Model id, alias, snapshot or provider-qualified name' },
    input_tokens: tokens('Prompt tokens per request'),
    output_tokens: tokens('Completion tokens per request'),
    cached_input_tokens: tokens('Part of input_tokens served from cache'),
    requests: { type: 'integer', minimum: 1, description: 'Scale the estimate to this many requests' },
  },
} as const;

export const costEstimateBatchBody = {
  type: 'array',
  minItems: 1,
  maxItems: MAX_COST_BATCH,
  items: costEstimateBody,
  description: `Up to ${MAX_COST_BATCH} estimates`,
} as const;

export const performanceQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    provider: providerParam,
    model_names: { type: 'string', minLength: 1, maxLength: 2000, description: 'Comma-separated model names' },
    include_cost: { type: 'boolean', description: 'Add cost figures and a value score' },
  },
} as const;

export const useCasesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    provider: providerParam,
    use_case: { type: 'string', minLength: 1, maxLength: 200, description: 'A use case to match, e.g. "coding"' },
  },
} as const;

export const telemetryQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    include_details: { type: 'boolean', description: 'Also the telemetry store state, catalog size, memory use and Node version' },
    limit: { type: 'integer', minimum: 1, description: 'How many tools to list, most called first' },
  },
} as const;

export const errorBody = {
  type: 'object',
  required: ['error', 'message', 'statusCode'],
  properties: { error: { type: 'string' }, message: { type: 'string' }, statusCode: { type: 'integer' } },
} as const;
