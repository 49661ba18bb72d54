// The answers the router makes itself. On /mcp the body is a JSON-RPC error object (what an
// MCP client can parse); elsewhere a small JSON object.

const reasons: Record<number, [string, string]> = {
  400: ['Bad Request', 'bad_request'],
  403: ['Forbidden', 'forbidden'],
  404: ['Not Found', 'not_found'],
  408: ['Request Timeout', 'request_timeout'],
  413: ['Content Too Large', 'payload_too_large'],
  417: ['Expectation Failed', 'expectation_failed'],
  431: ['Request Header Fields Too Large', 'header_too_large'],
  501: ['Not Implemented', 'not_implemented'],
  502: ['Bad Gateway', 'bad_gateway'],
  503: ['Service Unavailable', 'service_unavailable'],
  504: ['Gateway Timeout', 'gateway_timeout'],
  505: ['HTTP Version Not Supported', 'version_not_supported'],
};

export function errorBody(path: string, status: number, message: string): string {
  if (path.startsWith('/mcp')) {
    return JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: `${status} ${message}` }, id: null });
  }
  return JSON.stringify({ error: reasons[status]?.[1] ?? 'error', status, message });
}

/** A complete response (head and JSON body) as bytes. */
export function errorResponse(path: string, status: number, message: string, close: boolean, extra = ''): Buffer {
  const body = errorBody(path, status, message);
  return Buffer.from(
    `HTTP/1.1 ${status} ${reasons[status]?.[0] ?? 'Error'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `${extra}${close ? 'connection: close\r\n' : ''}\r\n${body}`,
  );
}

/** A response with a body the router made (its status and metrics pages). */
export function plainResponse(status: number, contentType: string, body: string, close: boolean): Buffer {
  return Buffer.from(
    `HTTP/1.1 ${status} ${status === 200 ? 'OK' : 'Error'}\r\ncontent-type: ${contentType}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `${close ? 'connection: close\r\n' : ''}\r\n${body}`,
  );
}
