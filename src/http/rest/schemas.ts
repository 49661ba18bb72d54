import { toolInputSchema } from '../../mcp/index.js';
import { MAX_COST_BATCH } from '../defaults.js';

// JSON Schemas of the REST API's inputs: fastify validates requests with them and
// the OpenAPI document is built from them, so the two cannot disagree. A
// tool-backed endpoint takes its schema from the tool's own input schema (as
// tools/list advertises it), so a new tool argument is a new REST field or
// query parameter without an edit here.

type JsonSchema = Record<string, unknown>;

/** A tool's argument schema as a request body schema. */
export function toolBody(tool: string): JsonSchema {
  const { $schema: _draft, ...schema } = toolInputSchema(tool);
  return schema;
}

/**
 * A tool's argument schema as a query string schema: a list argument becomes a
 * comma-separated string (see listArguments; the handler splits it back).
 */
export function toolQuery(tool: string): JsonSchema {
  const body = toolBody(tool);
  const properties: Record<string, JsonSchema> = {};
  for (const [name, prop] of Object.entries(body.properties as Record<string, JsonSchema>)) {
    properties[name] = isList(prop) ? commaSeparated(prop) : prop;
  }
  return { ...body, properties };
}

/** Names of a tool's list arguments, which travel comma-separated in a query string. */
export function listArguments(tool: string): string[] {
  const props = toolBody(tool).properties as Record<string, JsonSchema>;
  return Object.keys(props).filter((name) => isList(props[name]!));
}

function isList(prop: JsonSchema): boolean {
  return prop.type === 'array' && (prop.items as JsonSchema | undefined)?.type === 'string';
}

function commaSeparated(prop: JsonSchema): JsonSchema {
  const item = prop.items as JsonSchema;
  const most = typeof prop.maxItems === 'number' && typeof item.maxLength === 'number' ? prop.maxItems * (item.maxLength + 1) : undefined;
  const description = typeof prop.description === 'string' ? `${prop.description} Comma-separated.` : 'Comma-separated.';
  return { type: 'string', minLength: 1, ...(most !== undefined && { maxLength: most }), description };
}

const providerParam = { type: 'string', minLength: 1, maxLength: 200, description: 'Provider id or name, e.g. "openai" or "Anthropic"' };

/** /models is not a tool: its one filter is written here. */
export const modelsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { provider: providerParam },
} as const;

export function batchBody(tool: string): JsonSchema {
  return { type: 'array', minItems: 1, maxItems: MAX_COST_BATCH, items: toolBody(tool), description: `Up to ${MAX_COST_BATCH} estimates` };
}

export const errorBody = {
  type: 'object',
  required: ['error', 'message', 'statusCode'],
  properties: { error: { type: 'string' }, message: { type: 'string' }, statusCode: { type: 'integer' } },
} as const;
