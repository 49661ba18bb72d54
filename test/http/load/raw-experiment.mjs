// Experiment: our SessionTransport behind bare node:http (no fastify) for comparison.
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { SessionTransport } from '../../../dist/http/mcp/session-transport.js';
import { classify } from '../../../dist/http/mcp/jsonrpc.js';
process.on('SIGTERM', () => process.exit(0));
function toy() {
  const server = new McpServer({ name: 'toy', version: '0.0.1' });
  server.registerTool('add', { description: 'adds', inputSchema: { a: z.number(), b: z.number() }, outputSchema: { sum: z.number() } },
    async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }], structuredContent: { sum: a + b } }));
  return server;
}
const sessions = new Map();
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const c = classify(body);
    let t = sessions.get(req.headers['mcp-session-id']);
    if (!t) {
      t = new SessionTransport(randomUUID());
      await toy().connect(t);
      sessions.set(t.sessionId, t);
    }
    if (c.kind !== 'request') { t.dispatch([c.message], [], undefined, {}); res.writeHead(202).end(); return; }
    t.dispatch([c.message], [c.message.id], { deliver(json) { res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': t.sessionId }); res.end(json); } }, { requestInfo: { headers: req.headers } });
  });
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port, pid: process.pid })));
