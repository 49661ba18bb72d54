import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { PACKAGE_ROOT } from '../../version.js';

// What `validate` and `monitor` expect of a server lives in a data file, so the
// same checks can judge another MCP server given its own file (--spec FILE).

/** Checks on one tool answer's structuredContent, beyond its declared output schema. */
const Expectation = z.strictObject({
  /** Top-level keys that must be present. */
  keys: z.array(z.string()).default([]),
  /** Arrays (by dotted path) that must hold at least `min` items. */
  minItems: z.array(z.strictObject({ path: z.string(), min: z.number().int().min(0) })).default([]),
  /** Every item of the array at `path` must have `field` (dotted) equal to one of `oneOf`, case-insensitively. */
  each: z.array(z.strictObject({ path: z.string(), field: z.string(), oneOf: z.array(z.string()).min(1) })).default([]),
});

const ToolSpec = z.strictObject({
  name: z.string().min(1),
  /** The input schema's `required` list must be exactly this set (not checked when absent). */
  required: z.array(z.string()).optional(),
  /** Properties the input schema must declare. */
  properties: z.array(z.string()).default([]),
  /** Arguments of the canonical call every suite makes. */
  canonical: z.record(z.string(), z.unknown()),
  expect: Expectation.default({ keys: [], minItems: [], each: [] }),
  /** False when answers change by themselves (uptime, counters): left out of answer diffs. */
  stable: z.boolean().default(true),
});

const Scenario = z.strictObject({
  title: z.string().min(1),
  tool: z.string().min(1),
  arguments: z.record(z.string(), z.unknown()),
  expect: Expectation.default({ keys: [], minItems: [], each: [] }),
});

export const ValidationSpecSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().min(1),
  /** Readiness path under the base URL in --url mode; null when the server has none. */
  readyPath: z.string().nullable().default('/health/ready'),
  /** JSON with a `pid` (and `version`) under the base URL; null when the server has none. */
  infoPath: z.string().nullable().default('/deployment/info'),
  tools: z.array(ToolSpec).min(1),
  timing: z.strictObject({ tool: z.string(), calls: z.number().int().min(1).max(10_000) }),
  errors: z.strictObject({
    /** A call with bad arguments: must give an isError result or JSON-RPC -32602. */
    badArguments: z.strictObject({ tool: z.string(), arguments: z.record(z.string(), z.unknown()) }),
    /** A tool name the server does not have: must give a JSON-RPC error. */
    unknownTool: z.string().min(1),
  }),
  /** The tool-call scenarios of the full suite (start-up, initialize, discovery and the two error cases are built in). */
  scenarios: z.array(Scenario).default([]),
});

export type ValidationSpec = z.infer<typeof ValidationSpecSchema>;
export type ToolExpectation = z.infer<typeof Expectation>;
export type ToolSpec = z.infer<typeof ToolSpec>;

export const DEFAULT_SPEC_FILE = join(PACKAGE_ROOT, 'data', 'validate', 'llm-pricing-mcp.json');

/** Reads and checks an expectations file; the error names the file and the offending field. */
export async function loadSpec(file: string = DEFAULT_SPEC_FILE): Promise<ValidationSpec> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new SpecError(`cannot read expectations file ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = ValidationSpecSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.length ? first.path.join('.') : '(root)';
    throw new SpecError(`invalid expectations file ${file}: ${where}: ${first?.message ?? 'invalid'}`);
  }
  const spec = parsed.data;
  const names = new Set(spec.tools.map((t) => t.name));
  for (const ref of [spec.timing.tool, spec.errors.badArguments.tool, ...spec.scenarios.map((s) => s.tool)]) {
    if (!names.has(ref)) throw new SpecError(`invalid expectations file ${file}: tool "${ref}" is not among its tools`);
  }
  return spec;
}

export class SpecError extends Error {
  override name = 'SpecError';
}
