import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { cli, controllerFixture, startController } from './harness.js';

// Session affinity lives in the session id the client holds (b.<id> / g.<id>), not in the
// controller's memory: a session opened on v1 keeps reaching v1 after the controller is
// killed and a new one adopts the running environments.
const fx = controllerFixture('deploy-session-restart-', ['1.0.0', '2.0.0']);

describe('session affinity across a controller restart', () => {
  it('keeps an MCP session opened on the old colour working after the controller is killed and restarted', async () => {
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
    await transport.terminateSession();
    await client.close();
  }, 90_000);
});
