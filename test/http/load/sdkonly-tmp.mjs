import * as zc from 'zod/v4/core';
if (process.env.NO_MEMO) zc.config({ memoizer: { alloc: (_i, _p, empty) => empty, guard() {}, attach() {} } });
const { McpServer } = await import('@modelcontextprotocol/sdk/server/mcp.js');
const { z } = await import('zod');
const server = new McpServer({ name: 'toy', version: '0.0.1' });
server.registerTool('add', { description: 'adds', inputSchema: { a: z.number(), b: z.number() }, outputSchema: { sum: z.number() } },
  async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }], structuredContent: { sum: a + b } }));
let resolveNext;
const t = { async start() {}, async send(m) { resolveNext?.(m); }, async close() {} };
await server.connect(t);
const call = (msg) => new Promise((r) => { resolveNext = r; t.onmessage(msg, {}); });
await call({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } });
const N = Number(process.argv[2] ?? 50000);
for (let i = 1; i <= N; i++) {
  await call({ jsonrpc: '2.0', id: i, method: process.argv[3] ?? 'tools/call', params: { name: 'add', arguments: { a: 1, b: 2 } } });
}
