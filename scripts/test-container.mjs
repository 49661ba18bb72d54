#!/usr/bin/env node
// npm run test:container — the image, tested for real (README "Containers"). Needs podman (or
// CONTAINER_ENGINE=docker) and haproxy; builds with the local stand-in base when one is there
// (--pull=never), else pulls node:20-bookworm-slim. 5-7 minutes here (2-3 building), bounded to 20.
//
//   1. build the Containerfile; check user, labels, health check; measure size and start time
//   2. run it (read-only root, as in Kubernetes) and pass `validate --suite full`; foreign Host refused;
//      SIGTERM drains and exits 0
//   3. run the pre-promotion Job's exact command, from deploy/kubernetes, against a container playing
//      the preview Service (and one playing the active Service for its answer diff)
//   4. three replicas sharing only a session key, behind haproxy round-robin (no stickiness): MCP
//      sessions keep working with 0 failed calls while one replica is restarted
//   5. `start` (controller, router, both colours) in one container, as compose.yaml's bluegreen service
// Every container, image, process and file it makes is removed at the end, also on failure.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const ROOT = new URL('..', import.meta.url).pathname;
const ENGINE = process.env.CONTAINER_ENGINE ?? 'podman';
const BASE = 'docker.io/library/node:20-bookworm-slim';
// TEST_CONTAINER_IMAGE=<built image> skips the build (and leaves that image alone): for working on this script.
const GIVEN_IMAGE = process.env.TEST_CONTAINER_IMAGE;
const TAG = GIVEN_IMAGE ?? `localhost/llm-pricing-mcp:test-${process.pid}`;
const TIME_LIMIT_MS = 20 * 60_000;
const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
const MAIN = join(ROOT, 'dist/cli/main.js');

const made = { containers: [], images: [], processes: [], dirs: [], volumes: [] };
const figures = {};
const work = mkdtempSync(join(tmpdir(), 'test-container-'));
made.dirs.push(work);

// ---- small helpers ----

function log(line) {
  process.stdout.write(`${line}\n`);
}

function run(cmd, args, { timeoutMs = 120_000, allowFail = false, env } = {}) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: ROOT, timeout: timeoutMs, maxBuffer: 64 * 2 ** 20, env: env ?? process.env }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      if (err && !allowFail) reject(new Error(`${cmd} ${args.join(' ')} failed (${err.message.split('\n')[0]}):\n${stderr || stdout}`));
      else resolve({ code, stdout, stderr });
    });
  });
}

const engine = (args, opts) => run(ENGINE, args, opts);

