// Step of the container test: three replicas sharing only a session key, behind haproxy round-robin (no
// stickiness): MCP sessions keep working with 0 failed calls while one replica is restarted.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  check,
  engine,
  figures,
  freePort,
  http,
  log,
  made,
  metric,
  removeContainers,
  sleep,
  startContainer,
  stopProcess,
  waitReady,
  work,
} from './harness.mjs';

export async function roundRobin() {
  const key = `base64:${randomBytes(32).toString('base64')}`;
  const ports = [await freePort(), await freePort(), await freePort()];
  const lbPort = await freePort();
  const env = { MCP_SESSION_KEYS: key, MCP_ALLOWED_HOSTS: '127.0.0.1' };
  const ids = [];
  // Each replica names itself (in Kubernetes the pod name does it; here the host network shares one host name).
  for (const [i, port] of ports.entries())
    ids.push(await startContainer(`replica${i + 1}`, port, { ...env, LLM_PRICING_REPLICA: `replica${i + 1}` }));
  await Promise.all(ports.map((p) => waitReady(p)));

  // Round-robin per request, no stickiness; a replica leaves the rotation when /health/ready says 503 (draining),
  // and a request refused at connect time or with 503 is retried on another one, as a Kubernetes Service would not
  // (there, the preStop pause keeps requests off a pod before it drains).
  const cfg = join(work, 'haproxy.cfg');
  writeFileSync(
    cfg,
    [
      'global',
      '  maxconn 512',
      'defaults',
      '  mode http',
      '  timeout connect 2s',
      '  timeout client 60s',
      '  timeout server 60s',
      '  retries 3',
      '  option redispatch 1',
      '  option http-buffer-request',
      '  retry-on conn-failure empty-response 503',
      'frontend mcp',
      `  bind 127.0.0.1:${lbPort}`,
      '  default_backend replicas',
      'backend replicas',
      '  balance roundrobin',
      '  option httpchk GET /health/ready',
      '  http-check expect status 200',
      '  timeout check 2s',
      '  default-server inter 300ms fall 2 rise 2',
      ...ports.map((p, i) => `  server r${i + 1} 127.0.0.1:${p} check`),
      '',
    ].join('\n'),
  );
  const haproxy = spawn('haproxy', ['-f', cfg, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
  made.processes.push(haproxy);
  let haproxyErr = '';
  haproxy.stderr.on('data', (c) => (haproxyErr += c));
  const lbUp = Date.now();
  while ((await http(lbPort, '/health/ready').catch(() => undefined))?.status !== 200) {
    if (haproxy.exitCode !== null || Date.now() - lbUp > 20_000) throw new Error(`haproxy did not start: ${haproxyErr}`);
    await sleep(50);
  }
  log(`[INFO] haproxy round-robin on 127.0.0.1:${lbPort} over replicas on ${ports.join(', ')}`);

  const SESSIONS = 6;
  const CALLS_AFTER_RESTART = 30;
  const stats = { calls: 0, failed: 0, errors: [], replicas: new Set() };
  const clients = [];
  for (let i = 0; i < SESSIONS; i++) {
    const client = new Client({ name: `rr-${i}`, version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${lbPort}/mcp`));
    transport.onerror = () => undefined; // a GET stream cut by the restart reconnects; calls are what we count
    await client.connect(transport);
    clients.push({ client, transport, sessionId: transport.sessionId, calls: 0, afterRestart: 0 });
  }
  let phase = 'before';
  const loop = async (c, i) => {
    while (phase !== 'done') {
      try {
        const telemetry = c.calls % 5 === 0;
        const r = telemetry
          ? await c.client.callTool({ name: 'get_telemetry', arguments: {} })
          : await c.client.callTool({ name: 'estimate_cost', arguments: { model_name: 'gpt-4', input_tokens: 5000, output_tokens: 2000 } });
        if (r.isError) throw new Error(r.content?.[0]?.text ?? 'isError');
        if (telemetry) stats.replicas.add(r.structuredContent.replica);
        else if (r.structuredContent.total_cost !== 0.27) throw new Error(`wrong total ${r.structuredContent.total_cost}`);
        if (c.transport.sessionId !== c.sessionId) throw new Error('the session id changed');
      } catch (err) {
        stats.failed++;
        if (stats.errors.length < 5) stats.errors.push(`session ${i}: ${err.message}`);
      }
      stats.calls++;
      c.calls++;
      if (phase === 'after') c.afterRestart++;
    }
  };
  const loops = clients.map((c, i) => loop(c, i));
  const until = async (cond, limitMs, what) => {
    const t = Date.now();
    while (!cond()) {
      if (Date.now() - t > limitMs) throw new Error(`timed out waiting for ${what}`);
      await sleep(20);
    }
  };
  await until(() => clients.every((c) => c.calls >= 10), 60_000, 'ten calls per session');

  // Restart replica 2 (some sessions were made there): SIGTERM drain, exit, start again, ready.
  const restartStarted = Date.now();
  const callsBefore = stats.calls;
  await engine(['stop', '-t', '30', ids[1]], { timeoutMs: 60_000 });
  const callsWhileDown = stats.calls;
  await engine(['start', ids[1]]);
  await waitReady(ports[1]);
  figures.restart_ms = Date.now() - restartStarted;
  phase = 'after';
  await until(
    () => clients.every((c) => c.afterRestart >= CALLS_AFTER_RESTART),
    120_000,
    `${CALLS_AFTER_RESTART} calls per session after the restart`,
  );
  phase = 'done';
  await Promise.all(loops);
  const restored = await Promise.all(ports.map((p) => metric(p, 'mcp_sessions_restored_total')));
  for (const c of clients) await c.client.close().catch(() => undefined);

  figures.round_robin = {
    sessions: SESSIONS,
    calls: stats.calls,
    failed: stats.failed,
    calls_during_restart: stats.calls - callsBefore,
    calls_while_replica_stopping: callsWhileDown - callsBefore,
    replicas_answering: [...stats.replicas].length,
    sessions_restored_per_replica: restored,
  };
  log(`[INFO] ${JSON.stringify(figures.round_robin)}`);
  check(
    stats.failed === 0,
    `0 failed calls of ${stats.calls} over ${SESSIONS} sessions through a replica restart (${figures.restart_ms} ms)${stats.errors.length ? `: ${stats.errors.join('; ')}` : ''}`,
  );
  check(stats.replicas.size === 3, `every replica answered the sessions (${[...stats.replicas].join(', ')})`);
  check(restored.reduce((a, b) => a + b, 0) > 0, 'replicas rebuilt sessions they did not hold from the signed id');
  await stopProcess(haproxy);
  made.processes.splice(made.processes.indexOf(haproxy), 1);
  await removeContainers(ids);
}
