// What a tool is, independent of any transport: a name, an LLM-facing
// description, zod input and output schemas, a synchronous run over the catalog,
// and a short text rendering of its result.

import { z } from 'zod';
import type { ServerContext } from './context.js';

/** A mistake the caller can fix; its message goes back as an isError result. */
export class ToolError extends Error {
  override name = 'ToolError';
}

export interface ToolDefinition<I extends z.ZodRawShape, O extends z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: z.ZodObject<I, z.core.$ZodObjectConfig>;
  output: z.ZodObject<O, z.core.$ZodObjectConfig>;
  run(args: z.output<z.ZodObject<I, z.core.$strict>>, ctx: ServerContext): z.input<z.ZodObject<O, z.core.$strip>>;
  render(result: z.output<z.ZodObject<O, z.core.$strip>>): string;
}

/** The type-erased form the server registers and dispatches. */
export interface AnyTool {
  name: string;
  title: string;
  description: string;
  input: z.ZodObject;
  output: z.ZodObject;
  run(args: unknown, ctx: ServerContext): Record<string, unknown>;
  render(result: unknown): string;
}

export function defineTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(def: ToolDefinition<I, O>): AnyTool {
  return def as unknown as AnyTool;
}

/** Every tool only reads our own catalog: safe to call repeatedly, no side effects, no outside world. */
export const READ_ONLY_ANNOTATIONS = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;

// ---- shared input pieces (messages say what to fix) ----

/** A tool's arguments object: unknown argument names are rejected, naming the accepted ones. */
export function toolInput<S extends z.ZodRawShape>(shape: S) {
  const accepted = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `unknown argument${iss.keys.length > 1 ? 's' : ''} ${iss.keys.join(', ')}; this tool accepts: ${accepted}`
        : `arguments must be an object with: ${accepted}`,
  });
}

const MAX_TOKENS = 1e13;

export function tokenCount(name: string, what = 'tokens') {
  return z
    .number({
      error: (iss) =>
        iss.input === undefined
          ? `${name} is required: a whole number of ${what}, 0 or more`
          : `${name} must be a whole number of ${what}, got ${JSON.stringify(iss.input)}`,
    })
    .int({ error: (iss) => `${name} must be a whole number of ${what}, got ${String(iss.input)}` })
    .min(0, { error: (iss) => `${name} cannot be negative, got ${String(iss.input)}` })
    .max(MAX_TOKENS, { error: `${name} is larger than ${MAX_TOKENS} ${what}; check the number` });
}

export function optionalText(name: string, hint: string) {
  return z
    .string({ error: (iss) => `${name} must be a string (${hint}), got ${JSON.stringify(iss.input)}` })
    .trim()
    .min(1, { error: `${name} must not be empty (${hint}); leave it out to not filter` })
    .max(200, { error: `${name} is too long (200 characters at most)` })
    .optional();
}

export function modelName(name: string) {
  return z
    .string({
      error: (iss) =>
        iss.input === undefined
          ? `${name} is required: a model name such as "gpt-4o" or "anthropic:claude-3-5-sonnet"`
          : `${name} must be a string model name, got ${JSON.stringify(iss.input)}`,
    })
    .trim()
    .min(1, { error: `${name} must not be empty: give a model name such as "gpt-4o"` })
    .max(200, { error: `${name} is too long (200 characters at most)` });
}

export function flag(name: string) {
  return z.boolean({ error: (iss) => `${name} must be true or false, got ${JSON.stringify(iss.input)}` }).optional();
}

// ---- shared output pieces ----

export const provenanceShape = {
  data_as_of: z.string().describe('As of when the price data this answer used was published or checked'),
  source: z.string().describe('Where the price data comes from'),
};

export function provenance(ctx: ServerContext): { data_as_of: string; source: string } {
  return { data_as_of: ctx.catalog.data_as_of, source: ctx.catalog.source };
}

export const unknownModelShape = z.object({
  model_name: z.string(),
  message: z.string(),
  suggestions: z.array(z.string()),
});
export type UnknownModel = z.output<typeof unknownModelShape>;

/** "Unknown model …. Did you mean …?" in one consistent wording. */
export function unknownModelMessage(name: string, message: string, suggestions: readonly string[]): string {
  const base = message.trim() !== '' ? message.trim() : `Unknown model "${name}".`;
  const withDot = /[.!?]$/.test(base) ? base : `${base}.`;
  const hint = suggestions.length > 0 && !/did you mean/i.test(base) ? ` Did you mean: ${suggestions.join(', ')}?` : '';
  return `${withDot}${hint}`;
}

/** Resolves a provider filter or throws a ToolError listing the known ids. */
export function requireProvider(ctx: ServerContext, name: string | undefined): { id: string; name: string } | undefined {
  if (name === undefined) return undefined;
  const p = ctx.catalog.provider(name);
  if (p) return p;
  const ids = ctx.catalog.providers.map((x) => x.id).join(', ');
  throw new ToolError(`Unknown provider "${name}". Use one of: ${ids}.`);
}
