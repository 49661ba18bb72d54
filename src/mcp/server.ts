// The MCP server factory shared by every transport (stdio here, Streamable HTTP
// in src/http): tools, resources, prompts and logging over one ServerContext.
// Cheap to call: schemas are module constants, catalog views are cached per
// catalog, so an HTTP server can build one per session.

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { PACKAGE_NAME } from '../version.js';
import { ClientLog } from './client-log.js';
import type { ServerContext } from './context.js';
import { installToolDispatcher, installToolList, runTool } from './dispatch.js';
import { registerPrompts } from './prompts.js';
import { registerResources } from './resources.js';
import { READ_ONLY_ANNOTATIONS } from './toolkit.js';
import { TOOLS } from './tools/index.js';

export const SERVER_INSTRUCTIONS =
  'Answers questions about LLM API prices from a dated catalog (every answer carries data_as_of and source). ' +
  'Use estimate_cost for one model and a token count, compare_costs to rank several models for the same workload, ' +
  'get_all_pricing to browse prices (paged), get_performance_metrics for speed and value, get_use_cases for what ' +
  'models are good at, and get_telemetry for server usage. Model names are case-insensitive and may be ' +
  'provider-qualified ("openai:gpt-4o").';

// The SDK builds a new Ajv instance per server unless given one (~1 ms each);
// we never elicit, so one shared validator serves every session.
let sharedValidator: AjvJsonSchemaValidator | undefined;

export function createMcpServer(ctx: ServerContext): McpServer {
  sharedValidator ??= new AjvJsonSchemaValidator();
  const mcp = new McpServer(
    { name: PACKAGE_NAME, title: 'LLM pricing', version: ctx.version },
    {
      capabilities: { tools: {}, resources: {}, prompts: {}, logging: {}, completions: {} },
      instructions: SERVER_INSTRUCTIONS,
      jsonSchemaValidator: sharedValidator,
    },
  );
  for (const tool of TOOLS) {
    mcp.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        outputSchema: tool.output,
        annotations: { title: tool.title, ...READ_ONLY_ANNOTATIONS },
      },
      // Used only if the SDK's own tools/call handler is ever active; ours replaces it below.
      (args: unknown) => runTool(tool, args, ctx).result,
    );
  }
  const log = new ClientLog(mcp.server);
  installToolList(mcp, TOOLS, READ_ONLY_ANNOTATIONS);
  installToolDispatcher(mcp, TOOLS, ctx, log);
  registerResources(mcp, ctx);
  registerPrompts(mcp, ctx);
  return mcp;
}
