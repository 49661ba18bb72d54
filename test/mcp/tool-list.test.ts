// Our cached tools/list must say exactly what the SDK would say for the same
// registrations, so caching changes speed and nothing else.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type ServerContext } from '../../src/mcp/context.js';
import { createMcpServer } from '../../src/mcp/server.js';
import { READ_ONLY_ANNOTATIONS } from '../../src/mcp/toolkit.js';
import { TOOLS } from '../../src/mcp/tools/index.js';
import { cleanupTempDirs, tempDir } from './helpers.js';

let ctx: ServerContext;

beforeAll(async () => {
  ctx = await createContext({ telemetryDir: await tempDir() });
});

afterAll(async () => {
  await ctx?.telemetry.close();
  await cleanupTempDirs();
});

async function listTools(server: McpServer) {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'tool-list-test', version: '0' });
  await client.connect(clientSide);
  const { tools } = await client.listTools();
  await client.close();
  return tools;
}

describe('tools/list', () => {
  it('is identical to what the SDK lists for the same registrations', async () => {
    const reference = new McpServer({ name: 'reference', version: '0' });
    for (const t of TOOLS) {
      reference.registerTool(
        t.name,
        {
          title: t.title,
          description: t.description,
          inputSchema: t.input,
          outputSchema: t.output,
          annotations: { title: t.title, ...READ_ONLY_ANNOTATIONS },
        },
        () => ({ content: [] }),
      );
    }
    const ours = await listTools(createMcpServer(ctx));
    expect(ours).toEqual(await listTools(reference));
    expect(ours).toHaveLength(6);
  });
});
