// The tools for callers that are not MCP clients (the REST API): the same
// handler as tools/call (validation, pricing, output check, telemetry), called
// in-process, with the answer as data instead of a CallToolResult.

import type { ServerContext } from './context.js';
import { runCountedTool, toolList } from './dispatch.js';
import { READ_ONLY_ANNOTATIONS, type AnyTool } from './toolkit.js';
import { TOOLS } from './tools/index.js';

export type ToolAnswer = { ok: true; data: Record<string, unknown> } | { ok: false; message: string };

const byName = new Map<string, AnyTool>(TOOLS.map((t) => [t.name, t]));

/** Calls one tool by name; a mistake in the arguments (or an unknown name) is a `{ ok: false }` answer with a message that says what to fix. */
export function callTool(ctx: ServerContext, name: string, args: Record<string, unknown>): ToolAnswer {
  const tool = byName.get(name);
  if (!tool) return { ok: false, message: `Unknown tool "${name}". Available tools: ${[...byName.keys()].join(', ')}.` };
  const { result } = runCountedTool(tool, args, ctx);
  const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
  if (result.isError === true) return { ok: false, message: text || `${name} failed` };
  const data = result.structuredContent;
  return { ok: true, data: data && typeof data === 'object' ? data : { text } };
}

/** The JSON Schema of a tool's arguments, exactly as tools/list advertises it. */
export function toolInputSchema(name: string): Record<string, unknown> {
  const listed = toolList(TOOLS, READ_ONLY_ANNOTATIONS).tools.find((t) => t.name === name);
  if (!listed) throw new Error(`no tool named ${name}`);
  return listed.inputSchema as Record<string, unknown>;
}
