import { isJSONRPCNotification, isJSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { isRequestId } from '../../mcp/index.js';

// A lean, exact check of incoming JSON-RPC messages. The SDK validates each message
// with zod on the way in (and the protocol layer does it again); doing it once here
// with plain property checks is most of what the stock transport spends per call.
// The shapes mirror the SDK's strict schemas so that every message we count as a
// request is one the protocol layer answers (otherwise a POST would wait forever):
// ids are strings or safe integers (isRequestId), as zod 4's int() accepts.
// Error codes and bodies are src/mcp's one table (RpcCode, errorBody).

export type MessageKind = 'request' | 'notification' | 'response';

export interface ClassifiedMessage {
  kind: MessageKind;
  message: JSONRPCMessage;
}

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Only these keys may appear (the SDK's schemas are strict). */
function onlyKeys(o: Obj, allowed: readonly string[]): boolean {
  for (const k in o) if (!allowed.includes(k)) return false;
  return true;
}

const REQUEST_KEYS = ['jsonrpc', 'id', 'method', 'params'] as const;
const NOTIFICATION_KEYS = ['jsonrpc', 'method', 'params'] as const;
const RESULT_KEYS = ['jsonrpc', 'id', 'result'] as const;
const ERROR_KEYS = ['jsonrpc', 'id', 'error'] as const;

/** Classifies one parsed value, or returns undefined when it is not a valid JSON-RPC 2.0 message. */
export function classify(value: unknown): ClassifiedMessage | undefined {
  if (!isObject(value) || value.jsonrpc !== '2.0') return undefined;
  const message = value as unknown as JSONRPCMessage;
  if (typeof value.method === 'string') {
    const params = value.params;
    if (params !== undefined && !isObject(params)) return undefined;
    // `_meta` has its own nested rules; leave that rare case to the SDK's schema.
    const hasMeta = params !== undefined && params._meta !== undefined;
    if ('id' in value) {
      if (hasMeta) return isJSONRPCRequest(value) ? { kind: 'request', message } : undefined;
      return isRequestId(value.id) && onlyKeys(value, REQUEST_KEYS) ? { kind: 'request', message } : undefined;
    }
    if (hasMeta) return isJSONRPCNotification(value) ? { kind: 'notification', message } : undefined;
    return onlyKeys(value, NOTIFICATION_KEYS) ? { kind: 'notification', message } : undefined;
  }
  if ('result' in value) {
    return isRequestId(value.id) && isObject(value.result) && onlyKeys(value, RESULT_KEYS) ? { kind: 'response', message } : undefined;
  }
  if ('error' in value) {
    const err = value.error;
    const idOk = value.id === undefined || isRequestId(value.id);
    return idOk && isObject(err) && Number.isSafeInteger(err.code) && typeof err.message === 'string' && onlyKeys(value, ERROR_KEYS)
      ? { kind: 'response', message }
      : undefined;
  }
  return undefined;
}

/** A message the server sends that answers a request (it carries result or error). */
export function isResponse(message: JSONRPCMessage): message is JSONRPCMessage & { id: RequestId } {
  return 'result' in message || 'error' in message;
}
