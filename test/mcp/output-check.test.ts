// The safety net in runTool: a tool whose result does not match the output schema
// it advertises is a bug on our side; the caller gets an isError result saying so,
// never the bad structuredContent. Also through the direct tools/call path HTTP uses.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { ClientLog } from '../../src/mcp/client-log.js';
import { createContext, type ServerContext } from '../../src/mcp/context.js';
import { directToolCall, installToolDispatcher, runTool } from '../../src/mcp/dispatch.js';
import { defineTool, toolInput } from '../../src/mcp/toolkit.js';

// A tool that promises a number and, for some inputs, returns a string.
const brokenTool = defineTool({
  name: 'broken_tool',
  title: 'Broken',
  description: 'Returns a string where its schema says number when asked to.',
  input: toolInput({ break_it: z.boolean() }),
  output: z.object({ total: z.number() }),
  run: (args) => ({ total: (args.break_it ? 'lots' : 3) as number }),
  render: (r) => `total ${r.total}`,
});

let ctx: ServerContext;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'output-check-telemetry-'));
  ctx = await createContext({ telemetryDir: dir });
});
afterAll(async () => {
  await ctx.telemetry.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('output schema check', () => {
  it('passes a result that matches', () => {
    const run = runTool(brokenTool, { break_it: false }, ctx);
    expect(run.internal).toBe(false);
    expect(run.result.structuredContent).toEqual({ total: 3 });
  });

  it('reports a result that does not match as a server bug, without its structuredContent', () => {
    const run = runTool(brokenTool, { break_it: true }, ctx);
    expect(run.internal).toBe(true);
    expect(run.result.isError).toBe(true);
    expect(run.result.structuredContent).toBeUndefined();
    const first = run.result.content[0];
    expect(first?.type === 'text' ? first.text : '').toMatch(
      /^broken_tool failed inside the server \(output does not match its schema: total: .*\)\. This is a server bug/,
    );
  });

  it('does the same on the direct tools/call path', () => {
    const mcp = new McpServer({ name: 't', version: '1' }, { capabilities: { tools: {}, logging: {} } });
    installToolDispatcher(mcp, [brokenTool], ctx, new ClientLog(mcp.server));
    const direct = directToolCall(mcp);
    expect(direct).toBeTypeOf('function');
    const request: JSONRPCRequest = {
      jsonrpc: '2.0',
      id: 5,
      method: 'tools/call',
      params: { name: 'broken_tool', arguments: { break_it: true } },
    };
    const answer = direct!(request) as unknown as {
      id: number;
      result: { isError?: boolean; structuredContent?: unknown; content: Array<{ text: string }> };
    };
    expect(answer.id).toBe(5);
    expect(answer.result.isError).toBe(true);
    expect(answer.result.structuredContent).toBeUndefined();
    expect(answer.result.content[0]?.text).toMatch(/output does not match its schema/);
  });
});
