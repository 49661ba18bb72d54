// Named defaults of the HTTP surface; each can be overridden through startHttpServer's options.

/** Largest request body accepted on any route (1 MiB); larger ones get 413. */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
/** An MCP session nobody has used for this long is closed. */
export const DEFAULT_SESSION_IDLE_TTL_MS = 30 * 60_000;
/** At most this many MCP sessions live at once; the least recently used idle one makes room. */
export const DEFAULT_MAX_SESSIONS = 1000;
/** With shared session keys: a session id is refused everywhere this long after its initialize (clients then re-initialize). */
export const DEFAULT_SESSION_MAX_AGE_MS = 24 * 3600_000;
/** How often idle sessions are looked for. */
export const SESSION_SWEEP_INTERVAL_MS = 30_000;
/** SSE comment frames keep a quiet GET stream open through proxies and idle timeouts. */
export const SSE_KEEPALIVE_MS = 25_000;
/** Most entries accepted by POST /cost-estimate/batch. */
export const MAX_COST_BATCH = 100;
/** Most messages accepted in one JSON-RPC batch on /mcp (same bound as the SDK). */
export const MAX_JSONRPC_BATCH = 100;
/** Old-generation growth allowed past the live heap before a full GC (see heap-growth.ts); 0 keeps V8's default. */
export const DEFAULT_HEAP_GROWING_PERCENT = 100;
/** How long SIGTERM waits for requests in flight before cutting them. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
