// JSON bodies for the errors the router makes itself. On /mcp they are JSON-RPC error
// objects (what an MCP client can parse); elsewhere a small JSON object.

const reasons: Record<number, string> = {
  400: 'bad_request',
  404: 'not_found',
  413: 'payload_too_large',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'gateway_timeout',
};

export function errorBody(url: string, status: number, message: string): string {
  if (url.startsWith('/mcp')) {
    return JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: `${status} ${message}` }, id: null });
  }
  return JSON.stringify({ error: reasons[status] ?? 'error', status, message });
}
