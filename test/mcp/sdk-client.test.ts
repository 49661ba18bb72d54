// The same start-up, discovery and pricing calls through the official SDK client
// (StdioClientTransport), which also validates structuredContent against each
// tool's output schema.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool, cleanupTempDirs, connectSdk, tempDir, type SdkServer } from './helpers.js';

let server: SdkServer;

beforeAll(async () => {
  server = await connectSdk({ telemetryDir: await tempDir() });
});

afterAll(async () => {
  await server?.close();
  await cleanupTempDirs();
});

describe('serve --stdio through the SDK client', () => {
  it('reports who it is and what it offers', () => {
    const info = server.client.getServerVersion();
    expect(info?.name).toBe('llm-pricing-mcp');
    expect(info?.version).toMatch(/^\d+\.\d+\.\d+/);
    const caps = server.client.getServerCapabilities();
    expect(caps).toMatchObject({ tools: {}, resources: {}, prompts: {}, logging: {}, completions: {} });
    expect(server.client.getInstructions()).toContain('estimate_cost');
  });

  it('lists exactly the six tools, each read-only with input and output schemas', async () => {
    const { tools } = await server.client.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      'get_all_pricing',
      'estimate_cost',
      'compare_costs',
      'get_performance_metrics',
      'get_use_cases',
      'get_telemetry',
    ]);
    for (const t of tools) {
      expect(t.description!.length).toBeGreaterThan(120);
      expect(t.inputSchema.type).toBe('object');
      expect(t.outputSchema?.type).toBe('object');
      expect(t.outputSchema?.properties).toHaveProperty('data_as_of');
      expect(t.outputSchema?.properties).toHaveProperty('source');
      expect(t.annotations).toMatchObject({ readOnlyHint: true, idempotentHint: true, openWorldHint: false, destructiveHint: false });
    }
    const estimate = tools.find((t) => t.name === 'estimate_cost')!;
    expect(estimate.inputSchema.required).toEqual(['model_name', 'input_tokens', 'output_tokens']);
  });

  it('estimates gpt-4 at 5,000 in / 2,000 out as 0.15 + 0.12 = 0.27 exactly', async () => {
    const r = await callTool(server.client, 'estimate_cost', { model_name: 'gpt-4', input_tokens: 5000, output_tokens: 2000 });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({
      model: 'gpt-4',
      provider: 'openai',
      input_cost: 0.15,
      output_cost: 0.12,
      total_cost: 0.27,
      currency: 'USD',
      rates_used: { input_per_1m: 30, output_per_1m: 60 },
      rates_per_1k: { input: 0.03, output: 0.06 },
    });
    expect(typeof r.structuredContent!.data_as_of).toBe('string');
    expect(typeof r.structuredContent!.source).toBe('string');
  });

  it('answers an unknown tool with a JSON-RPC error, not a result', async () => {
    await expect(server.client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toMatchObject({ code: -32602 });
  });
});
