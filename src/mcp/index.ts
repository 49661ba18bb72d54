// The public face of src/mcp: everything outside this directory that needs MCP
// (src/http's /mcp and REST API, tests) takes it from here. `serve --stdio`
// enters through stdio.ts instead, which loads only what answering needs.

export { createContext, openContext, type ContextOptions, type OpeningContext, type ServerContext } from './context.js';
export { createMcpServer, SERVER_INSTRUCTIONS } from './server.js';
export { directToolCall, type DirectToolCall } from './dispatch.js';
export { callTool, toolInputSchema, type ToolAnswer } from './tool-call.js';
export { TOOLS, TOOL_NAMES } from './tools/index.js';
export { modelSummary } from './catalog-view.js';
export { warmUp } from './warmup.js';
export { RpcCode, clarifyParamsError, errorBody, invalidMessageReason, isRequestId } from './protocol-errors.js';
