#!/usr/bin/env node
// The per-call floor of the HTTP bench: a bare node:http server that parses each
// POSTed JSON-RPC message and answers it with a small result carrying its id.
// Nothing an MCP server could skip (read the body, parse JSON, write JSON) and
// nothing more. A real program, so the bench times it in its own process.
//
//   node dist/check/bench/echo-server.js --port N      (prints "listening on http://127.0.0.1:N/mcp")
import { createServer } from 'node:http';

const argv = process.argv.slice(2);
const i = argv.indexOf('--port');
const port = i >= 0 ? Number(argv[i + 1]) : 0;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write('echo-server: --port must be 0..65535\n');
  process.exit(2);
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let id: unknown;
    try {
      id = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: unknown }).id ?? null;
    } catch {
      id = null;
    }
    const body = JSON.stringify({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: 'ok' }] } });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(port, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`listening on http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}/mcp\n`);
});
const stop = (): void => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
