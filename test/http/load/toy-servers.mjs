// Starts one MCP server over HTTP for load measurements, with the same small tool
// behind either our transport (mode "ours") or the SDK's stock transports
// ("stock-node": StreamableHTTPServerTransport, "stock-web": the web-standard one
// behind a plain node:http adapter). Prints {"port":N} on stdout once listening.
// Usage: [REAL=1] node test/http/load/toy-servers.mjs ours|stock-node|stock-web   (after npm run build)
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

const mode = process.argv[2] ?? 'ours';
// HEAP_GROWING_PERCENT=N applies the same heap-growth cap as `serve --http` (src/http/heap-growth.ts).
if (process.env.HEAP_GROWING_PERCENT)
  (await import('node:v8')).setFlagsFromString('--heap-growing-percent=' + process.env.HEAP_GROWING_PERCENT);
// Exit cleanly on a signal so that --cpu-prof can write its profile. With
// ALLOC_PROFILE=file, every allocation is sampled (also those already collected)
// and written there on exit: where the garbage per call comes from.
let writeAllocProfile = async () => {};
if (process.env.ALLOC_PROFILE) {
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  writeAllocProfile = async () => {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    writeFileSync(process.env.ALLOC_PROFILE, JSON.stringify(profile));
  };
}
const exit = () => writeAllocProfile().finally(() => process.exit(0));
process.on('SIGINT', exit);
process.on('SIGTERM', exit);

// REAL=1 serves the product's own MCP server (real catalog and tools) instead of the toy.
let real;
if (process.env.REAL) {
  const { createContext } = await import('../../../dist/mcp/context.js');
  const { createMcpServer } = await import('../../../dist/mcp/server.js');
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const ctx = await createContext({ telemetryDir: mkdtempSync(join(tmpdir(), 'load-telemetry-')) });
  real = { ctx, factory: () => createMcpServer(ctx) };
}

function toy() {
  if (real) return real.factory();
  const server = new McpServer({ name: 'toy', version: '0.0.1' });
  server.registerTool(
    'add',
    { description: 'adds', inputSchema: { a: z.number(), b: z.number() }, outputSchema: { sum: z.number() } },
    async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }], structuredContent: { sum: a + b } }),
  );
  return server;
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined);
      } catch (e) {
        reject(e);
      }
    });
    req.on('error', reject);
  });
}

function announce(port) {
  process.stdout.write(JSON.stringify({ port, pid: process.pid }) + '\n');
}

if (mode === 'ours') {
  const { buildHttpApp } = await import('../../../dist/http/app.js');
  const { serve } = await import('../../../dist/http/environment.js');
  const { createLogger } = await import('../../../dist/http/logger.js');
  const http = await buildHttpApp({
    ctx: real?.ctx ?? {
      version: '0',
      color: undefined,
      startedAt: new Date(),
      catalog: { models: [], providers: [], data_as_of: '-', source: '-' },
    },
    createMcpServer: toy,
    allowedHosts: [],
    allowedOrigins: [],
    logger: createLogger('warn'),
  });
  const running = await serve(http, { port: 0, host: '127.0.0.1', drainTimeoutMs: 2000 });
  announce(running.port);
} else {
  const sessions = new Map();
  const web = mode === 'stock-web';
  const server = createServer(async (req, res) => {
    try {
      const sid = req.headers['mcp-session-id'];
      let entry = sid ? sessions.get(sid) : undefined;
      const body = req.method === 'POST' ? await readJson(req) : undefined;
      if (!entry) {
        if (req.method !== 'POST' || !isInitializeRequest(body)) {
          res.writeHead(sid ? 404 : 400).end();
          return;
        }
        const opts = {
          sessionIdGenerator: () => randomUUID(),
          enableJsonResponse: true,
          onsessioninitialized: (id) => sessions.set(id, entry),
        };
        const transport = web ? new WebStandardStreamableHTTPServerTransport(opts) : new StreamableHTTPServerTransport(opts);
        entry = { transport };
        await toy().connect(transport);
      }
      if (!web) {
        await entry.transport.handleRequest(req, res, body);
        return;
      }
      // A lean adapter: Node request -> web Request (body already parsed), web Response -> Node response.
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      const request = new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers });
      const response = await entry.transport.handleRequest(request, { parsedBody: body });
      const out = {};
      response.headers.forEach((v, k) => (out[k] = v));
      res.writeHead(response.status, out);
      res.end(response.body ? Buffer.from(await response.arrayBuffer()) : undefined);
    } catch (err) {
      res.writeHead(500).end(String(err));
    }
  });
  server.listen(0, '127.0.0.1', () => announce(server.address().port));
}
