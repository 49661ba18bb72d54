// Beyond the tools: resources, prompts, completion and logging, each through the
// SDK client over stdio.

import { LoggingMessageNotificationSchema, type LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool, cleanupTempDirs, connectSdk, tempDir, type Json, type SdkServer } from './helpers.js';

let server: SdkServer;
const logs: LoggingMessageNotification['params'][] = [];

beforeAll(async () => {
  server = await connectSdk({ telemetryDir: await tempDir() });
  server.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    logs.push(n.params);
  });
});

afterAll(async () => {
  await server?.close();
  await cleanupTempDirs();
});

function jsonOf(contents: readonly unknown[]): Json {
  const first = contents[0] as { text?: unknown } | undefined;
  return JSON.parse(String(first?.text)) as Json;
}

describe('resources', () => {
  it('lists the catalog, providers and a template per provider and model', async () => {
    const { resources } = await server.client.listResources();
    const uris = resources.map((r) => r.uri);
    expect(uris).toContain('pricing://catalog');
    expect(uris).toContain('pricing://providers');
    expect(uris).toContain('pricing://provider/openai');
    expect(uris).toContain('pricing://provider/anyscale');
    const { resourceTemplates } = await server.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual([
      'pricing://model/{provider}/{model}',
      'pricing://provider/{provider}',
    ]);
  });

  it('reads the catalog summary', async () => {
    const catalog = jsonOf((await server.client.readResource({ uri: 'pricing://catalog' })).contents);
    expect(catalog.models).toBeGreaterThan(100);
    expect(catalog.providers).toBeGreaterThanOrEqual(12);
    expect(catalog).toMatchObject({ data_as_of: expect.any(String), source: expect.any(String), server_version: expect.any(String) });
  });

  it('reads providers, one provider, and one model (ids with "/" percent-encoded)', async () => {
    const providers = jsonOf((await server.client.readResource({ uri: 'pricing://providers' })).contents);
    const anyscale = providers.providers.find((p: Json) => p.id === 'anyscale');
    expect(anyscale).toMatchObject({ status: 'discontinued' });
    expect(anyscale.models).toBeGreaterThan(0);
    expect(providers.data_as_of).toEqual(expect.any(String));

    const openai = jsonOf((await server.client.readResource({ uri: 'pricing://provider/openai' })).contents);
    expect(openai.id).toBe('openai');
    const gpt4 = openai.models.find((m: Json) => m.model === 'gpt-4');
    expect(gpt4).toMatchObject({ input_per_1m: 30, output_per_1m: 60, uri: 'pricing://model/openai/gpt-4' });

    const model = jsonOf((await server.client.readResource({ uri: 'pricing://model/openai/gpt-4' })).contents);
    expect(model).toMatchObject({ id: 'gpt-4', key: 'openai:gpt-4', rates: { input: '30', output: '60' }, provider: { id: 'openai' } });

    const anyscaleModels = jsonOf((await server.client.readResource({ uri: 'pricing://provider/anyscale' })).contents);
    const withSlash = anyscaleModels.models.find((m: Json) => m.model.includes('/'));
    expect(withSlash.uri).toContain('%2F');
    const full = jsonOf((await server.client.readResource({ uri: withSlash.uri })).contents);
    expect(full.id).toBe(withSlash.model);
  });

  it('answers a missing provider or model with a resource-not-found error', async () => {
    await expect(server.client.readResource({ uri: 'pricing://provider/acme-ai' })).rejects.toMatchObject({ code: -32002 });
    await expect(server.client.readResource({ uri: 'pricing://model/openai/gpt-4x' })).rejects.toMatchObject({ code: -32002 });
  });
});

describe('prompts and completion', () => {
  it('fills the cheapest-model prompt with current prices', async () => {
    const { prompts } = await server.client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['cheapest_model_for_workload', 'compare_models']);
    const r = await server.client.getPrompt({
      name: 'cheapest_model_for_workload',
      arguments: { input_tokens: '2000', output_tokens: '500', requests_per_month: '100000', provider: 'openai', task: 'classify tickets' },
    });
    const text = String((r.messages[0]!.content as { text: string }).text);
    expect(text).toContain('classify tickets');
    expect(text).toContain('100,000 requests a month');
    expect(text).toMatch(/1\. openai:\S+ — \$\d/);
    expect(text).not.toMatch(/anthropic:/);
  });

  it('rejects prompt arguments that are not numbers', async () => {
    await expect(
      server.client.getPrompt({ name: 'cheapest_model_for_workload', arguments: { input_tokens: 'lots', output_tokens: '500' } }),
    ).rejects.toMatchObject({ code: -32602 });
  });

  it('completes model names in a prompt argument and resource template variables', async () => {
    const names = await server.client.complete({
      ref: { type: 'ref/prompt', name: 'compare_models' },
      argument: { name: 'models', value: 'gpt-4o, clau' },
    });
    expect(names.completion.values.length).toBeGreaterThan(0);
    for (const v of names.completion.values) expect(v).toMatch(/^gpt-4o, claude/);

    const providers = await server.client.complete({
      ref: { type: 'ref/prompt', name: 'cheapest_model_for_workload' },
      argument: { name: 'provider', value: 'anth' },
    });
    expect(providers.completion.values).toEqual(['anthropic']);

    const models = await server.client.complete({
      ref: { type: 'ref/resource', uri: 'pricing://model/{provider}/{model}' },
      argument: { name: 'model', value: 'gpt-4' },
      context: { arguments: { provider: 'openai' } },
    });
    expect(models.completion.values).toContain('gpt-4');
    for (const v of models.completion.values) expect(v.startsWith('gpt-4')).toBe(true);
  });
});

describe('logging', () => {
  it('sends nothing per call until asked, then a debug log per tool call', async () => {
    await callTool(server.client, 'estimate_cost', { model_name: 'gpt-4', input_tokens: 1, output_tokens: 1 });
    await server.client.ping(); // any log for the call above would have arrived before this reply
    expect(logs.filter((l) => l.level === 'debug')).toEqual([]);

    await server.client.setLoggingLevel('debug');
    await callTool(server.client, 'estimate_cost', { model_name: 'gpt-4', input_tokens: 1, output_tokens: 1 });
    await callTool(server.client, 'estimate_cost', { model_name: 'gpt-4x', input_tokens: 1, output_tokens: 1 });
    await server.client.ping();
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'debug',
        logger: 'llm-pricing-mcp',
        data: expect.objectContaining({ event: 'tool_call', tool: 'estimate_cost' }),
      }),
    );
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'info',
        data: expect.objectContaining({ event: 'tool_error', message: expect.stringContaining('gpt-4x') }),
      }),
    );

    await server.client.setLoggingLevel('error');
    const before = logs.length;
    await callTool(server.client, 'estimate_cost', { model_name: 'gpt-4x', input_tokens: 1, output_tokens: 1 });
    await server.client.ping();
    expect(logs.length).toBe(before);
  });
});
