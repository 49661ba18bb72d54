// JSON-RPC error replies the transport sends itself, and one correction of the
// SDK's: a request whose params fail the SDK's schema (e.g. `initialize` without
// protocolVersion) comes back from SDK 1.32 as -32603 Internal error carrying the
// raw zod issue list. It is the caller's mistake, so we send -32602 Invalid params
// with the issues in words.

import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;

export function errorReply(id: RequestId | null, code: number, message: string): JSONRPCMessage {
  // id null is valid JSON-RPC for "could not tell which request"; the SDK's types do not allow it.
  return { jsonrpc: '2.0', id, error: { code, message } } as unknown as JSONRPCMessage;
}

/** The id of a would-be request, if it has a usable one. */
export function requestIdOf(value: unknown): RequestId | null {
  if (typeof value !== 'object' || value === null) return null;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)) ? id : null;
}

/** Rewrites an SDK "internal error" that is really a params validation failure; other messages pass unchanged. */
export function clarifyParamsError(message: JSONRPCMessage): JSONRPCMessage {
  if (!('error' in message) || message.error.code !== INTERNAL_ERROR) return message;
  const text = message.error.message;
  if (!text.startsWith('[')) return message;
  let issues: unknown;
  try {
    issues = JSON.parse(text);
  } catch {
    return message;
  }
  if (!Array.isArray(issues) || !issues.every((i) => typeof i === 'object' && i !== null && 'path' in i && 'message' in i)) {
    return message;
  }
  const words = (issues as Array<{ path: unknown[]; message: string }>)
    .slice(0, 5)
    .map((i) => `${Array.isArray(i.path) && i.path.length > 0 ? `${i.path.join('.')}: ` : ''}${i.message}`)
    .join('; ');
  return { ...message, error: { code: INVALID_PARAMS, message: `Invalid params: ${words}` } };
}

/** An error the SDK sends as a JSON-RPC error with this code and message as given (McpError would prefix "MCP error N: "). */
export function protocolError(code: number, message: string): Error {
  return Object.assign(new Error(message), { code });
}
