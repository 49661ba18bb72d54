import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpPost, openSession, raw } from './helpers.js';
import { startRealServer } from './helpers.js';

let server: Awaited<ReturnType<typeof startRealServer>>;
beforeAll(async () => {
  server = await startRealServer({
    allowedHosts: ['prices.example.test'],
    allowedOrigins: ['https://app.example.test'],
    bodyLimitBytes: 64 * 1024,
  });
});
afterAll(async () => {
  await server.cleanup();
});

const get = (path: string) => raw(`${server.url}${path}`);
const postJson = (path: string, body: unknown) =>
  raw(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('health and deployment info', () => {
  it('answers the probes with the documented JSON', async () => {
    expect((await get('/health')).json()).toEqual({ status: 'ok' });
    expect((await get('/health/live')).json()).toEqual({ status: 'ok' });
    const ready = await get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
  });

  it('describes itself in /health/detailed and /deployment/info', async () => {
    const headers = await openSession(server.url);
    const d = (await get('/health/detailed')).json();
    expect(d).toMatchObject({ status: 'ok', version: expect.any(String), pid: process.pid, draining: false, in_flight: 1 });
    expect(d.sessions).toBeGreaterThanOrEqual(1);
    expect(d.uptime_s).toBeGreaterThanOrEqual(0);
    expect(d.catalog.loaded).toBe(true);
    expect(d.catalog.models).toBeGreaterThan(50);
    expect(d.catalog.providers).toBeGreaterThanOrEqual(12);
    expect(d.catalog.data_as_of).toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(typeof d.catalog.source).toBe('string');
    expect(d.memory.rss_bytes).toBeGreaterThan(d.memory.heap_used_bytes);
    expect(Object.keys(d).sort()).toEqual([
      'catalog',
      'color',
      'draining',
      'in_flight',
      'memory',
      'pid',
      'sessions',
      'status',
      'uptime_s',
      'version',
    ]);

    const info = (await get('/deployment/info')).json();
    expect(Object.keys(info).sort()).toEqual(['color', 'data_as_of', 'name', 'node', 'pid', 'started_at', 'version']);
    expect(info).toMatchObject({
      name: 'llm-pricing-mcp',
      version: d.version,
      pid: process.pid,
      node: process.version,
      data_as_of: d.catalog.data_as_of,
    });
    expect(new Date(info.started_at).getTime()).toBeLessThanOrEqual(Date.now());
    await raw(`${server.url}/mcp`, { method: 'DELETE', headers });
  });
});

describe('/metrics', () => {
  it('exposes process, HTTP, session and tool-call metrics', async () => {
    const headers = await openSession(server.url);
    await mcpPost(
      server.url,
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'estimate_cost', arguments: { model_name: 'gpt-4', input_tokens: 10, output_tokens: 10 } },
      },
      headers,
    );
    await mcpPost(
      server.url,
      {
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'estimate_cost', arguments: { model_name: 'no-such-model-xyz', input_tokens: 10, output_tokens: 10 } },
      },
      headers,
    );
    await mcpPost(server.url, { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'made_up_tool', arguments: {} } }, headers);
    await get('/health');
    const m = await get('/metrics');
    expect(m.status).toBe(200);
    expect(m.headers['content-type']).toMatch(/^text\/plain/);
    expect(m.body).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(m.body).toMatch(/^http_requests_total\{method="GET",route="\/health",status="200"\} \d+/m);
    expect(m.body).toMatch(/^http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/mcp",status="200"\} \d+/m);
    expect(m.body).toMatch(/^http_requests_in_flight 1$/m);
    expect(m.body).toMatch(/^mcp_sessions [1-9]\d*$/m);
    expect(m.body).toMatch(/^mcp_tool_calls_total\{tool="estimate_cost",outcome="ok"\} [1-9]/m);
    expect(m.body).toMatch(/^mcp_tool_calls_total\{tool="estimate_cost",outcome="tool_error"\} [1-9]/m);
    // An unknown tool name is not a label of its own (bounded cardinality).
    expect(m.body).toMatch(/^mcp_tool_calls_total\{tool="other",outcome="protocol_error"\} [1-9]/m);
    expect(m.body).not.toContain('made_up_tool');
    await raw(`${server.url}/mcp`, { method: 'DELETE', headers });
  });
});

