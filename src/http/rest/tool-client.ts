import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { VERSION } from '../../version.js';

export type ToolAnswer = { ok: true; data: Record<string, unknown> } | { ok: false; message: string };

/**
 * The REST API's way to the tools: an in-process MCP client connected to the same
 * server factory as /mcp, so REST answers come from the very tool handlers (same
 * validation, same pricing code, same telemetry) and nothing is written twice.
 */
export class ToolClient {
  private constructor(
    private readonly client: Client,
    private readonly server: McpServer,
    readonly names: readonly string[],
  ) {}

  static async connect(server: McpServer): Promise<ToolClient> {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: 'llm-pricing-mcp-rest', version: VERSION });
    await client.connect(clientSide);
    const { tools } = await client.listTools();
    return new ToolClient(
      client,
      server,
      tools.map((t) => t.name),
    );
  }

  async call(name: string, args: Record<string, unknown>): Promise<ToolAnswer> {
    const result = await this.client.callTool({ name, arguments: args });
    if (result.isError === true) return { ok: false, message: textOf(result.content) || `${name} failed` };
    const data = result.structuredContent;
    if (data && typeof data === 'object') return { ok: true, data: data as Record<string, unknown> };
    // A tool without structured output: hand back its text.
    return { ok: true, data: { text: textOf(result.content) } };
  }

  async close(): Promise<void> {
    await this.client.close();
    await this.server.close();
  }
}

function textOf(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return content
    .filter((c): c is { type: 'text'; text: string } => typeof c === 'object' && c !== null && (c as { type?: unknown }).type === 'text')
    .map((c) => c.text)
    .join('\n');
}
