import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { cli, controllerFixture, startController } from './harness.js';
import { adminCall } from '../../src/deploy/admin-client.js';
import { waitFor } from '../support/wait.js';

// Session affinity lives in the session id the client holds (b.<id> / g.<id>), not in the
// controller's memory: a session opened on v1 keeps reaching v1 after the controller is
// killed and a new one adopts the running environments.
/** A tools/call on a fresh connection with the session's id; which colour answered. */
function rawCall(port: number, session: string): Promise<{ status: number; colour: string | undefined }> {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 9,
    method: 'tools/call',
    params: { name: 'get_all_pricing', arguments: { limit: 1 } },
  });
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/mcp',
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-session-id': session,
          'mcp-protocol-version': '2025-06-18',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, colour: res.headers['x-deployment-color'] as string | undefined }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const fx = controllerFixture('deploy-session-restart-', ['1.0.0', '2.0.0']);

describe('session affinity across controller and router restarts', () => {
  it('keeps an MCP session opened on the old colour working after the controller, then the router, is killed and restarted', async () => {
    const env = { DEPLOY_ANALYSIS_WINDOW: '0', DEPLOY_SESSION_IDLE: '200ms' };
    fx.ctl = await startController(fx.dir, fx.ports, env);
    const first = await cli(['deploy', '--dir', fx.dir, '--version', '1.0.0', '--from', fx.releases['1.0.0']!]);
    expect(first.code, first.stdout + first.stderr).toBe(0);

    // An SDK client whose fetch notes which colour answered each request.
    const colours: string[] = [];
    const fetchNoting: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      colours.push(res.headers.get('x-deployment-color') ?? '?');
      return res;
    };
    const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${fx.ports.port}/mcp`), { fetch: fetchNoting });
    const client = new Client({ name: 'restart-test', version: '1.0.0' });
    await client.connect(transport);
    expect(client.getServerVersion()?.version).toBe('1.0.0');
    expect(transport.sessionId).toMatch(/^b\./);

    // v2 goes to green; blue stays warm with the session on it.
    const second = await cli(['deploy', '--dir', fx.dir, '--version', '2.0.0', '--from', fx.releases['2.0.0']!]);
    expect(second.code, second.stdout + second.stderr).toBe(0);

    await fx.ctl.stop('SIGKILL');
    fx.ctl = await startController(fx.dir, fx.ports, env);
    const s = JSON.parse((await cli(['status', '--dir', fx.dir, '--json'])).stdout) as {
      data: { active: string; colours: Record<string, { status: string }> };
    };
    expect(s.data.active).toBe('green');
    expect(s.data.colours.blue!.status).toBe('RUNNING');

    colours.length = 0;
    const after = await client.callTool({ name: 'estimate_cost', arguments: { model_name: 'gpt-4', input_tokens: 10, output_tokens: 5 } });
    expect(after.isError).toBeFalsy();
    expect(colours).toEqual(['blue']);
    // New clients get v2.
    const info = (await (await fetch(`http://127.0.0.1:${fx.ports.port}/deployment/info`)).json()) as { version: string };
    expect(info.version).toBe('2.0.0');

    // The router itself is killed: the controller's watch starts it again (it started it), and the new
    // router serves the saved routes from its first moment: the session still reaches blue, new clients v2.
    const routerPid = (JSON.parse((await cli(['status', '--dir', fx.dir, '--json'])).stdout) as { data: { router: { pid: number } } }).data
      .router.pid;
    process.kill(routerPid, 'SIGKILL');
    const back = await waitFor('a new router answering', async () => {
      const r = await adminCall(fx.dir, 'status', {});
      const router = (r.data as unknown as { router: { pid: number; answering: boolean } } | undefined)?.router;
      return router?.answering && router.pid !== routerPid ? router : undefined;
    });
    expect(back).toMatchObject({ answering: true });
    expect(back.pid).not.toBe(routerPid);
    const call = await rawCall(fx.ports.port, transport.sessionId!);
    expect(call).toMatchObject({ status: 200, colour: 'blue' });
    const info2 = (await (await fetch(`http://127.0.0.1:${fx.ports.port}/deployment/info`)).json()) as { version: string };
    expect(info2.version).toBe('2.0.0');
    await transport.terminateSession().catch(() => undefined); // its keep-alive socket died with the old router
    await client.close();
  }, 90_000);
});
