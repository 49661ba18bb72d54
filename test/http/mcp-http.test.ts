import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { initializeRequest, mcpPost, MCP_ACCEPT, openSession, raw, startRealServer } from './helpers.js';

let server: Awaited<ReturnType<typeof startRealServer>>;
beforeAll(async () => {
  server = await startRealServer({ allowedHosts: ['mcp.example.test'], allowedOrigins: ['https://app.example.test'] });
});
afterAll(async () => {
  await server.cleanup();
});

const SIX_TOOLS = ['compare_costs', 'estimate_cost', 'get_all_pricing', 'get_performance_metrics', 'get_telemetry', 'get_use_cases'];

describe('/mcp with the SDK client', () => {
  it('initializes, lists the six tools, prices gpt-4 exactly, reuses the session, and DELETE ends it', async () => {
    const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`));
    const client = new Client({ name: 'http-test', version: '1' });
    await client.connect(transport);
    const sessionId = transport.sessionId;
    expect(sessionId).toBeTruthy();
    expect(client.getServerVersion()?.name).toBe('llm-pricing-mcp');

    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(SIX_TOOLS);

    const r = await client.callTool({ name: 'estimate_cost', arguments: { model_name: 'gpt-4', input_tokens: 5000, output_tokens: 2000 } });
    expect(r.isError).toBeFalsy();
    const s = r.structuredContent as Record<string, unknown>;
    expect([s.input_cost, s.output_cost, s.total_cost]).toEqual([0.15, 0.12, 0.27]);
    expect(s.currency).toBe('USD');

    // Same session for a second call.
    const again = await client.callTool({
      name: 'compare_costs',
      arguments: { model_names: ['gpt-4', 'gpt-4o'], input_tokens: 1000, output_tokens: 1000 },
    });
    expect(again.isError).toBeFalsy();
    expect(transport.sessionId).toBe(sessionId);

    await transport.terminateSession();
    const after = await mcpPost(
      server.url,
      { jsonrpc: '2.0', id: 9, method: 'tools/list' },
      { 'mcp-session-id': sessionId!, 'mcp-protocol-version': '2025-06-18' },
    );
    expect(after.status).toBe(404);
    expect(after.json().error.code).toBe(-32001);
    await client.close();
  });

  it('follows the Streamable HTTP rules for session ids, notifications, batches and versions', async () => {
    const headers = await openSession(server.url);

    const noSession = await mcpPost(server.url, { jsonrpc: '2.0', id: 2, method: 'tools/list' });
    expect(noSession.status).toBe(400);
    expect(noSession.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });

    const unknown = await mcpPost(server.url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': 'no-such-session' });
    expect(unknown.status).toBe(404);

    const reinit = await mcpPost(server.url, initializeRequest(3), headers);
    expect(reinit.status).toBe(400);
    expect(reinit.json().error.message).toMatch(/already initialized/);

    const note = await mcpPost(server.url, { jsonrpc: '2.0', method: 'notifications/roots/list_changed' }, headers);
    expect(note.status).toBe(202);
    expect(note.body).toBe('');

    const batch = await mcpPost(
      server.url,
      [
        {
          jsonrpc: '2.0',
          id: 'b',
          method: 'tools/call',
          params: { name: 'estimate_cost', arguments: { model_name: 'gpt-4', input_tokens: 5000, output_tokens: 2000 } },
        },
        { jsonrpc: '2.0', method: 'notifications/roots/list_changed' },
        { jsonrpc: '2.0', id: 'a', method: 'ping' },
      ],
      headers,
    );
    expect(batch.status).toBe(200);
    const answers = batch.json();
    expect(answers.map((a: { id: string }) => a.id)).toEqual(['b', 'a']);
    expect(answers[0].result.structuredContent.total_cost).toBe(0.27);
    expect(answers[1].result).toEqual({});

    const badVersion = await mcpPost(
      server.url,
      { jsonrpc: '2.0', id: 4, method: 'ping' },
      { ...headers, 'mcp-protocol-version': '1999-01-01' },
    );
    expect(badVersion.status).toBe(400);
    expect(badVersion.json().error.message).toMatch(/Unsupported protocol version/);

    const notJson = await mcpPost(server.url, '{"jsonrpc":', headers);
    expect(notJson.status).toBe(400);
    expect(notJson.json().error.code).toBe(-32700);

    const notRpc = await mcpPost(server.url, { hello: 'world' }, headers);
    expect(notRpc.status).toBe(400);
    expect(notRpc.json()).toMatchObject({ id: null, error: { code: -32600, message: 'Invalid Request: "jsonrpc" must be "2.0"' } });

    const unknownMethod = await mcpPost(server.url, { jsonrpc: '2.0', id: 5, method: 'no/such/method' }, headers);
    expect(unknownMethod.status).toBe(200);
    expect(unknownMethod.json()).toMatchObject({ id: 5, error: { code: -32601 } });

    const badAccept = await raw(`${server.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: '{"jsonrpc":"2.0","id":6,"method":"ping"}',
    });
    expect(badAccept.status).toBe(406);

    const wrongType = await raw(`${server.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', accept: MCP_ACCEPT, ...headers },
      body: 'ping',
    });
    expect(wrongType.status).toBe(415);
    expect(wrongType.json().jsonrpc).toBe('2.0');

    // The session still works after all of that.
    const ping = await mcpPost(server.url, { jsonrpc: '2.0', id: 7, method: 'ping' }, headers);
    expect(ping.json()).toEqual({ jsonrpc: '2.0', id: 7, result: {} });

    const del = await raw(`${server.url}/mcp`, { method: 'DELETE', headers });
    expect(del.status).toBe(200);
    const gone = await raw(`${server.url}/mcp`, { method: 'DELETE', headers });
    expect(gone.status).toBe(404);
  });

  it('opens one SSE stream per session on GET', async () => {
    const headers = await openSession(server.url);
    const controller = new AbortController();
    const res = await fetch(`${server.url}/mcp`, { headers: { ...headers, accept: 'text/event-stream' }, signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('mcp-session-id')).toBe(headers['mcp-session-id']);
    const second = await raw(`${server.url}/mcp`, { headers: { ...headers, accept: 'text/event-stream' } });
    expect(second.status).toBe(409);
    const noAccept = await raw(`${server.url}/mcp`, { headers: { ...headers, accept: 'application/json' } });
    expect(noAccept.status).toBe(406);
    // Ending the session ends the stream.
    const reader = res.body!.getReader();
    await raw(`${server.url}/mcp`, { method: 'DELETE', headers });
    let done = false;
    while (!done) done = (await reader.read()).done;
    expect(done).toBe(true);
  });
});

describe('/mcp guards', () => {
  it('refuses a foreign Host and a foreign Origin with a JSON-RPC 403, and lets allowed ones pass', async () => {
    const port = new URL(server.url).port;
    const body = JSON.stringify(initializeRequest());
    const post = (headers: Record<string, string>) =>
      raw(`${server.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: MCP_ACCEPT, ...headers }, body });

    const evilHost = await post({ host: `evil.example.com:${port}` });
    expect(evilHost.status).toBe(403);
    expect(evilHost.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
    expect(evilHost.json().error.message).toMatch(/Host/);

    const evilOrigin = await post({ host: `localhost:${port}`, origin: 'http://evil.example.com' });
    expect(evilOrigin.status).toBe(403);
    expect(evilOrigin.json().error.message).toMatch(/Origin/);

    const wrongPort = await post({ host: 'localhost:1' });
    expect(wrongPort.status).toBe(403);

    const allowed: Array<Record<string, string>> = [
      { host: `localhost:${port}` },
      { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` },
      { host: 'mcp.example.test', origin: 'https://app.example.test' },
      { host: 'mcp.example.test:443' },
    ];
    for (const headers of allowed) {
      const ok = await post(headers);
      expect(ok.status, JSON.stringify(headers)).toBe(200);
      expect(ok.headers['mcp-session-id']).toBeTruthy();
    }
  });

  it('refuses an oversize body with 413 and keeps serving', async () => {
    const headers = await openSession(server.url);
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(1024 * 1024 + 10) } });
    const res = await mcpPost(server.url, big, headers);
    expect(res.status).toBe(413);
    expect(res.json().error.message).toMatch(/Payload Too Large/);
    const ping = await mcpPost(server.url, { jsonrpc: '2.0', id: 2, method: 'ping' }, headers);
    expect(ping.status).toBe(200);
    expect(ping.json().result).toEqual({});
  });
});

describe('/mcp GET stream', () => {
  it('carries log notifications sent while a call runs', async () => {
    const headers = await openSession(server.url);
    const setLevel = await mcpPost(server.url, { jsonrpc: '2.0', id: 1, method: 'logging/setLevel', params: { level: 'debug' } }, headers);
    expect(setLevel.json().result).toEqual({});
    const res = await fetch(`${server.url}/mcp`, { headers: { ...headers, accept: 'text/event-stream' } });
    const reader = res.body!.getReader();
    const call = await mcpPost(
      server.url,
      {
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'estimate_cost', arguments: { model_name: 'gpt-4', input_tokens: 1, output_tokens: 1 } },
      },
      headers,
    );
    expect(call.json().result.isError).toBeFalsy();
    let text = '';
    while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    const data = /data: (.*)\n/.exec(text)![1]!;
    expect(JSON.parse(data)).toMatchObject({
      jsonrpc: '2.0',
      method: 'notifications/message',
      params: { level: 'debug', data: { tool: 'estimate_cost' } },
    });
    await raw(`${server.url}/mcp`, { method: 'DELETE', headers });
    await reader.cancel().catch(() => undefined);
  });
});

describe('/mcp answers every request exactly once', () => {
  it('refuses an id the protocol does not allow (1e21, 1.5, null, an object) at once, and the session keeps working', async () => {
    const headers = await openSession(server.url);
    for (const id of ['1e21', '-1e300', '1.5', 'null', '{"a":1}', 'true', '9007199254740992']) {
      const r = await mcpPost(server.url, `{"jsonrpc":"2.0","id":${id},"method":"ping"}`, headers);
      expect(r.status, id).toBe(400);
      expect(r.json(), id).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600 } });
      expect(r.json().error.message, id).toMatch(/"id" must be a string or an integer/);
    }
    // The largest safe integer is an id like any other, and none of the refused ones is left "in use".
    const safe = await mcpPost(server.url, '{"jsonrpc":"2.0","id":9007199254740991,"method":"ping"}', headers);
    expect(safe.status).toBe(200);
    expect(safe.body).toBe('{"result":{},"jsonrpc":"2.0","id":9007199254740991}');
    const detailed = (await raw(`${server.url}/health/detailed`)).json();
    expect(detailed.in_flight).toBe(1); // the probe itself
    await raw(`${server.url}/mcp`, { method: 'DELETE', headers });
  });

  it('ends the POST of a request the client cancels with one error answer, whatever order the batch has', async () => {
    const headers = await openSession(server.url);
    const call = (id: string) => ({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'estimate_cost', arguments: { model_name: 'gpt-4', input_tokens: 1, output_tokens: 1 } },
    });
    const cancel = (id: string) => ({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: id, reason: 'changed my mind' },
    });
    for (const batch of [
      [call('c1'), cancel('c1')],
      [cancel('c2'), call('c2')],
    ]) {
      const r = await mcpPost(server.url, batch, headers);
      expect(r.status).toBe(200);
      // One request in the batch: one answer (a single object, as the SDK's transport sends it).
      expect(r.json()).toEqual({
        jsonrpc: '2.0',
        id: batch[0]!.method === 'tools/call' ? 'c1' : 'c2',
        error: { code: -32800, message: 'Request cancelled by the client: changed my mind' },
      });
    }
    // Cancelling something unknown or already answered changes nothing.
    expect((await mcpPost(server.url, cancel('never-sent'), headers)).status).toBe(202);
    const after = await mcpPost(server.url, call('c1'), headers);
    expect(after.json().result.isError).toBeFalsy();
    await raw(`${server.url}/mcp`, { method: 'DELETE', headers });
  });

  it('refuses a body that carries a __proto__ key, also written with an escape', async () => {
    const headers = await openSession(server.url);
    for (const body of [
      '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"__proto__":{"x":1}}}',
      '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"\\u005f_proto__":{"x":1}}}',
      '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"constructor":{"prototype":{"x":1}}}}',
    ]) {
      const r = await mcpPost(server.url, body, headers);
      expect(r.status, body).toBe(400);
      expect(r.json().error.code).toBe(-32700);
    }
    const plain = await mcpPost(server.url, '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"constructor":"x"}}', headers);
    expect(plain.status).toBe(200);
    await raw(`${server.url}/mcp`, { method: 'DELETE', headers });
  });
});
