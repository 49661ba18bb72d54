#!/usr/bin/env node
// The floor the bench measures our server against: the official SDK's McpServer
// with one trivial tool and nothing else, over stdio or the stock stateful
// StreamableHTTPServerTransport (one transport and one McpServer per session,
// JSON responses) on node:http. A real program so the bench can time it in its
// own process, as it times ours.
//
//   node dist/check/bench/bare-server.js --stdio
//   node dist/check/bench/bare-server.js --http --port N     (prints "listening on http://127.0.0.1:N/mcp")
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';

const BARE_TOOL = 'trivial'; // the bench calls it by this name (see bench/workload.ts)

function createBareServer(): McpServer {
  const server = new McpServer({ name: 'bare-sdk-server', version: '0.0.0' });
  server.registerTool(BARE_TOOL, { description: 'Returns "ok".' }, async () => ({ content: [{ type: 'text', text: 'ok' }] }));
  return server;
}

async function serveHttp(port: number): Promise<void> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const reply = (res: ServerResponse, status: number, message: string) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if ((req.url ?? '').split('?')[0] !== '/mcp') return reply(res, 404, 'not found');
    const id = req.headers['mcp-session-id'];
    const existing = typeof id === 'string' ? sessions.get(id) : undefined;
    if (existing) return existing.handleRequest(req, res);
    if (req.method !== 'POST' || id !== undefined) return reply(res, 404, 'session not found');
    // A new session must start with initialize: read the body to know.
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return reply(res, 400, 'invalid JSON');
    }
    if (!isInitializeRequest(body)) return reply(res, 400, 'expected initialize');
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (sid) => {
        sessions.set(sid, transport);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await createBareServer().connect(transport);
    await transport.handleRequest(req, res, body);
  };
  const http = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) reply(res, 500, String(err));
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, '127.0.0.1', resolve);
  });
  const addr = http.address();
  process.stdout.write(`listening on http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}/mcp\n`);
  const stop = () => {
    http.close(() => process.exit(0));
    http.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

const argv = process.argv.slice(2);
if (argv.includes('--http')) {
  const i = argv.indexOf('--port');
  const port = i >= 0 ? Number(argv[i + 1]) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write('bare-server: --port must be 0..65535\n');
    process.exit(2);
  }
  await serveHttp(port);
} else {
  await createBareServer().connect(new StdioServerTransport());
}
