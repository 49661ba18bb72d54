import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request as httpRequest } from 'node:http';
import { startHttpServer } from '../../src/http/server.js';
import type { RunningHttpServer } from '../../src/http/environment.js';

process.env.LOG_LEVEL ??= 'warn';

export const PROTOCOL_VERSION = '2025-06-18';
export const MCP_ACCEPT = 'application/json, text/event-stream';

/** The real environment in this process (real catalog, real tools), on a free port, with its own telemetry dir. */
export async function startRealServer(
  extra: { allowedHosts?: string[]; allowedOrigins?: string[]; bodyLimitBytes?: number } = {},
): Promise<RunningHttpServer & { cleanup(): Promise<void> }> {
  const telemetryDir = mkdtempSync(join(tmpdir(), 'http-test-telemetry-'));
  const running = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    telemetryDir,
    drainTimeoutMs: 5000,
    allowedHosts: extra.allowedHosts ?? [],
    allowedOrigins: extra.allowedOrigins ?? [],
    bodyLimitBytes: extra.bodyLimitBytes,
    installSignalHandlers: false,
  });
  return {
    ...running,
    async cleanup() {
      await running.close();
      rmSync(telemetryDir, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read answers of many shapes
  json(): any;
}

/**
 * One HTTP request with full control of the headers (fetch does not let us set Host).
 * `keepAlive` asks the server to keep the connection, on a fresh connection each
 * time: a pooled socket could be one the server already closed while draining.
 */
export function raw(
  url: string,
  opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer; keepAlive?: boolean } = {},
): Promise<RawResponse> {
  const u = new URL(url);
  const agent = opts.keepAlive ? new Agent({ keepAlive: true, maxSockets: 1 }) : false;
  return new Promise<RawResponse>((resolve, reject) => {
    const req = httpRequest(
      {
        host: u.hostname,
        port: u.port,
        path: opts.path ?? u.pathname + u.search,
        method: opts.method ?? 'GET',
        headers: opts.headers,
        agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
        });
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  }).finally(() => {
    if (agent) agent.destroy();
  });
}

/** POSTs JSON-RPC to /mcp with the headers a Streamable HTTP client sends. */
export function mcpPost(base: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  const data = typeof body === 'string' ? body : JSON.stringify(body);
  return raw(`${base}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: MCP_ACCEPT, ...headers },
    body: data,
  });
}

export const initializeRequest = (id: number | string = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'http-test', version: '1' } },
});

/** Opens a session by hand; returns the headers later requests must carry. */
export async function openSession(base: string): Promise<Record<string, string>> {
  const init = await mcpPost(base, initializeRequest());
  const sid = init.headers['mcp-session-id'];
  if (init.status !== 200 || typeof sid !== 'string') throw new Error(`initialize failed: ${init.status} ${init.body}`);
  const headers = { 'mcp-session-id': sid, 'mcp-protocol-version': PROTOCOL_VERSION };
  const note = await mcpPost(base, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
  if (note.status !== 202) throw new Error(`initialized notification: ${note.status}`);
  return headers;
}
