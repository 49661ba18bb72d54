import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { RunningHttpServer } from '../../src/http/environment.js';
import { startToy } from './toy-server.js';
import { waitFor } from '../support/wait.js';

let server: RunningHttpServer;
beforeAll(async () => {
  server = await startToy();
});
afterAll(async () => {
  await server.close();
});

describe('own Streamable HTTP transport (toy server)', () => {
  it('initializes, lists and calls tools through the SDK client', async () => {
    const client = new Client({ name: 't', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`));
    await client.connect(transport);
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['add']);
    const r = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
    expect(r.structuredContent).toEqual({ sum: 5 });
    await transport.terminateSession();
    await client.close();
  });
});

describe('abandoned requests', () => {
  it('forgets a request whose client went away mid-body, and keeps serving', async () => {
    const { connect } = await import('node:net');
    const { openSession, mcpPost, raw } = await import('./helpers.js');
    const headers = await openSession(server.url);
    const u = new URL(server.url);
    const socket = connect(Number(u.port), u.hostname);
    socket.write(
      `POST /mcp HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n` +
        `Mcp-Session-Id: ${headers['mcp-session-id']}\r\nContent-Length: 500\r\n\r\n{"jsonrpc":"2.0",`,
    );
    const inFlight = async () => (await raw(`${server.url}/health/detailed`)).json().in_flight as number;
    // The half-sent request counts (plus the probe itself)...
    await waitFor('the half-sent request to count', async () => ((await inFlight()) === 2 ? true : undefined));
    socket.destroy();
    // ...and stops counting once its client is gone.
    await waitFor('the abandoned request to stop counting', async () => ((await inFlight()) === 1 ? true : undefined));
    const r = await mcpPost(
      server.url,
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 1 } } },
      headers,
    );
    expect(r.json().result.structuredContent).toEqual({ sum: 2 });
    const head = await raw(`${server.url}/mcp`, { method: 'HEAD', headers: { ...headers, accept: 'text/event-stream' } });
    // HEAD is not one of /mcp's methods: it must not open a stream.
    expect(head.status).toBe(405);
    expect(head.headers.allow).toBe('GET, POST, DELETE');
  });
});
