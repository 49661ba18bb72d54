import { closeConnections, openConnections, runLoad } from './http-load.js';
import { freePort, spawnServer, waitForHttp } from './processes.js';

// How fast the load generator itself can go on this machine: the same client
// against a child process that answers every POST with a canned JSON-RPC result.
// A server figure near this ceiling is limited by the client, not the server.

const CANNED_SERVER = `
const http = require('node:http');
const body = '{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"ok"}]}}';
http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 'canned' });
    res.end(body);
  });
}).listen(Number(process.argv[1]), '127.0.0.1');
`;

export async function measureCeiling(concurrency: number[], calls: number, timeLimitMs: number): Promise<Map<number, number>> {
  const port = await freePort();
  const server = spawnServer([process.execPath, '-e', CANNED_SERVER, String(port)]);
  const url = `http://127.0.0.1:${port}/mcp`;
  const out = new Map<number, number>();
  try {
    await waitForHttp(url, server, 10_000, true);
    for (const c of concurrency) {
      const conns = await openConnections(url, c, 5000);
      try {
        await runLoad(conns, { calls: Math.min(1000, calls), timeLimitMs, tool: 'canned', args: {}, requestTimeoutMs: 5000 });
        out.set(c, (await runLoad(conns, { calls, timeLimitMs, tool: 'canned', args: {}, requestTimeoutMs: 5000 })).callsPerSecond);
      } finally {
        await closeConnections(conns);
      }
    }
  } finally {
    await server.stop();
  }
  return out;
}
