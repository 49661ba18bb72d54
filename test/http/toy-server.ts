import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { buildHttpApp } from '../../src/http/app.js';
import type { HttpAppContext } from '../../src/http/app-context.js';
import { serve } from '../../src/http/environment.js';
import type { RunningHttpServer } from '../../src/http/environment.js';
import { createLogger } from '../../src/http/logger.js';

// A small real MCP server (official SDK) for exercising the transport on its own,
// independent of the pricing tools.
export function createToyServer(): McpServer {
  const server = new McpServer({ name: 'toy', version: '0.0.1' });
  server.registerTool(
    'add',
    { description: 'adds two numbers', inputSchema: { a: z.number(), b: z.number() }, outputSchema: { sum: z.number() } },
    async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }], structuredContent: { sum: a + b } }),
  );
  return server;
}

const toyContext: HttpAppContext = {
  version: '0.0.1',
  color: 'blue',
  startedAt: new Date(),
  catalog: { models: [], all_models: [], providers: [], data_as_of: '2026-01-01', source: 'none', listModels: () => [] },
};

export async function startToy(
  opts: {
    allowedHosts?: string[];
    allowedOrigins?: string[];
    maxSessions?: number;
    sessionIdleTtlMs?: number;
    bodyLimitBytes?: number;
  } = {},
): Promise<RunningHttpServer> {
  const http = await buildHttpApp({
    ctx: toyContext,
    createMcpServer: createToyServer,
    allowedHosts: opts.allowedHosts ?? [],
    allowedOrigins: opts.allowedOrigins ?? [],
    maxSessions: opts.maxSessions,
    sessionIdleTtlMs: opts.sessionIdleTtlMs,
    bodyLimitBytes: opts.bodyLimitBytes,
    logger: createLogger('warn'),
  });
  return serve(http, { port: 0, host: '127.0.0.1', drainTimeoutMs: 5000 });
}
