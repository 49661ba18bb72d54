// tools/call for our six tools. The SDK's own handler (1.32) turns an unknown
// tool name into an isError result and validates asynchronously; ours answers an
// unknown tool with a JSON-RPC error (-32602, as the MCP spec says), turns every
// argument or lookup problem into an isError result whose text says what to fix,
// validates synchronously with schemas compiled once, and counts each call.
//
// A transport that already checked a message's JSON-RPC shape may also answer a
// plain tools/call without the SDK's protocol layer (directToolCall): the same
// handler, the same response, minus two zod parses of the request, one of the
// result, an AbortController and a promise chain per call.

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { toJsonSchemaCompat } from '@modelcontextprotocol/sdk/server/zod-json-schema-compat.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  type CallToolResult,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
  type ListToolsResult,
  type ToolAnnotations,
} from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { PricingInputError } from '../pricing/index.js';
import type { ClientLog } from './client-log.js';
import type { ServerContext } from './context.js';
import { protocolError } from './protocol-errors.js';
import { logToStderr } from './stderr-log.js';
import { ToolError, type AnyTool } from './toolkit.js';

export interface ToolRun {
  result: CallToolResult;
  /** A bug on our side (not the caller's mistake). */
  internal: boolean;
}

/**
 * Answers one JSON-RPC request exactly as the SDK's protocol layer would (same
 * handler, same response object), or returns undefined when the request is not a
 * plain tools/call of a known tool and must take the SDK's path.
 */
export type DirectToolCall = (request: JSONRPCRequest) => JSONRPCMessage | undefined;

const directCalls = new WeakMap<McpServer, DirectToolCall>();

/** The direct tools/call entry of a server built by createMcpServer, if it has one. */
export function directToolCall(mcp: McpServer): DirectToolCall | undefined {
  return directCalls.get(mcp);
}

export function installToolDispatcher(mcp: McpServer, tools: readonly AnyTool[], ctx: ServerContext, log: ClientLog): void {
  const byName = new Map(tools.map((t) => [t.name, t]));
  const available = tools.map((t) => t.name).join(', ');
  const handle = (name: string, args: unknown, requestId: RequestId): CallToolResult => {
    const tool = byName.get(name);
    if (!tool) {
      const shown = name.length > 100 ? `${name.slice(0, 100)}…` : name;
      throw protocolError(ErrorCode.InvalidParams, `Unknown tool "${shown}". Available tools: ${available}.`);
    }
    const run = runCountedTool(tool, args, ctx);
    const ms = run.ms;
    const ok = run.result.isError !== true;
    if (run.internal) {
      log.send('error', { event: 'tool_failed', tool: name, message: errorText(run.result) }, requestId);
    } else if (!ok) {
      log.send('info', { event: 'tool_error', tool: name, message: errorText(run.result) }, requestId);
    } else if (log.wants('debug')) {
      log.send('debug', { event: 'tool_call', tool: name, ms: Math.round(ms * 1000) / 1000 }, requestId);
    }
    return run.result;
  };
  mcp.server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
    handle(request.params.name, request.params.arguments, extra.requestId),
  );
  directCalls.set(mcp, (request) => {
    if (request.method !== 'tools/call' || !isPlainToolCall(request.params) || !byName.has(request.params.name)) return undefined;
    const id = request.id;
    try {
      // The key order of the SDK's own response object, so the JSON is byte for byte the same.
      return { result: handle(request.params.name, request.params.arguments, id), jsonrpc: '2.0', id };
    } catch (err) {
      return protocolErrorResponse(id, err);
    }
  });
}

/**
 * Params the SDK's CallToolRequestSchema accepts unchanged: a string name and an
 * optional plain-object arguments. `_meta` and `task` (related tasks, task
 * augmentation) have their own rules and stay on the SDK's path.
 */
function isPlainToolCall(params: JSONRPCRequest['params']): params is { name: string; arguments?: Record<string, unknown> } {
  if (params === undefined || typeof params.name !== 'string' || '_meta' in params || 'task' in params) return false;
  const args = params.arguments;
  if (args === undefined) return true;
  // The SDK parses arguments into a copy that drops an own "__proto__"; such a request keeps that path.
  return typeof args === 'object' && args !== null && Object.getPrototypeOf(args) === Object.prototype && !Object.hasOwn(args, '__proto__');
}

