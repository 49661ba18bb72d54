import type { JsonSchemaType } from '@modelcontextprotocol/sdk/validation';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { sharedSchemaValidator } from './schema-cache.js';
import { tidyMessage } from './session.js';
import type { CallOutcome } from './session.js';
import type { ToolExpectation, ValidationSpec } from './spec.js';

// Pure judgements on what a server answered: its tool list against the
// expectations file, and each tool answer against its declared output schema
// and the expectations. Each returns human-readable problems; none means pass.

export interface DiscoveryReport {
  found: number;
  expected: number;
  missing: string[];
  problems: string[];
}

export function checkDiscovery(listed: Tool[], spec: ValidationSpec): DiscoveryReport {
  const byName = new Map(listed.map((t) => [t.name, t]));
  const missing: string[] = [];
  const problems: string[] = [];
  for (const want of spec.tools) {
    const tool = byName.get(want.name);
    if (!tool) {
      missing.push(want.name);
      continue;
    }
    const schema = tool.inputSchema;
    if (want.required !== undefined) {
      const required = [...(schema.required ?? [])].sort();
      const expected = [...want.required].sort();
      if (required.join(',') !== expected.join(',')) {
        problems.push(`${want.name} input schema requires [${required.join(', ')}], expected [${expected.join(', ')}]`);
      }
    }
    const props = Object.keys(schema.properties ?? {});
    const absent = want.properties.filter((p) => !props.includes(p));
    if (absent.length > 0) problems.push(`${want.name} input schema lacks ${absent.map((p) => `"${p}"`).join(', ')}`);
  }
  return { found: spec.tools.length - missing.length, expected: spec.tools.length, missing, problems };
}

/** Each listed tool's output schema, compiled (once per process for a given schema). */
export class OutputSchemas {
  private readonly validator = sharedSchemaValidator;
  private readonly compiled = new Map<string, (data: unknown) => string | undefined>();

  constructor(tools: Tool[]) {
    for (const tool of tools) {
      if (!tool.outputSchema) continue;
      try {
        const check = this.validator.getValidator(tool.outputSchema as JsonSchemaType);
        this.compiled.set(tool.name, (data) => {
          const r = check(data);
          return r.valid ? undefined : (r.errorMessage ?? 'does not match');
        });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.compiled.set(tool.name, () => `its output schema does not compile: ${message}`);
      }
    }
  }

  has(tool: string): boolean {
    return this.compiled.has(tool);
  }

  /** undefined when valid (or when the tool declares no output schema). */
  problem(tool: string, data: unknown): string | undefined {
    return this.compiled.get(tool)?.(data);
  }
}

/** Judges one tool answer; returns the first problem or undefined when it passes. */
export function checkAnswer(tool: string, outcome: CallOutcome, schemas: OutputSchemas, expect: ToolExpectation): string | undefined {
  if (!outcome.ok) return `call failed: ${tidyMessage(outcome.error.message)}`;
  const { result } = outcome;
  if (result.isError) return `returned an error result: ${firstText(result.content).slice(0, 200)}`;
  const data = result.structuredContent;
  if (schemas.has(tool)) {
    if (data === undefined) return 'declares an output schema but returned no structuredContent';
    const problem = schemas.problem(tool, data);
    if (problem) return `structuredContent does not match its output schema: ${problem}`;
  }
  return checkExpectation(data, expect);
}

export function checkExpectation(data: unknown, expect: ToolExpectation): string | undefined {
  const needsData = expect.keys.length > 0 || expect.minItems.length > 0 || expect.each.length > 0;
  if (!needsData) return undefined;
  if (!isRecord(data)) return 'returned no structuredContent object';
  const missingKeys = expect.keys.filter((k) => !(k in data));
  if (missingKeys.length > 0) return `structuredContent lacks ${missingKeys.map((k) => `"${k}"`).join(', ')}`;
  for (const { path, min } of expect.minItems) {
    const value = atPath(data, path);
    if (!Array.isArray(value)) return `structuredContent.${path} is not a list`;
    if (value.length < min) return `structuredContent.${path} has ${value.length} item(s), expected at least ${min}`;
  }
  for (const { path, field, oneOf } of expect.each) {
    const value = atPath(data, path);
    if (!Array.isArray(value)) return `structuredContent.${path} is not a list`;
    const allowed = oneOf.map((v) => v.toLowerCase());
    const bad = value.findIndex((item) => !allowed.includes(String(atPath(item, field)).toLowerCase()));
    if (bad >= 0)
      return `structuredContent.${path}[${bad}].${field} is ${JSON.stringify(atPath(value[bad], field))}, expected one of ${oneOf.join(', ')}`;
  }
  return undefined;
}

export function firstText(content: CallOutcomeContent): string {
  const text = content.find(
    (c): c is { type: 'text'; text: string } => c.type === 'text' && typeof (c as { text?: unknown }).text === 'string',
  );
  return text?.text ?? '(no text)';
}
type CallOutcomeContent = Array<{ type: string }>;

export function atPath(data: unknown, path: string): unknown {
  let cur: unknown = data;
  for (const part of path.split('.')) {
    if (!isRecord(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
