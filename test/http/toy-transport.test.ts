import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { RunningHttpServer } from '../../src/http/environment.js';
import { startToy } from './toy-server.js';

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