/** The error response the SDK's protocol layer makes of a handler's exception. */
function protocolErrorResponse(id: RequestId, err: unknown): JSONRPCMessage {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; message?: unknown; data?: unknown };
  return {
    jsonrpc: '2.0',
    id,
    error: {
      code: Number.isSafeInteger(e.code) ? (e.code as number) : ErrorCode.InternalError,
      message: (e.message as string | undefined) ?? 'Internal error',
      ...(e.data !== undefined && { data: e.data }),
    },
  };
}

// tools/list is the same for every session of the process: the SDK would
// convert twelve zod schemas to JSON Schema on every call (~1.3 ms); we do it
// once, with the SDK's own converter and options, so the result is identical.
const listCache = new WeakMap<readonly AnyTool[], ListToolsResult>();

export function installToolList(mcp: McpServer, tools: readonly AnyTool[], annotations: ToolAnnotations): void {
  // Made on the first tools/list, not here: a stdio start answers initialize first.
  mcp.server.setRequestHandler(ListToolsRequestSchema, () => toolList(tools, annotations));
}

/** The tools/list result of these tools (made once per tools array): JSON Schemas from their zod schemas. */
export function toolList(tools: readonly AnyTool[], annotations: ToolAnnotations): ListToolsResult {
  let list = listCache.get(tools);
  if (!list) {
    list = {
      tools: tools.map((t) => ({
        name: t.name,
        title: t.title,
        description: t.description,
        inputSchema: toJsonSchemaCompat(t.input, {
          strictUnions: true,
          pipeStrategy: 'input',
        }) as ListToolsResult['tools'][number]['inputSchema'],
        outputSchema: toJsonSchemaCompat(t.output, {
          strictUnions: true,
          pipeStrategy: 'output',
        }) as ListToolsResult['tools'][number]['outputSchema'],
        annotations: { title: t.title, ...annotations },
        execution: { taskSupport: 'forbidden' as const }, // as the SDK lists a tool registered with registerTool
      })),
    };
    listCache.set(tools, list);
  }
  return list;
}

/** runTool, timed and counted in telemetry: the accounting every caller of a tool shares (MCP and REST). */
export function runCountedTool(tool: AnyTool, args: unknown, ctx: ServerContext): ToolRun & { ms: number } {
  const started = performance.now();
  const run = runTool(tool, args, ctx);
  const ms = performance.now() - started;
  ctx.telemetry.record(tool.name, ms, run.result.isError !== true);
  return { ...run, ms };
}

/** Validates, runs and renders one tool call; never throws. */
export function runTool(tool: AnyTool, args: unknown, ctx: ServerContext): ToolRun {
  const parsed = tool.input.safeParse(args ?? {});
  if (!parsed.success) {
    return userError(`Invalid arguments for ${tool.name}: ${describeIssues(parsed.error.issues)}.`);
  }
  let data: Record<string, unknown>;
  try {
    data = tool.run(parsed.data, ctx);
  } catch (err) {
    if (err instanceof ToolError || err instanceof PricingInputError) return userError(err.message);
    return internalError(tool.name, err);
  }
  // Our own output must match the schema we advertise; a mismatch is our bug, reported, never sent.
  const checked = tool.output.safeParse(data);
  if (!checked.success) {
    return internalError(tool.name, new Error(`output does not match its schema: ${describeIssues(checked.error.issues)}`));
  }
  let text: string;
  try {
    text = tool.render(checked.data);
  } catch (err) {
    return internalError(tool.name, err);
  }
  return { result: { content: [{ type: 'text', text }], structuredContent: checked.data }, internal: false };
}

/** "input_tokens cannot be negative, got -5; model_names[2]: …" */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((i) => {
      const path = pathText(i.path);
      const top = i.path.length > 0 ? String(i.path[0]) : '';
      return path !== '' && !(i.message.startsWith(top) && i.path.length === 1) ? `${path}: ${i.message}` : i.message;
    })
    .join('; ');
}

function pathText(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

function userError(message: string): ToolRun {
  return { result: { content: [{ type: 'text', text: message }], isError: true }, internal: false };
}

function internalError(tool: string, err: unknown): ToolRun {
  const message = err instanceof Error ? err.message : String(err);
  logToStderr('error', `tool ${tool} failed`, { error: message, stack: err instanceof Error ? err.stack : undefined });
  return {
    result: {
      content: [{ type: 'text', text: `${tool} failed inside the server (${message}). This is a server bug; other tools still work.` }],
      isError: true,
    },
    internal: true,
  };
}

function errorText(result: CallToolResult): string {
  const first = result.content[0];
  return first && first.type === 'text' ? first.text : '';
}
