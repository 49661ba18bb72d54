// A small MCP client over Streamable HTTP for what REST does not carry: completion of model names, answered by
// the same catalog.complete() the MCP prompts use. One session per page, opened on first use, ended on pagehide.

const PROTOCOL_VERSION = '2025-06-18';
const ACCEPT = 'application/json, text/event-stream';

interface RpcAnswer<T> {
  result?: T;
  error?: { code: number; message: string };
}

export class McpSession {
  private session: Promise<string> | undefined;
  private nextId = 1;

  constructor(private readonly url = '/mcp') {}

  /** Names in the catalog that complete `value` (ids, aliases, generic names), best first. */
  async completeModel(value: string, signal?: AbortSignal): Promise<string[]> {
    const result = await this.request<{ completion: { values: string[] } }>(
      'completion/complete',
      { ref: { type: 'ref/prompt', name: 'compare_models' }, argument: { name: 'models', value } },
      signal,
    );
    return result.completion.values;
  }

  private async request<T>(method: string, params: unknown, signal?: AbortSignal): Promise<T> {
    const sid = await (this.session ??= this.open());
    const res = await this.post({ jsonrpc: '2.0', id: this.nextId++, method, params }, sid, signal);
    const body = (await res.json()) as RpcAnswer<T>;
    if (body.error || body.result === undefined) throw new Error(`MCP ${method}: ${body.error?.message ?? 'no result'}`);
    return body.result;
  }

  private async open(): Promise<string> {
    const init = { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'llm-pricing-web', version: '1' } };
    const res = await this.post({ jsonrpc: '2.0', id: this.nextId++, method: 'initialize', params: init });
    const sid = res.headers.get('mcp-session-id');
    if (!res.ok || !sid) {
      this.session = undefined;
      throw new Error(`MCP initialize failed: ${res.status}`);
    }
    await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' }, sid);
    addEventListener('pagehide', () => this.close(sid), { once: true });
    return sid;
  }

  private post(message: unknown, sid?: string, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: ACCEPT };
    if (sid) Object.assign(headers, { 'mcp-session-id': sid, 'mcp-protocol-version': PROTOCOL_VERSION });
    return fetch(this.url, { method: 'POST', headers, body: JSON.stringify(message), signal });
  }

  private close(sid: string): void {
    void fetch(this.url, {
      method: 'DELETE',
      headers: { 'mcp-session-id': sid, 'mcp-protocol-version': PROTOCOL_VERSION },
      keepalive: true,
    }).catch(() => undefined);
  }
}
