// The one table of JSON-RPC errors every transport sends (stdio here, HTTP in
// src/http), with the id rules of the protocol, and one correction of the SDK's:
// a request whose params fail the SDK's schema (e.g. `initialize` without
// protocolVersion) comes back from SDK 1.32 as -32603 Internal error carrying the
// raw zod issue list. It is the caller's mistake, so we send -32602 Invalid params
// with the issues in words.

import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';

/** JSON-RPC 2.0's codes, and the ones MCP and its SDK use in the server range (-32000 to -32099). */
export const RpcCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** The SDK's Streamable HTTP transport uses it for every transport-level refusal (406, 415, 403, ...). */
  ServerError: -32000,
  /** Streamable HTTP: the Mcp-Session-Id names no live session (with HTTP 404). */
  SessionNotFound: -32001,
  /** MCP: resources/read of a URI that does not exist. */
  ResourceNotFound: -32002,
  /**
   * A request the client cancelled (notifications/cancelled) while its HTTP POST still waits: MCP says no
   * result is sent, but the POST must end, so it ends with this error (the code LSP uses for the same case).
   */
  RequestCancelled: -32800,
} as const;

// The names this file had before the table; src/mcp files still use them.
export const PARSE_ERROR = RpcCode.ParseError;
export const INVALID_REQUEST = RpcCode.InvalidRequest;
export const INVALID_PARAMS = RpcCode.InvalidParams;
export const INTERNAL_ERROR = RpcCode.InternalError;

/**
 * A JSON-RPC request id as MCP's SDK accepts it: a string, or an integer that is
 * exactly representable (zod 4's int() rejects 1e21 and other unsafe integers).
 * Anything else is not a request the protocol layer would answer.
 */
export function isRequestId(value: unknown): value is RequestId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isSafeInteger(value));
}

export function errorReply(id: RequestId | null, code: number, message: string): JSONRPCMessage {
  // id null is valid JSON-RPC for "could not tell which request"; the SDK's types do not allow it.
  return { jsonrpc: '2.0', id, error: { code, message } } as unknown as JSONRPCMessage;
}

/** The body of an error that answers no particular request (HTTP-level refusals): id null, as the SDK sends. */
export function errorBody(code: number, message: string): string {
  return JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });
}

/** The id of a would-be request, if it has a valid one (else null, as JSON-RPC asks for an unreadable id). */
export function requestIdOf(value: unknown): RequestId | null {
  if (typeof value !== 'object' || value === null) return null;
  const id = (value as { id?: unknown }).id;
  return isRequestId(id) ? id : null;
}

/** Why a parsed JSON value is not a JSON-RPC message MCP accepts, in words for the caller. */
export function invalidMessageReason(value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'a message must be a JSON object';
  const v = value as Record<string, unknown>;
  if (v.jsonrpc !== '2.0') return '"jsonrpc" must be "2.0"';
  if ('method' in v && typeof v.method !== 'string') return '"method" must be a string';
  if ('id' in v && !isRequestId(v.id)) return '"id" must be a string or an integer between -(2^53-1) and 2^53-1';
  if ('params' in v && (typeof v.params !== 'object' || v.params === null || Array.isArray(v.params))) {
    return '"params" must be an object';
  }
  if (!('method' in v) && !('result' in v) && !('error' in v)) return 'expected a request, notification or response';
  return 'unexpected or malformed fields';
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