describe('REST API', () => {
  it('prices a workload like the estimate_cost tool', async () => {
    const r = await postJson('/cost-estimate', { model_name: 'gpt-4', input_tokens: 5000, output_tokens: 2000 });
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({ input_cost: 0.15, output_cost: 0.12, total_cost: 0.27, currency: 'USD', provider: 'openai' });
    const volume = (
      await postJson('/cost-estimate', { model_name: 'gpt-4', input_tokens: 5000, output_tokens: 2000, requests: 1000 })
    ).json();
    expect(volume.total_cost).toBe(270);
  });

  it('answers a bounded batch, each entry on its own', async () => {
    const r = await postJson('/cost-estimate/batch', [
      { model_name: 'gpt-4', input_tokens: 5000, output_tokens: 2000 },
      { model_name: 'no-such-model-xyz', input_tokens: 1, output_tokens: 1 },
      { model_name: 'gpt-4', input_tokens: 5000, output_tokens: 2000 },
    ]);
    expect(r.status).toBe(200);
    const b = r.json();
    expect(b).toMatchObject({ count: 3, succeeded: 2, failed: 1, total_cost: 0.54, currency: 'USD' });
    expect(b.results[0]).toMatchObject({ index: 0, ok: true, result: { total_cost: 0.27 } });
    expect(b.results[1]).toMatchObject({ index: 1, ok: false });
    expect(b.results[1].error).toMatch(/no-such-model-xyz/);
    const tooMany = await postJson(
      '/cost-estimate/batch',
      Array.from({ length: 101 }, () => ({ model_name: 'gpt-4', input_tokens: 1, output_tokens: 1 })),
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.json().message).toMatch(/100/);
  });

  it('lists prices, models, performance, use cases and telemetry', async () => {
    const pricing = await get('/pricing?provider=openai&limit=5&offset=0');
    expect(pricing.status).toBe(200);
    const p = pricing.json();
    expect(p.models).toHaveLength(5);
    expect(p.models.every((m: { provider: string }) => m.provider === 'openai')).toBe(true);
    expect(p.limit).toBe(5);

    const models = (await get('/models?provider=anthropic')).json();
    expect(models.count).toBeGreaterThan(0);
    expect(models.models.every((m: { provider: string }) => m.provider === 'anthropic')).toBe(true);
    expect(models.models[0]).toHaveProperty('key');
    const byName = (await get('/models?provider=Fireworks%20AI')).json();
    expect(byName.count).toBeGreaterThan(0);
    expect(byName.models.every((m: { provider: string }) => m.provider === 'fireworks')).toBe(true);
    const unknown = await get('/models?provider=nope');
    expect(unknown.status).toBe(400);
    expect(unknown.json().message).toMatch(/Unknown provider "nope"/);
    const all = (await get('/models')).json();
    expect(all.count).toBeGreaterThan(models.count);

    const perf = await get('/performance?model_names=gpt-4o,claude-3-5-sonnet');
    expect(perf.status).toBe(200);
    expect(JSON.stringify(perf.json())).toContain('gpt-4o');

    const uses = await get('/use-cases?provider=anthropic');
    expect(uses.status).toBe(200);

    const telemetry = await get('/telemetry');
    expect(telemetry.status).toBe(200);
    expect(JSON.stringify(telemetry.json())).toContain('estimate_cost');
  });

  it('refuses bad input with 400 and a message that says what is wrong', async () => {
    const cases: Array<[Promise<Awaited<ReturnType<typeof get>>>, RegExp]> = [
      [postJson('/cost-estimate', { model_name: 'gpt-4', input_tokens: -5, output_tokens: 1 }), /input_tokens must be >= 0/],
      [postJson('/cost-estimate', { model_name: 'gpt-4', output_tokens: 1 }), /required field "input_tokens"/],
      [postJson('/cost-estimate', { model_name: 'gpt-4', input_tokens: 1, output_tokens: 1, colour: 'red' }), /unknown field "colour"/],
      [postJson('/cost-estimate', { model_name: 'gpt-4', input_tokens: 'many', output_tokens: 1 }), /input_tokens must be integer/],
      [postJson('/cost-estimate', '{"model_name":'), /Invalid JSON/],
      [postJson('/cost-estimate', { model_name: 'no-such-model-xyz', input_tokens: 1, output_tokens: 1 }), /no-such-model-xyz/],
      [get('/pricing?limit=0'), /limit must be >= 1/],
      [get('/pricing?category=luxury'), /category must be one of budget, standard, premium, embedding/],
      [get('/pricing?colour=red'), /unknown parameter "colour"/],
    ];
    for (const [pending, message] of cases) {
      const r = await pending;
      expect(r.status, r.body).toBe(400);
      expect(r.json()).toMatchObject({ error: 'Bad Request', statusCode: 400 });
      expect(r.json().message).toMatch(message);
    }
  });

  it('documents itself in /openapi.json', async () => {
    const doc = (await get('/openapi.json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of [
      '/pricing',
      '/models',
      '/cost-estimate',
      '/cost-estimate/batch',
      '/performance',
      '/use-cases',
      '/telemetry',
      '/health/ready',
      '/mcp',
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    expect(doc.paths['/cost-estimate'].post.requestBody.content['application/json'].schema.required).toEqual([
      'model_name',
      'input_tokens',
      'output_tokens',
    ]);
    expect(doc.paths['/pricing'].get.parameters.map((p: { name: string }) => p.name)).toEqual([
      'provider',
      'category',
      'include_deprecated',
      'min_context_window',
      'capability',
      'sort_by',
      'limit',
      'offset',
    ]);
  });
});

describe('REST API guard (the same as /mcp)', () => {
  const port = () => new URL(server.url).port;
  const withHeaders = (path: string, headers: Record<string, string>, body?: unknown) =>
    raw(`${server.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const estimate = { model_name: 'gpt-4', input_tokens: 5000, output_tokens: 2000 };

  it('refuses a foreign Host or Origin on every REST endpoint and the document, with 403 and the reason', async () => {
    const paths: Array<[string, unknown]> = [
      ['/pricing', undefined],
      ['/models', undefined],
      ['/performance', undefined],
      ['/use-cases', undefined],
      ['/telemetry', undefined],
      ['/openapi.json', undefined],
      ['/cost-estimate', estimate],
      ['/cost-estimate/batch', [estimate]],
    ];
    for (const [path, body] of paths) {
      const host = await withHeaders(path, { host: `attacker.example.com:${port()}` }, body);
      expect(host.status, path).toBe(403);
      expect(host.json(), path).toEqual({
        error: 'Forbidden',
        message: `Forbidden: Host header "attacker.example.com:${port()}" is not allowed`,
        statusCode: 403,
      });
      const origin = await withHeaders(path, { host: `localhost:${port()}`, origin: 'http://attacker.example.com' }, body);
      expect(origin.status, path).toBe(403);
      expect(origin.json().message, path).toMatch(/Origin "http:\/\/attacker.example.com" is not allowed/);
    }
    // DNS rebinding: the attacker's name resolving to 127.0.0.1 still sends its own name as Host.
    expect((await withHeaders('/pricing', { host: '127.0.0.1.attacker.example.com' })).status).toBe(403);
  });

  it('lets loopback names with our port and names the operator allowed through', async () => {
    const allowed: Array<Record<string, string>> = [
      { host: `localhost:${port()}` },
      { host: `127.0.0.1:${port()}`, origin: `http://127.0.0.1:${port()}` },
      { host: 'prices.example.test', origin: 'https://app.example.test' },
      { host: 'prices.example.test:8443' },
    ];
    for (const headers of allowed) {
      const r = await withHeaders('/cost-estimate', headers, estimate);
      expect(r.status, JSON.stringify(headers)).toBe(200);
      expect(r.json().total_cost).toBe(0.27);
    }
    // Probes are read by routers, deployers and orchestrators under any name: not guarded.
    expect((await withHeaders('/health/ready', { host: 'pod-10-1-2-3.internal:8001' })).status).toBe(200);
  });

  it('refuses a body over the limit with 413 and keeps serving', async () => {
    const big = Array.from({ length: 2000 }, () => estimate);
    const r = await withHeaders('/cost-estimate/batch', {}, big);
    expect(r.status).toBe(413);
    expect(r.json().message).toMatch(/must not exceed 65536 bytes/);
    expect((await withHeaders('/cost-estimate', {}, estimate)).status).toBe(200);
  });

  it('takes its input schema from the tool: every argument of estimate_cost is a field of POST /cost-estimate', async () => {
    const doc = (await get('/openapi.json')).json();
    const body = doc.paths['/cost-estimate'].post.requestBody.content['application/json'].schema;
    const list = (await mcpToolList()).find((t: { name: string }) => t.name === 'estimate_cost');
    expect(Object.keys(body.properties)).toEqual(Object.keys(list.inputSchema.properties));
    expect(body.required).toEqual(list.inputSchema.required);
    // A list argument travels comma-separated in a query string.
    const perf = doc.paths['/performance'].get.parameters.find((p: { name: string }) => p.name === 'model_names');
    expect(perf.schema.type).toBe('string');
  });
});

async function mcpToolList() {
  const headers = await openSession(server.url);
  const r = await mcpPost(server.url, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, headers);
  await raw(`${server.url}/mcp`, { method: 'DELETE', headers });
  return r.json().result.tools;
}