function check(ok, what) {
  if (!ok) throw new Error(`FAILED: ${what}`);
  log(`[PASS] ${what}`);
}

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** GET or POST on loopback with full control of the headers; resolves on any HTTP answer. */
function http(port, path, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false, timeout: 5000 }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Waits until the port answers /health/ready with 200, or the container exits (bounded); returns the ms it took. */
async function waitReady(port, limitMs = 60_000, containerId) {
  const started = Date.now();
  for (let i = 0; ; i++) {
    const r = await http(port, '/health/ready').catch(() => undefined);
    if (r?.status === 200) return Date.now() - started;
    if (Date.now() - started > limitMs) throw new Error(`port ${port} not ready after ${limitMs} ms`);
    if (containerId && i % 10 === 9) {
      const state = JSON.parse((await engine(['inspect', containerId])).stdout)[0].State;
      if (!state.Running) {
        const logs = await engine(['logs', containerId], { allowFail: true });
        throw new Error(
          `the container exited (${state.ExitCode}) before port ${port} was ready:\n${(logs.stdout + logs.stderr).slice(-3000)}`,
        );
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts one replica of the image on the host network, read-only like the Kubernetes pod. */
async function startContainer(name, port, env = {}, extra = []) {
  const envArgs = Object.entries({ MCP_PORT: String(port), ...env }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const { stdout } = await engine([
    'run',
    '-d',
    '--name',
    `${name}-${process.pid}`,
    '--network',
    'host',
    '--read-only',
    '--tmpfs',
    '/tmp',
    ...envArgs,
    ...extra,
    TAG,
  ]);
  const id = stdout.trim();
  made.containers.push(id);
  return id;
}

/** Removes containers a step is done with (cleanup() removes them anyway; this frees the machine sooner). */
async function removeContainers(ids) {
  for (const id of ids) {
    await engine(['rm', '-f', '-t', '0', id], { allowFail: true, timeoutMs: 60_000 });
    made.containers.splice(made.containers.indexOf(id), 1);
  }
}

async function metric(port, name) {
  const r = await http(port, '/metrics');
  const line = r.text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : NaN;
}

// ---- 1. the image ----

async function buildImage() {
  if (GIVEN_IMAGE) {
    log(`[INFO] using the given image ${GIVEN_IMAGE} (no build)`);
    return;
  }
  const local = (await engine(['image', 'exists', BASE], { allowFail: true })).code === 0;
  const before = new Set((await engine(['images', '-a', '-q', '--no-trunc'])).stdout.split('\n').filter(Boolean));
  const revision = (await run('git', ['rev-parse', 'HEAD'], { allowFail: true })).stdout.trim() || 'unknown';
  const started = Date.now();
  const build = await engine(
    [
      'build',
      ...(local ? ['--pull=never'] : []),
      '--network',
      'host',
      '--format',
      'docker',
      '--build-arg',
      `REVISION=${revision}`,
      '--build-arg',
      'SOURCE=local checkout',
      '-t',
      TAG,
      '.',
    ],
    { timeoutMs: 15 * 60_000, allowFail: true },
  );
  writeFileSync(join(work, 'build.log'), build.stdout + build.stderr);
  // Stage images this build made are ours to remove too (those that existed before are not).
  const after = (await engine(['images', '-a', '-q', '--no-trunc'])).stdout.split('\n').filter(Boolean);
  made.images.push(...after.filter((id) => !before.has(id)));
  if (build.code !== 0) throw new Error(`image build failed:\n${(build.stdout + build.stderr).split('\n').slice(-30).join('\n')}`);
  figures.build_s = Math.round((Date.now() - started) / 100) / 10;
  log(`[INFO] built ${TAG} in ${figures.build_s} s (${local ? 'local stand-in base, --pull=never' : 'base pulled'})`);

  const info = JSON.parse((await engine(['image', 'inspect', TAG])).stdout)[0];
  const config = info.Config;
  figures.image_mb = Math.round(info.Size / 1e6);
  check(config.User === 'node', `runs as the non-root user "node" (USER ${config.User})`);
  check(config.Labels['org.opencontainers.image.version'] === VERSION, `label org.opencontainers.image.version = ${VERSION}`);
  check(config.Labels['org.opencontainers.image.revision'] === revision, 'label org.opencontainers.image.revision = git HEAD');
  check(Boolean(config.Labels['org.opencontainers.image.source']), 'label org.opencontainers.image.source set');
  // podman keeps the health check beside Config, docker inside it.
  const healthcheck = info.Healthcheck ?? config.Healthcheck;
  check(JSON.stringify(healthcheck?.Test ?? []).includes('/health/live'), 'HEALTHCHECK asks /health/live');
  log(`[INFO] image size ${figures.image_mb} MB`);
}

// ---- 2. one container: the full suite ----

async function fullSuite() {
  const port = await freePort();
  const t0 = Date.now();
  const id = await startContainer('single', port);
  await waitReady(port);
  figures.start_to_ready_ms = Date.now() - t0;
  log(`[INFO] ${ENGINE} run to /health/ready: ${figures.start_to_ready_ms} ms`);

  check((await engine(['healthcheck', 'run', id], { allowFail: true })).code === 0, 'the image HEALTHCHECK passes');
  const init = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
  });
  const mcpHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const foreign = await http(port, '/mcp', { method: 'POST', headers: { ...mcpHeaders, host: 'evil.example' }, body: init });
  check(foreign.status === 403, `bound to 0.0.0.0, /mcp still refuses a foreign Host header (${foreign.status})`);

  const v = await run(process.execPath, [MAIN, 'validate', '--suite', 'full', '--url', `http://127.0.0.1:${port}/mcp`], {
    allowFail: true,
    timeoutMs: 180_000,
  });
  writeFileSync(join(work, 'validate-full.log'), v.stdout + v.stderr);
  const summary = /Summary: (\d+)\/(\d+) scenarios passed/.exec(v.stdout);
  check(
    v.code === 0 && summary !== null && summary[1] === summary[2],
    `validate --suite full passes against the container (${summary?.[0] ?? 'no summary'})${v.code === 0 ? '' : `:\n${v.stdout.slice(-2000)}`}`,
  );

  const stopStarted = Date.now();
  await engine(['stop', '-t', '30', id], { timeoutMs: 60_000 });
  figures.stop_ms = Date.now() - stopStarted;
  const state = JSON.parse((await engine(['inspect', id])).stdout)[0].State;
  const logs = (await engine(['logs', id])).stderr + (await engine(['logs', id])).stdout;
  check(state.ExitCode === 0 && logs.includes('"msg":"drained"'), `SIGTERM drains and exits 0 as PID 1 (${figures.stop_ms} ms)`);
}

// ---- 3. the pre-promotion Job's command ----

async function prePromotionJob() {
  const manifest = parse(readFileSync(join(ROOT, 'deploy/kubernetes/base/analysis-pre-promotion.yaml'), 'utf8'));
  const container = manifest.spec.metrics[0].provider.job.spec.template.spec.containers[0];
  const [activePort, previewPort] = [await freePort(), await freePort()];
  const ids = [await startContainer('active', activePort), await startContainer('preview', previewPort)];
  await Promise.all([waitReady(activePort), waitReady(previewPort)]);
  const args = { 'preview-url': `http://127.0.0.1:${previewPort}/mcp`, 'active-url': `http://127.0.0.1:${activePort}/mcp` };
  const command = container.args.map((a) => a.replace(/\{\{args\.([a-z-]+)\}\}/g, (_, name) => args[name]));
  log(`[INFO] the Job's command: ${command.join(' ')}`);
  // As the Job runs it: this image, its entrypoint, the manifest's args, a read-only root.
  const job = await engine(['run', '--rm', '--network', 'host', '--read-only', '--tmpfs', '/tmp', TAG, ...command], {
    allowFail: true,
    timeoutMs: 180_000,
  });
  writeFileSync(join(work, 'pre-promotion-job.log'), job.stdout + job.stderr);
  check(
    job.code === 0 && job.stdout.includes('[SUCCESS] ALL TESTS PASSED'),
    `the pre-promotion Job passes against the preview container${job.code === 0 ? '' : `:\n${job.stdout}${job.stderr}`}`,
  );
  check(
    job.stdout.includes(`[INFO] Canonical answers unchanged from ${args['active-url']}`),
    'and diffs its answers against the active one',
  );
  await removeContainers(ids);
}

// ---- 4. three replicas behind round-robin, one restarted ----

async function roundRobin() {
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
    await new Promise((r) => setTimeout(r, 50));
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
      await new Promise((r) => setTimeout(r, 20));
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
  haproxy.kill('SIGTERM');
  await removeContainers(ids);
}

// ---- 5. `start` (controller + router + blue and green) in one container ----

async function blueGreenInOne() {
  const [router, blue, green] = [await freePort(), await freePort(), await freePort()];
  const volume = `llm-pricing-deploy-${process.pid}`;
  await engine(['volume', 'create', volume]);
  made.volumes.push(volume);
  const dir = '/var/lib/llm-pricing-mcp/deploy';
  const { stdout } = await engine([
    'run',
    '-d',
    '--init',
    '--name',
    `bluegreen-${process.pid}`,
    '--network',
    'host',
    '--read-only',
    '--tmpfs',
    '/tmp',
    '-v',
    `${volume}:${dir}`,
    // Deploy's phase 2 holds the new colour to the guide's 10 ms average; on a loaded test machine that is luck.
    '-e',
    'DEPLOY_VALIDATE_MAX_AVG_MS=50',
    '-e',
    'DEPLOY_VALIDATE_MAX_MAX_MS=1000',
    TAG,
    'start',
    '--dir',
    dir,
    '--port',
    String(router),
    '--blue-port',
    String(blue),
    '--green-port',
    String(green),
  ]);
  const id = stdout.trim();
  made.containers.push(id);
  await waitReady(router, 120_000, id);
  const v = await run(
    process.execPath,
    [MAIN, 'validate', '--url', `http://127.0.0.1:${router}/mcp`, '--max-avg-ms', '50', '--max-ms', '1000'],
    {
      allowFail: true,
    },
  );
  check(
    v.code === 0,
    `start in a container: the router serves this build as blue, validate --suite quick passes through it${v.code ? `:\n${v.stdout}` : ''}`,
  );
  const status = await engine(['exec', id, 'llm-pricing-mcp', 'status', '--dir', dir, '--json'], { allowFail: true });
  const state = status.code === 0 ? JSON.parse(status.stdout) : undefined;
  check(state?.data?.active === 'blue', `status inside the container says blue is active (${state?.data?.active ?? status.stderr.trim()})`);
  await engine(['stop', '-t', '40', id], { timeoutMs: 90_000 });
  const exit = JSON.parse((await engine(['inspect', id])).stdout)[0].State.ExitCode;
  check(exit === 0, `stopping the container stops the router and both colours, exit ${exit}`);
}

// ---- cleanup, always ----

async function cleanup() {
  for (const p of made.processes) if (p.exitCode === null) p.kill('SIGTERM');
  for (const id of made.containers) await engine(['rm', '-f', '-t', '0', id], { allowFail: true, timeoutMs: 60_000 });
  for (const v of made.volumes) await engine(['volume', 'rm', '-f', v], { allowFail: true });
  if (!GIVEN_IMAGE) await engine(['rmi', '-f', TAG], { allowFail: true });
  for (const id of made.images.reverse()) await engine(['rmi', id], { allowFail: true });
  for (const d of made.dirs) rmSync(d, { recursive: true, force: true });
}

async function main() {
  for (const [cmd, args] of [
    [ENGINE, ['--version']],
    ['haproxy', ['-v']],
  ]) {
    if ((await run(cmd, args, { allowFail: true }).catch(() => ({ code: 127 }))).code !== 0) {
      log(`[SKIP] ${cmd} is not installed: this test needs ${ENGINE} and haproxy (see README "Containers")`);
      process.exitCode = 2;
      return;
    }
  }
  const watchdog = setTimeout(() => {
    log(`[FAIL] the container test took longer than ${TIME_LIMIT_MS / 60_000} minutes`);
    cleanup().finally(() => process.exit(1));
  }, TIME_LIMIT_MS);
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => cleanup().finally(() => process.exit(1)));
  const started = Date.now();
  try {
    await buildImage();
    await fullSuite();
    await prePromotionJob();
    await roundRobin();
    await blueGreenInOne();
    log(`[SUCCESS] container test passed in ${Math.round((Date.now() - started) / 1000)} s ${JSON.stringify(figures)}`);
  } catch (err) {
    log(`[FAIL] ${err.message}`);
    log(`[INFO] logs of this run: ${work}${process.env.KEEP_LOGS ? '' : ' (removed on exit; KEEP_LOGS=1 keeps them)'}`);
    process.exitCode = 1;
  } finally {
    clearTimeout(watchdog);
    if (process.env.KEEP_LOGS) made.dirs = made.dirs.filter((d) => d !== work);
    await cleanup();
  }
}

await main();
